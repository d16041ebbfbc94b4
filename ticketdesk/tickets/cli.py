from itertools import islice

import click
import sqlalchemy as sa

from ..extensions import db
from ..models import Ticket
from . import bp
from .demo import demo_tickets

BATCH = 5000


@bp.cli.command("seed-demo", help="Fill the database with COUNT realistic demo tickets from the last 90 days.")
@click.option("--count", default=200, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", type=int, help="Random seed, for the same tickets every time.")
def seed_demo(count: int, seed: int | None) -> None:
    rows = demo_tickets(count, seed=seed)
    with click.progressbar(length=count, label="Seeding tickets") as bar:
        while batch := list(islice(rows, BATCH)):
            db.session.execute(sa.insert(Ticket), batch)
            db.session.commit()
            bar.update(len(batch))
    click.echo(f"Added {count} demo tickets.")
