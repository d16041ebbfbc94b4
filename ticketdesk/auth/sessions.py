"""Agents' sessions, kept in the database. The signed cookie carries a random key; a request is signed in
only while that key's row is open, younger than SESSION_LIFETIME_HOURS and seen within SESSION_IDLE_MINUTES.
Ending the row ends every copy of the cookie, in every worker and on every host, at once."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..generation import AS_COLUMN, seen
from ..models import AgentSession, User, utcnow

TOUCH_EVERY = timedelta(minutes=1)  # how stale last_seen_at may get: at most one write a minute per session


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user_id: int) -> str:
    """Open a session for the agent and return its key, for the cookie (the only place it is kept)."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(AgentSession(user_id=user_id, key_hash=digest(key), created_at=now, last_seen_at=now))
    db.session.commit()
    return key


def session_user(user_id: str, key: str | None) -> User | None:
    """The active agent whose open, unexpired session `key` is, if it is `user_id`'s; one query, and an
    UPDATE at most once a minute so that the idle timeout knows the session is in use."""
    if not key or not key.isascii() or len(key) > 100:
        return None
    now = utcnow()
    config = current_app.config
    found = db.session.execute(
        sa.select(User, AgentSession.id, AgentSession.last_seen_at, AS_COLUMN).join(AgentSession, AgentSession.user_id == User.id)
        .where(AgentSession.key_hash == digest(key), AgentSession.ended_at.is_(None), User.active,
               AgentSession.created_at > now - timedelta(hours=config["SESSION_LIFETIME_HOURS"]),
               AgentSession.last_seen_at > now - timedelta(minutes=config["SESSION_IDLE_MINUTES"]))).first()
    if found is None or str(found.User.id) != user_id:
        return None
    seen(found.generation)  # what this worker keeps of the settings is checked in the same round trip
    if now - found.last_seen_at > TOUCH_EVERY:
        db.session.execute(sa.update(AgentSession).where(AgentSession.id == found.id).values(last_seen_at=now))
        db.session.commit()
    return found.User


def end_session(key: str | None) -> None:
    if key:
        _end(AgentSession.key_hash == digest(key))


def end_all_sessions(user_id: int) -> int:
    """End every session of the agent (a password change, deactivation, "sign out everywhere")."""
    return _end(AgentSession.user_id == user_id)


def _end(condition) -> int:
    ended = db.session.execute(sa.update(AgentSession).where(condition, AgentSession.ended_at.is_(None))
                               .values(ended_at=utcnow())).rowcount
    db.session.commit()
    return ended
