"""Operators' commands: `flask business-hours ...` and `flask sla-policies ...`, so calendars and policies can
be kept as code (each change recorded like an admin's, with the shell user as its author)."""
import getpass

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from ..extensions import db
from ..models import CATEGORIES, PRIORITIES, SLA_TARGETS
from ..ownership.refusals import Refused
from .calendars import all_calendars, delete_calendar, hours_said, named, save_calendar, week_of
from .policies import all_policies, delete_policy, policy_json, save_policy
from .recalculate import recalculate_all
from .schemas import business_hours_schema, sla_policy_schema

business_hours = AppGroup("business-hours", help="Calendars of business hours that SLA targets count in.")


def _actor() -> str:
    return f"shell:{getpass.getuser()}"


def _created(save, schema, given: dict):
    """`given`, checked by `schema`, saved new by `save` with the shell user as actor and committed; or the
    command fails saying what was refused."""
    try:
        made = save(_actor(), None, schema.load(given))
    except ValidationError as e:
        raise click.ClickException(f"Not saved: {e.normalized_messages()}") from None
    except Refused as e:
        db.session.rollback()
        raise click.ClickException(str(e)) from None
    db.session.commit()
    return made


@business_hours.command("create")
@click.argument("name")
@click.option("--timezone", required=True, help="An IANA time zone, such as Europe/Madrid.")
@click.option("--hours", multiple=True, required=True, metavar='"DAYS HH:MM-HH:MM …"',
              help='Days and their hours, such as "mon-fri 09:00-14:00 15:00-18:00" (repeat for more).')
@click.option("--holiday", multiple=True, metavar="YYYY-MM-DD", help="A date with no hours (repeat for more).")
def create(name: str, timezone: str, hours, holiday) -> None:
    """Create a calendar of business hours."""
    try:
        week = week_of(hours)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--hours") from None
    row = _created(save_calendar, business_hours_schema, {"name": name, "timezone": timezone, "week": week,
                                                          "holidays": list(holiday)})
    click.echo(f"Business hours {row.name} created ({row.timezone}).")


@business_hours.command("list")
def list_() -> None:
    """Every calendar, with its zone and hours."""
    for row in all_calendars():
        click.echo(f"{row.name}\t{row.timezone}\t{hours_said(row.week)}\t{len(row.holidays)} holidays")


@business_hours.command("delete")
@click.argument("name")
def delete(name: str) -> None:
    """Delete a calendar."""
    try:
        row = named(name, "name")
    except Refused as e:
        raise click.ClickException(str(e)) from None
    try:
        delete_calendar(_actor(), row)
    except Refused as e:
        db.session.rollback()
        raise click.ClickException(str(e)) from None
    db.session.commit()
    click.echo(f"Business hours {name} deleted.")


sla_policies = AppGroup("sla-policies", help="SLA policies: which tickets, which hours, which targets.")


@sla_policies.command("create")
@click.argument("name")
@click.option("--position", type=int, help="Lower first (default: after the others).")
@click.option("--priority", multiple=True, type=click.Choice(PRIORITIES), help="Only these priorities.")
@click.option("--category", multiple=True, type=click.Choice(CATEGORIES), help="Only these categories.")
@click.option("--team", multiple=True, help="Only these teams' tickets.")
@click.option("--tag", multiple=True, help="Only tickets with any of these tags.")
@click.option("--domain", "requester_domain", multiple=True, help="Only requesters of these mail domains.")
@click.option("--business-hours", help="The calendar its minutes count in (default: 24/7).")
@click.option("--first-response", type=int, help="First response target, in business minutes.")
@click.option("--next-response", type=int, help="Next response target, in business minutes.")
@click.option("--resolution", type=int, help="Resolution target, in business minutes.")
def create_policy(name, position, priority, category, team, tag, requester_domain, business_hours,
                  first_response, next_response, resolution) -> None:
    """Create an SLA policy."""
    match = {key: list(values) for key, values in (("priority", priority), ("category", category), ("team", team),
                                                   ("tag", tag), ("requester_domain", requester_domain)) if values}
    given = {"name": name, "match": match, "business_hours": business_hours, "first_response_minutes": first_response,
             "next_response_minutes": next_response, "resolution_minutes": resolution}
    policy = _created(save_policy, sla_policy_schema, given | ({"position": position} if position is not None else {}))
    click.echo(f"SLA policy {policy.name} created (position {policy.position}).")


@sla_policies.command("list")
def list_policies() -> None:
    """Every policy, in the order they are tried."""
    for policy in all_policies():
        shown = policy_json(policy)
        targets = ", ".join(f"{t.replace('_', ' ')} {shown[f'{t}_minutes']} min" for t in SLA_TARGETS
                            if shown[f"{t}_minutes"])
        click.echo(f"{policy.position}\t{policy.name}\t{shown['match'] or 'every ticket'}\t"
                   f"{shown['business_hours'] or '24/7'}\t{targets}")


@sla_policies.command("delete")
@click.argument("name")
def delete_policy_command(name: str) -> None:
    """Delete an SLA policy."""
    policy = next((p for p in all_policies() if p.name == name.strip()), None)
    if policy is None:
        raise click.ClickException(f"No SLA policy is called {name}.")
    delete_policy(_actor(), policy)
    db.session.commit()
    click.echo(f"SLA policy {name} deleted.")


@sla_policies.command("recalculate")
def recalculate_command() -> None:
    """Bring every open ticket's due times onto the policies and calendars as they are now (editing one
    changes no open ticket by itself)."""
    done = recalculate_all(_actor())
    click.echo(f"{done:,} open ticket{'' if done == 1 else 's'} recalculated.")
