"""Operators' commands: `flask users ...` for agents, `flask tokens ...` for API consumers. Each change is
recorded like an admin's, with the shell user as its author."""
import getpass
import re
import sys
from datetime import timedelta

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from ..models import ROLES, SCOPES, ApiToken, User, utcnow
from . import manage
from .passwords import RULES

users = AppGroup("users", help="Agents who sign in to the pages.")
tokens = AppGroup("tokens", help="Bearer tokens for API consumers.")

password_stdin = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of standard input instead of asking.")


def _actor() -> str:
    return f"shell:{getpass.getuser()}"


def _new_password(from_stdin: bool) -> str:
    """Asked for twice, or read as one line from standard input (for scripts and containers); never taken
    from the command line, where shell history and `ps` would keep it."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    click.echo(RULES, err=True)
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _run(operation, *args):
    try:
        return operation(_actor(), *args)
    except manage.Refused as e:
        raise click.ClickException(str(e)) from None


def _agent(email: str) -> User:
    try:
        return manage.find_agent(email)
    except manage.Refused as e:
        raise click.ClickException(str(e)) from None


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True,
              help="admin manages agents and tokens; agent works tickets; viewer only reads.")
@password_stdin
def create_user(email: str, role: str, password_stdin: bool) -> None:
    """Add an agent; the password is asked for (twice), or read from standard input."""
    if "@" not in email:  # say so before asking for a password
        raise click.BadParameter(f"{email!r} is not an email address.", param_hint="EMAIL")
    _run(manage.create_agent, email, role, _new_password(password_stdin))
    click.echo(f"Agent {email.strip().lower()} created ({role}).")


@users.command("set-password")
@click.argument("email")
@password_stdin
def set_password(email: str, password_stdin: bool) -> None:
    """Give an agent a new password (asked for twice, or read from standard input); ends their sessions."""
    user = _agent(email)
    _run(manage.set_password, user, _new_password(password_stdin))
    click.echo(f"Password of {user.email} changed; their open sessions ended.")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role(email: str, role: str) -> None:
    """Make an agent an admin, an agent or a viewer."""
    user = _agent(email)
    _run(manage.set_role, user, role)
    click.echo(f"{user.email} is now {role}.")


@users.command("deactivate")
@click.argument("email")
def deactivate_user(email: str) -> None:
    """Stop an agent signing in, and end their sessions for good."""
    user = _agent(email)
    _run(manage.set_active, user, False)
    click.echo(f"Agent {user.email} deactivated.")


@users.command("activate")
@click.argument("email")
def activate_user(email: str) -> None:
    """Let a deactivated agent sign in again."""
    user = _agent(email)
    _run(manage.set_active, user, True)
    click.echo(f"Agent {user.email} activated.")


@users.command("list")
def list_users() -> None:
    for user in db.session.scalars(sa.select(User).order_by(User.email)):
        click.echo(f"{user.email}\t{user.role}\t{'active' if user.active else 'deactivated'}")


def _duration(text: str | None) -> timedelta | None:
    """`90d`, `12w`, `6m` (months of 30 days) or `1y`."""
    if text is None:
        return None
    found = re.fullmatch(r"\s*(\d{1,4})\s*([dwmy])\s*", text.lower())
    if not found:
        raise click.BadParameter("Give a number and a unit: 90d, 12w, 6m or 1y.", param_hint="--expires")
    days = {"d": 1, "w": 7, "m": 30, "y": 365}[found.group(2)] * int(found.group(1))
    if not days:
        raise click.BadParameter("An expiry must be in the future.", param_hint="--expires")
    return timedelta(days=days)


@tokens.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(SCOPES), default="write", show_default=True,
              help="read: may only read (a viewer's rights); write: may also change tickets.")
@click.option("--expires", metavar="DURATION", help="Stop working after 90d, 12w, 6m or 1y (default: never).")
def create(name: str, scope: str, expires: str | None) -> None:
    """Make a token called NAME and print it: it is shown this once, and only its hash is kept."""
    lifetime = _duration(expires)
    expires_at = utcnow() + lifetime if lifetime else None
    try:
        token = _run(manage.new_token, name, scope, expires_at)
    except click.ClickException as e:
        if "name" in e.message and "already" not in e.message:
            raise click.BadParameter(e.message, param_hint="NAME") from None
        raise
    until = f", until {expires_at:%Y-%m-%d}" if expires_at else ""
    click.echo(f"Token {name.strip()} created ({scope}{until}). Send it as `Authorization: Bearer <token>`; "
               "it will not be shown again:")
    click.echo(token)


@tokens.command("list")
def list_tokens() -> None:
    for token in db.session.scalars(sa.select(ApiToken).order_by(ApiToken.name)):
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M} UTC" if token.revoked_at else "active"
        if token.expires_at and not token.revoked_at:
            state = f"{'expired' if token.expires_at <= utcnow() else 'active until'} {token.expires_at:%Y-%m-%d}"
        used = f"last used {token.last_used_at:%Y-%m-%d %H:%M} UTC" if token.last_used_at else "never used"
        click.echo(f"{token.name}\t{token.scope}\tcreated {token.created_at:%Y-%m-%d %H:%M} UTC\t{state}\t{used}")


@tokens.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Refuse the token called NAME from now on."""
    _run(manage.end_token, name)
    click.echo(f"Token {name} revoked.")
