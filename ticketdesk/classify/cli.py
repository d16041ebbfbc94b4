import click

from . import bp, classifier


@bp.cli.command("classify", help="Suggest a category and priority for TEXT with the configured classifier.")
@click.argument("text")
def classify_command(text: str) -> None:
    suggestion = classifier().classify(text)
    click.echo(f"category: {suggestion.category}\npriority: {suggestion.priority}\nprovider: {suggestion.provider}")
    if suggestion.note:
        click.echo(f"note: {suggestion.note}")
