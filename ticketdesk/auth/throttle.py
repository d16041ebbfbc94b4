"""Slowing password guessing without handing anyone a lock-out switch.

Every password check is a row in `sign_in_attempts` (the database is shared by every worker and host, so
the counts hold however the desk is deployed). Failures are counted over the LOGIN_RATE_LIMIT period for
three keys; past a key's allowance each further try must wait twice as long as the one before, up to a cap:

- one account from one address: the allowance is LOGIN_RATE_LIMIT's number; the wait grows to the period.
  The agent at another address is not held up by someone guessing their password from here.
- one address, any accounts (guessing many accounts): four times the allowance; the wait grows to the period.
- one account, any addresses (guessing from many addresses): ten times the allowance; the wait grows to
  only ACCOUNT_WAIT_CAP, so the worst an attacker can do to an agent is make them wait that long.
"""
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from limits import parse

from ..extensions import db
from ..models import SignInAttempt, utcnow

ACCOUNT_WAIT_CAP = timedelta(seconds=30)
PRUNE_EVERY = 100  # attempts between prunes of rows past the retention


def allowance() -> tuple[int, timedelta]:
    limit = parse(current_app.config["LOGIN_RATE_LIMIT"])
    return limit.amount, timedelta(seconds=limit.get_expiry())


def seconds_to_wait(email: str, address: str) -> int:
    """0 if a password may be checked now for `email` from `address`, else how many seconds until it may."""
    allowed, period = allowance()
    now = utcnow()
    failed = sa.and_(SignInAttempt.at > now - period, SignInAttempt.succeeded.is_(False))
    pair = sa.and_(SignInAttempt.email == email, SignInAttempt.address == address)
    by_email, by_address = SignInAttempt.email == email, SignInAttempt.address == address
    counts = db.session.execute(
        sa.select(*(column for key in (pair, by_address, by_email)
                    for column in (sa.func.count().filter(key), sa.func.max(SignInAttempt.at).filter(key))))
        .where(failed, sa.or_(by_email, by_address))).one()
    waits = [_wait(counts[0], counts[1], allowed, period, now),
             _wait(counts[2], counts[3], 4 * allowed, period, now),
             _wait(counts[4], counts[5], 10 * allowed, ACCOUNT_WAIT_CAP, now)]
    return max(waits)


def _wait(failures: int, last: datetime | None, allowed: int, cap: timedelta, now: datetime) -> int:
    if failures < allowed or last is None:
        return 0
    delay = min(timedelta(seconds=2 ** min(failures - allowed, 30)), cap)
    return max(0, math.ceil((last + delay - now).total_seconds()))


def record(email: str, address: str, succeeded: bool) -> None:
    attempt = SignInAttempt(email=email[:254], address=address[:64], succeeded=succeeded, at=utcnow())
    db.session.add(attempt)
    db.session.flush()
    if attempt.id % PRUNE_EVERY == 0:
        prune()
    db.session.commit()


def prune() -> int:
    """Drop attempts older than SIGN_IN_RETENTION_DAYS, so that no attack grows the table without bound."""
    cutoff = utcnow() - timedelta(days=current_app.config["SIGN_IN_RETENTION_DAYS"])
    return db.session.execute(sa.delete(SignInAttempt).where(SignInAttempt.at < cutoff)).rowcount
