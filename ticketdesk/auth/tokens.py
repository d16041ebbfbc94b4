"""API tokens: random, shown once, stored only as a SHA-256 (a token is long and random, so a plain fast
hash is enough to make a leaked table useless, and lets a request find its token by one indexed lookup)."""
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..generation import AS_COLUMN, seen
from ..models import ApiToken, utcnow

PREFIX = "td_"
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is at most this stale: no write on every request


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, scope: str = "write", expires_at: datetime | None = None) -> str:
    """Store a new token called `name` and return it: the only time it is seen."""
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(name=name, token_hash=digest(token), scope=scope, expires_at=expires_at))
    db.session.commit()
    return token


# built once, and run on the session's connection without the ORM: on every API request, building the
# statement and the ORM's part of running it cost as much as the query. It carries the desk's settings
# generation, so that what a worker keeps of them is checked in the same round trip (ticketdesk/generation.py)
ACTIVE = (sa.select(ApiToken.id, ApiToken.name, ApiToken.scope, ApiToken.last_used_at, AS_COLUMN)
          .where(ApiToken.token_hash == sa.bindparam("digest"), ApiToken.revoked_at.is_(None),
                 sa.or_(ApiToken.expires_at.is_(None),
                        ApiToken.expires_at > sa.bindparam("now", type_=ApiToken.expires_at.type))))


def active_token(token: str) -> sa.Row | None:
    """The token's id, name, scope and last use if it is one of ours, not revoked and not expired. Every
    worker reads the database, so a revoked token fails at once everywhere. Plain columns, not an ORM
    object: on every API request, building one cost a quarter of the access gate's time."""
    if not token.isascii() or len(token) > 200:
        return None
    now = utcnow()
    found = db.session.connection().execute(ACTIVE, {"digest": digest(token), "now": now}).first()
    if found is not None:
        seen(found.generation)
    if found is not None and (found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY):
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == found.id).values(last_used_at=now))
        db.session.commit()
    return found


def revoke_token(name: str) -> bool:
    """False if there is no active token of that name."""
    revoked = db.session.execute(sa.update(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
                                 .values(revoked_at=utcnow())).rowcount
    db.session.commit()
    return bool(revoked)
