"""API tokens: random, shown once, stored only as a SHA-256 (a token is long and random, so a plain fast
hash is enough to make a leaked table useless, and lets a request find its token by one indexed lookup)."""
import hashlib
import secrets

import sqlalchemy as sa

from ..extensions import db
from ..models import ApiToken, utcnow

PREFIX = "td_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str) -> str:
    """Store a new token called `name` and return it: the only time it is seen."""
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(name=name, token_hash=digest(token)))
    db.session.commit()
    return token


def active_token(token: str) -> ApiToken | None:
    if not token.isascii() or len(token) > 200:
        return None
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None))).first()


def revoke_token(name: str) -> bool:
    """False if there is no active token of that name."""
    revoked = db.session.execute(sa.update(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
                                 .values(revoked_at=utcnow())).rowcount
    db.session.commit()
    return bool(revoked)
