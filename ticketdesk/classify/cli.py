import click
from flask import current_app

from . import bp, classifier


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "not set"
    return "set" if name.endswith(("_KEY", "SECRET")) else str(value)


@bp.cli.command("classify", help="Suggest a category and priority for TEXT with the configured classifier.")
@click.argument("text")
def classify_command(text: str) -> None:
    active = classifier()
    configured = getattr(active, "primary", active)
    for name in getattr(configured, "settings", ()):
        click.echo(f"{name}: {_shown(name, current_app.config.get(name))}")
    suggestion = active.classify(text)
    click.echo(f"category: {suggestion.category}\npriority: {suggestion.priority}\nprovider: {suggestion.provider}")
    if suggestion.note:
        click.echo(f"note: {suggestion.note}")
