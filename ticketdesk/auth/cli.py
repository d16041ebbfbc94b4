"""Operators' commands: `flask users ...` for agents, `flask tokens ...` for API consumers."""
import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from ..models import ApiToken, User
from .passwords import RULES, hash_password, password_problem
from .sessions import end_all_sessions
from .tokens import create_token, revoke_token

users = AppGroup("users", help="Agents who sign in to the pages.")
tokens = AppGroup("tokens", help="Bearer tokens for API consumers.")


def _user(email: str) -> User:
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"No agent with the email {email}.")
    return user


def _new_password(email: str, from_stdin: bool = False) -> str:
    """Asked for twice, or read as one line from standard input (for scripts and containers); never taken
    from the command line, where shell history and `ps` would keep it."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        click.echo(RULES, err=True)
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := password_problem(password, email):
        raise click.ClickException(f"{problem} {RULES}")
    return hash_password(password)


password_stdin = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of standard input instead of asking.")


@users.command("create")
@click.argument("email")
@password_stdin
def create_user(email: str, password_stdin: bool) -> None:
    """Add an agent; the password is asked for (twice), or read from standard input."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254:
        raise click.BadParameter(f"{email!r} is not an email address.", param_hint="EMAIL")
    if db.session.scalars(sa.select(User.id).where(User.email == email)).first():
        raise click.ClickException(f"An agent with the email {email} already exists.")
    db.session.add(User(email=email, password_hash=_new_password(email, password_stdin)))
    db.session.commit()
    click.echo(f"Agent {email} created.")


@users.command("set-password")
@click.argument("email")
@password_stdin
def set_password(email: str, password_stdin: bool) -> None:
    """Give an agent a new password (asked for twice, or read from standard input)."""
    user = _user(email)
    user.password_hash = _new_password(user.email, password_stdin)
    db.session.commit()
    ended = end_all_sessions(user.id)  # whoever held the old password is signed out everywhere
    click.echo(f"Password of {user.email} changed; {ended} open session{'s' if ended != 1 else ''} ended.")


@users.command("deactivate")
@click.argument("email")
def deactivate_user(email: str) -> None:
    """Stop an agent signing in; their open sessions end at their next request."""
    _set_active(email, False)


@users.command("activate")
@click.argument("email")
def activate_user(email: str) -> None:
    """Let a deactivated agent sign in again."""
    _set_active(email, True)


def _set_active(email: str, active: bool) -> None:
    user = _user(email)
    user.active = active
    db.session.commit()
    if not active:
        end_all_sessions(user.id)  # for good: activating the agent again does not revive them
    click.echo(f"Agent {user.email} {'activated' if active else 'deactivated'}.")


@users.command("list")
def list_users() -> None:
    for user in db.session.scalars(sa.select(User).order_by(User.email)):
        click.echo(f"{user.email}\t{'active' if user.active else 'deactivated'}")


@tokens.command("create")
@click.argument("name")
def create(name: str) -> None:
    """Make a token called NAME and print it: it is shown this once, and only its hash is kept."""
    name = name.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise click.BadParameter("Give a name of 1 to 64 printable characters.", param_hint="NAME")
    if db.session.scalars(sa.select(ApiToken.id).where(ApiToken.name == name)).first():
        raise click.ClickException(f"A token called {name} already exists (revoked tokens keep their names).")
    token = create_token(name)
    click.echo(f"Token {name} created. Send it as `Authorization: Bearer <token>`; it will not be shown again:")
    click.echo(token)


@tokens.command("list")
def list_tokens() -> None:
    for token in db.session.scalars(sa.select(ApiToken).order_by(ApiToken.name)):
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M} UTC" if token.revoked_at else "active"
        click.echo(f"{token.name}\tcreated {token.created_at:%Y-%m-%d %H:%M} UTC\t{state}")


@tokens.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Refuse the token called NAME from now on."""
    if not revoke_token(name):
        raise click.ClickException(f"No active token called {name}.")
    click.echo(f"Token {name} revoked.")
