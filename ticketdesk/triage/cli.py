import click

from . import bp
from .language import backfill
from .training import labelled_tickets, save, train


@bp.cli.command("train", help="Train the learned classifier on the desk's tickets and report how well it does.")
def train_command() -> None:
    tickets = labelled_tickets()
    click.echo(f"training on {len(tickets)} tickets with labels a person set or confirmed ...")
    model, report = train(tickets)
    for line in report.lines():
        click.echo(line)
    if model is None:
        raise click.ClickException("nothing saved: every field needs examples of at least two labels")
    row = save(model, report)
    click.echo(f"saved model #{row.id}; every worker uses it from its next suggestion")


@bp.cli.command("languages", help="Detect the language of every ticket that has none yet (newest first).")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(min=1))
def languages_command(batch: int) -> None:
    with click.progressbar(length=0, label="Detecting languages", show_pos=True) as bar:
        done = backfill(batch, progress=bar.update)
    click.echo(f"Detected the language of {done} tickets.")
