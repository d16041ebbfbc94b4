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
    click.echo(f"chain: {','.join(active.names)}")
    for link in active.links:
        for name in getattr(link, "settings", ()):
            click.echo(f"{name}: {_shown(name, current_app.config.get(name))}")
    suggestion = active.classify(text)
    for field in ("category", "priority"):
        sure = suggestion.confidence.get(field)
        click.echo(f"{field}: {getattr(suggestion, field)} (by {suggestion.by(field)}"
                   f"{'' if sure is None else f', confidence {sure:.2f}'})")
    click.echo(f"provider: {suggestion.provider}")
    if suggestion.note:
        click.echo(f"note: {suggestion.note}")
