"""Once per period across the whole deployment: time is cut into periods of the job's length, counted from
the epoch, and running a job's current period is claimed by one UPDATE that only the first worker to arrive
can win (the row lock on PostgreSQL, the single writer on SQLite), however many workers on however many
hosts tick at once. The same table holds leases: work that one worker at a time may do (`hold`)."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import PeriodicRun, utcnow

NEVER = datetime(1970, 1, 1, tzinfo=timezone.utc)


def claim(name: str, seconds: float) -> bool:
    """True for exactly one caller per period of `seconds`; committed at once, so the claim holds."""
    now = utcnow()
    period = datetime.fromtimestamp(now.timestamp() // seconds * seconds, timezone.utc)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(PeriodicRun).values(name=name, period_start=NEVER, ran_at=NEVER)
                       .on_conflict_do_nothing(index_elements=["name"]))
    won = db.session.execute(sa.update(PeriodicRun)
                             .where(PeriodicRun.name == name, PeriodicRun.period_start < period)
                             .values(period_start=period, ran_at=now)).rowcount == 1
    db.session.commit()
    return won


def hold(name: str, seconds: float) -> bool:
    """True when this caller may now do `name` alone, for `seconds` (the lease runs out then, so a worker
    that died lets go): across every worker and host, as `claim` is. `renew` extends it; `release` ends it."""
    now = utcnow()
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(PeriodicRun).values(name=name, period_start=NEVER, ran_at=NEVER)
                       .on_conflict_do_nothing(index_elements=["name"]))
    won = db.session.execute(sa.update(PeriodicRun)
                             .where(PeriodicRun.name == name, PeriodicRun.period_start < now)
                             .values(period_start=now + timedelta(seconds=seconds), ran_at=now)).rowcount == 1
    db.session.commit()
    return won


def renew(name: str, seconds: float) -> None:
    db.session.execute(sa.update(PeriodicRun).where(PeriodicRun.name == name)
                       .values(period_start=utcnow() + timedelta(seconds=seconds)))
    db.session.commit()


def release(name: str) -> None:
    db.session.execute(sa.update(PeriodicRun).where(PeriodicRun.name == name).values(period_start=NEVER))
    db.session.commit()
