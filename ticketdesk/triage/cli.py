import click
from flask import current_app
from flask.cli import with_appcontext

from . import bp
from .exclusions import exclude, excluded, include
from .language import backfill
from .suggestion import classifier
from .training import labelled_tickets, retrain


@bp.cli.command("train", help="Train the learned classifier on the desk's tickets, compare it with the deployed "
                              "model on the held-out tickets, and deploy it only if it scores at least as well.")
def train_command() -> None:
    tickets = labelled_tickets()
    click.echo(f"training on {len(tickets)} tickets with labels a person set or confirmed ...")
    row, report = retrain(tickets)
    for line in report.lines():
        click.echo(line)
    if row is None:
        raise click.ClickException("nothing saved: every field needs examples of at least two labels")
    click.echo(f"model #{row.id} {report.comparison()}")
    if row.deployed:
        click.echo(f"deployed model #{row.id}; every worker uses it from its next suggestion")


@bp.cli.command("exclude", help="Leave every label ACTOR set (an agent's email, or token:NAME) out of training.")
@click.argument("actor")
def exclude_command(actor: str) -> None:
    done = exclude(actor.strip(), by="cli")
    click.echo(f"{actor}'s labels are {'now' if done else 'already'} left out of training; "
               "the next training (flask triage train, or the worker's) leaves them out")


@bp.cli.command("include", help="Let ACTOR's labels teach the learned classifier again.")
@click.argument("actor")
def include_command(actor: str) -> None:
    if not include(actor.strip()):
        raise click.ClickException(f"{actor}'s labels were not excluded")
    click.echo(f"{actor}'s labels teach again from the next training")


@bp.cli.command("exclusions", help="List the actors whose labels are left out of training.")
def exclusions_command() -> None:
    rows = excluded()
    for row in rows:
        click.echo(f"{row.actor}\texcluded {row.created_at:%Y-%m-%d %H:%M} by {row.created_by or 'unknown'}")
    if not rows:
        click.echo("no actor's labels are excluded")


@bp.cli.command("languages", help="Detect the language of every ticket that has none yet (newest first).")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(min=1))
def languages_command(batch: int) -> None:
    with click.progressbar(length=0, label="Detecting languages", show_pos=True) as bar:
        done = backfill(batch, progress=bar.update)
    click.echo(f"Detected the language of {done} tickets.")


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "not set"
    return "set" if name.endswith(("_KEY", "SECRET")) else str(value)


@click.command("classify", help="Suggest a category and priority for TEXT with the configured classifier.")
@click.argument("text")
@with_appcontext
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
