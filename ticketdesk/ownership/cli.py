"""Operators' commands: `flask teams ...` and `flask tags ...`, so teams can be kept as code. Each change is
recorded like an admin's, with the shell user as its author."""
import getpass

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import ASSIGNMENTS, CATEGORIES
from . import tags as tag_store
from .refusals import Refused
from .teams import add_member, all_teams, delete_team, members, remove_member, routes, save_team, team_named

teams = AppGroup("teams", help="Teams: their agents, how they assign, what routes to them.")
tags = AppGroup("tags", help="Rename and merge tags.")


def _actor() -> str:
    return f"shell:{getpass.getuser()}"


def _done(operation, *args):
    """Run `operation` with the shell user as actor and commit, or say what was refused."""
    try:
        result = operation(_actor(), *args)
    except Refused as e:
        db.session.rollback()
        raise click.ClickException(str(e)) from None
    db.session.commit()
    return result


def _team(name: str):
    try:
        return team_named(name)
    except Refused as e:
        raise click.ClickException(str(e)) from None


@teams.command("create")
@click.argument("name")
@click.option("--member", "members_", multiple=True, metavar="EMAIL", help="An agent in the team (repeat for more).")
@click.option("--assignment", type=click.Choice(ASSIGNMENTS), default="manual", show_default=True)
@click.option("--address", multiple=True, metavar="EMAIL", help="A desk address whose mail goes to the team.")
@click.option("--category", multiple=True, type=click.Choice(CATEGORIES), help="A category whose tickets go to it.")
def create(name: str, members_, assignment: str, address, category) -> None:
    """Create a team."""
    team = _done(save_team, None, {"name": name.strip(), "assignment": assignment, "members": list(members_),
                                   "addresses": list(address), "categories": list(category)})
    click.echo(f"Team {team.name} created ({team.assignment}, {len(members_)} members).")


@teams.command("list")
def list_teams() -> None:
    for team in all_teams():
        found = routes(team)
        people = ", ".join(u.email + (" (away)" if u.away else "") for u in members(team)) or "no members"
        click.echo(f"{team.name}\t{team.assignment}\t{people}\taddresses: {', '.join(found['addresses']) or '-'}"
                   f"\tcategories: {', '.join(found['categories']) or '-'}")


@teams.command("add-member")
@click.argument("team")
@click.argument("email")
def add(team: str, email: str) -> None:
    _done(add_member, _team(team), email)
    click.echo(f"{email.strip().lower()} is in {team.strip()}.")


@teams.command("remove-member")
@click.argument("team")
@click.argument("email")
def remove(team: str, email: str) -> None:
    if not _done(remove_member, _team(team), email):
        raise click.ClickException(f"{email.strip().lower()} is not in {team.strip()}.")
    click.echo(f"{email.strip().lower()} left {team.strip()}.")


@teams.command("delete")
@click.argument("team")
def delete(team: str) -> None:
    """Delete a team; its tickets leave it and keep their assignees."""
    moved = _done(delete_team, _team(team))
    click.echo(f"Team {team.strip()} deleted; {moved} tickets left it.")


@tags.command("rename")
@click.argument("old")
@click.argument("new")
def rename(old: str, new: str) -> None:
    """Rename a tag on every ticket; renaming into an existing tag merges them."""
    _done(tag_store.rename, old, new)
    click.echo(f"Tag {old.strip().lower()} is now {new.strip().lower()}.")


@tags.command("merge")
@click.argument("old")
@click.argument("into")
def merge(old: str, into: str) -> None:
    """Tag every ticket tagged OLD with INTO instead, and delete OLD."""
    _done(tag_store.merge, old, into)
    click.echo(f"Tag {old.strip().lower()} merged into {into.strip().lower()}.")
