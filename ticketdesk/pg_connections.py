"""PostgreSQL connections as the desk uses them (psycopg 3): fewer round trips and less work per statement,
with nothing a request sees changed.

- **Plans kept across requests.** psycopg prepares a statement on the server once a connection has run it
  five times; later runs skip parsing and planning (reading one ticket with its requester, owner, team and
  SLA plans in 0.4 ms and runs in 0.06). psycopg forgets every prepared statement at a rollback, and every
  request ends its transaction, the reads with a rollback. So a transaction that wrote nothing is ended
  with COMMIT instead: for a transaction that only read, both end it alike (nothing to keep, nothing to
  undo), and the plans stay. A transaction that ran anything but a SELECT, or failed, is rolled back.
- **One round trip to check a pooled connection and begin.** The pool checks a connection before handing
  it out (`pool_pre_ping`, so a restarted database costs no request an error), then the request's first
  statement opens a transaction: two round trips. `BEGIN` checks the connection just as well, and opens the
  transaction the request then uses. Should something need the connection outside a transaction first (a
  VACUUM, autocommit), the unused transaction is ended before the change.
- **Result columns described only when asked.** psycopg builds a description object for every column of
  every result; SQLAlchemy needs them only the first time it meets a statement, and then keeps its own.
  Reading one ticket with its relationships returned 78 columns, so describing them cost 3 % of a request.

psycopg is pinned in requirements.txt: `begin_now` and `_check_intrans_gen` use its internals, and
tests/kernel/test_pg_connections.py holds each behaviour above. `init_engine` makes an engine's new
connections these (extensions.configure_engine)."""
from collections.abc import Sequence

import psycopg
import sqlalchemy as sa
from psycopg.pq import ExecStatus, TransactionStatus


def reads_only(query) -> bool:
    """A SELECT, or the empty statement SQLAlchemy pings a pooled connection with."""
    return isinstance(query, str) and (query.lstrip()[:6].upper() == "SELECT" or query.strip() == ";")


class Described:
    """What psycopg's column description reads of a cursor, kept from the result being described."""

    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, cursor: psycopg.Cursor):
        self.pgresult, self._encoding, self.adapters = cursor.pgresult, cursor._encoding, cursor.adapters


class Description(Sequence):
    """A result's columns, each described on first use (psycopg's own `Column` objects)."""

    __slots__ = ("_result", "_count", "_columns")

    def __init__(self, cursor: psycopg.Cursor, count: int):
        self._result, self._count, self._columns = Described(cursor), count, None

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if self._columns is None:
            self._columns = [psycopg.Column(self._result, i) for i in range(self._count)]
        return self._columns[index]


class Cursor(psycopg.Cursor):
    """Marks its connection as having written when it runs anything but a SELECT; describes lazily."""

    def execute(self, query, params=None, **kwargs):
        self.connection.begun_unused = False
        if not reads_only(query):
            self.connection.wrote = True
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs):
        self.connection.begun_unused = False
        self.connection.wrote = True
        return super().executemany(query, params_seq, **kwargs)

    @property
    def description(self):
        result = self.pgresult
        if result and (result.nfields or result.status == ExecStatus.TUPLES_OK):
            return Description(self, result.nfields)
        return None


class Connection(psycopg.Connection):
    """Ends a transaction that only read with COMMIT, so that its prepared statements are kept."""

    wrote = False
    begun_unused = False  # a transaction opened by `begin_now` that nothing has used yet

    def begin_now(self) -> None:
        """Open the transaction the next statement would open (psycopg's own BEGIN), in one round trip."""
        with self.lock:
            self.wait(self._start_query())
        self.begun_unused = True

    def rollback(self) -> None:
        if not self.wrote and self.info.transaction_status == TransactionStatus.INTRANS:
            self.commit()
        else:
            super().rollback()
        self.wrote = self.begun_unused = False

    def commit(self) -> None:
        super().commit()
        self.wrote = self.begun_unused = False

    def _check_intrans_gen(self, attribute):
        """Autocommit, isolation and the like change only outside a transaction: end an unused one first."""
        if self.begun_unused and self.pgconn.transaction_status == TransactionStatus.INTRANS:
            yield from self._exec_command(b"COMMIT")
            self.begun_unused = False
        yield from super()._check_intrans_gen(attribute)


def begin_as_ping(dbapi_connection, ping) -> bool:
    """The pool's check of a connection: BEGIN, unless the connection is in autocommit or a transaction
    (then the dialect's own `ping`). A dead connection fails here as it would the ping, and the pool
    replaces it."""
    if (isinstance(dbapi_connection, Connection) and not dbapi_connection.autocommit
            and dbapi_connection.info.transaction_status == TransactionStatus.IDLE):
        dbapi_connection.begin_now()
        return True
    return ping(dbapi_connection)


def init_engine(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "do_connect")
    def _connect(dialect, connection_record, cargs, cparams):
        return Connection.connect(*cargs, cursor_factory=Cursor, **cparams)

    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_connection: begin_as_ping(dbapi_connection, ping)
