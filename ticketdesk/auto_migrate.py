"""Bring the database up to the committed migrations when the app starts, so that a server pointed at a
new, empty database works at once. Workers starting together take turns: PostgreSQL holds an advisory
lock, SQLite a lock file beside the database; whoever comes second finds the schema current."""
import fcntl
from contextlib import contextmanager

import flask_migrate
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from config import ROOT

from .extensions import db

MIGRATIONS = ROOT / "migrations"
PG_LOCK_KEY = 0x7469636B  # "tick"


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_if_behind(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        head = head_revision()
        try:
            if current_revision(engine) == head:
                return
            with _migration_lock(engine):
                current = current_revision(engine)  # again: another worker may have migrated meanwhile
                if current != head:
                    app.logger.info("database at revision %s, migrating to %s", current, head)
                    flask_migrate.upgrade(directory=str(MIGRATIONS))
        finally:
            engine.dispose()  # a process forked after start-up must not share these connections


@contextmanager
def _migration_lock(engine: sa.Engine):
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
                conn.commit()
    elif engine.url.database and engine.url.database != ":memory:":
        with open(f"{engine.url.database}.migrate-lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
    else:
        yield
