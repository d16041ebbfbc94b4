"""Managing agents and tokens: the operations behind both `flask users/tokens ...` and the admin page, so
that each rule lives once and every change is recorded in `admin_events` (who, when, what)."""
import secrets
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import ROLES, SCOPES, AdminEvent, ApiToken, User, utcnow
from .passwords import RULES, hash_password, password_problem
from .sessions import end_all_sessions
from .tokens import create_token, revoke_token


class Refused(ValueError):
    """What was asked cannot be done; the message says why, for a person."""


def record(actor: str, action: str, subject: str, detail: str | None = None) -> None:
    db.session.add(AdminEvent(at=utcnow(), actor=actor, action=action, subject=subject, detail=detail))


def find_agent(email: str) -> User:
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise Refused(f"No agent with the email {email}.")
    return user


def checked_password(password: str, email: str) -> str:
    if problem := password_problem(password, email):
        raise Refused(f"{problem} {RULES}")
    return hash_password(password)


def temporary_password() -> str:
    """Random and strong; shown once to the admin, and replaced by the agent at their next sign-in."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def create_agent(actor: str, email: str, role: str, password: str | None = None) -> str | None:
    """Add an agent. With no password, a temporary one is made, returned (to be shown once) and must be
    changed at the first sign-in."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise Refused(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise Refused(f"The role must be one of {', '.join(ROLES)}.")
    if db.session.scalars(sa.select(User.id).where(User.email == email)).first():
        raise Refused(f"An agent with the email {email} already exists.")
    temporary = temporary_password() if password is None else None
    db.session.add(User(email=email, role=role, password_hash=checked_password(password or temporary, email),
                        must_change_password=temporary is not None))
    record(actor, "create agent", email, f"role {role}")
    db.session.commit()
    return temporary


def set_role(actor: str, user: User, role: str) -> None:
    if role not in ROLES:
        raise Refused(f"The role must be one of {', '.join(ROLES)}.")
    if user.role == "admin" and role != "admin":
        _keep_an_admin(user)
    record(actor, "set role", user.email, f"{user.role} → {role}")
    user.role = role
    db.session.commit()


def set_active(actor: str, user: User, active: bool) -> None:
    if not active and user.role == "admin":
        _keep_an_admin(user)
    user.active = active
    record(actor, "activate" if active else "deactivate", user.email)
    db.session.commit()
    if not active:
        end_all_sessions(user.id)  # for good: activating the agent again does not revive them


def set_password(actor: str, user: User, password: str | None = None) -> str | None:
    """A new password for the agent (or, with none given, a temporary one, returned to be shown once and
    changed at next sign-in); either way every session of theirs ends."""
    temporary = temporary_password() if password is None else None
    user.password_hash = checked_password(password or temporary, user.email)
    user.must_change_password = temporary is not None
    record(actor, "reset password" if temporary else "set password", user.email)
    db.session.commit()
    end_all_sessions(user.id)
    return temporary


def _keep_an_admin(user: User) -> None:
    others = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.role == "admin", User.active, User.id != user.id))
    if not others:
        raise Refused(f"{user.email} is the only active admin: make someone else admin first.")


def new_token(actor: str, name: str, scope: str = "write", expires_at: datetime | None = None) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise Refused("Give the token a name of 1 to 64 printable characters.")
    if scope not in SCOPES:
        raise Refused(f"The scope must be one of {', '.join(SCOPES)}.")
    if db.session.scalars(sa.select(ApiToken.id).where(ApiToken.name == name)).first():
        raise Refused(f"A token called {name} already exists (revoked tokens keep their names).")
    record(actor, "create token", name, f"scope {scope}" + (f", expires {expires_at:%Y-%m-%d}" if expires_at else ""))
    return create_token(name, scope, expires_at)  # commits both


def end_token(actor: str, name: str) -> None:
    if not db.session.scalars(sa.select(ApiToken.id).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))).first():
        raise Refused(f"No active token called {name}.")
    record(actor, "revoke token", name)
    revoke_token(name)  # commits both
