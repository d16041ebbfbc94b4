"""PostgreSQL: a worker's connections keep the plans of the statements they run again and again.

psycopg 3 prepares a statement on the server once a connection has run it five times; later runs skip
parsing and planning (reading one ticket with its requester, owner, team and SLA plans in 0.4 ms and runs
in 0.06). psycopg forgets every prepared statement at a rollback, and every request ends its transaction,
the reads with a rollback. So a transaction that wrote nothing is ended with COMMIT instead: for a
transaction that only read, both end it alike (nothing to keep, nothing to undo), and the plans stay. A
transaction that ran anything but a SELECT, or failed, is rolled back as before.

`init_engine` makes an engine's new connections these (extensions.configure_engine)."""
import psycopg
import sqlalchemy as sa
from psycopg.pq import TransactionStatus


def reads_only(query) -> bool:
    """A SELECT, or the empty statement SQLAlchemy pings a pooled connection with."""
    return isinstance(query, str) and (query.lstrip()[:6].upper() == "SELECT" or query.strip() == ";")


class Cursor(psycopg.Cursor):
    """Marks its connection as having written when it runs anything but a SELECT."""

    def execute(self, query, params=None, **kwargs):
        if not reads_only(query):
            self.connection.wrote = True
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs):
        self.connection.wrote = True
        return super().executemany(query, params_seq, **kwargs)


class Connection(psycopg.Connection):
    """Ends a transaction that only read with COMMIT, so that its prepared statements are kept."""

    wrote = False

    def rollback(self) -> None:
        if not self.wrote and self.info.transaction_status == TransactionStatus.INTRANS:
            self.commit()
        else:
            super().rollback()
        self.wrote = False

    def commit(self) -> None:
        super().commit()
        self.wrote = False


def init_engine(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "do_connect")
    def _connect(dialect, connection_record, cargs, cparams):
        return Connection.connect(*cargs, cursor_factory=Cursor, **cparams)
