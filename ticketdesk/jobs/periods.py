"""Once per period across the whole deployment: time is cut into periods of the job's length, counted from
the epoch, and running a job's current period is claimed by one UPDATE that only the first worker to arrive
can win (the row lock on PostgreSQL, the single writer on SQLite), however many workers on however many
hosts tick at once."""
from datetime import datetime, timezone

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
