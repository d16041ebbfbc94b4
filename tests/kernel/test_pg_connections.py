"""PostgreSQL connections keep their prepared statements across requests that only read, and a transaction
that wrote is still rolled back whole (ticketdesk/pg_connections.py). What only PostgreSQL has (prepared
statements, psycopg's result descriptions, the pool's BEGIN as its check) is tested on PostgreSQL alone; the
rollback holds on both databases."""
import pytest
import sqlalchemy as sa

from ticketdesk.extensions import db
from ticketdesk.models import Ticket


def prepared(connection) -> list[str]:
    return list(connection.scalars(sa.text("SELECT statement FROM pg_prepared_statements")))


@pytest.mark.postgresql_only
def test_reads_keep_their_plans_from_request_to_request(app, client, make_ticket):
    ticket = make_ticket()
    for _ in range(8):  # psycopg prepares a statement from its sixth run on a connection
        assert client.get(f"/api/tickets/{ticket['id']}/").get_json()["id"] == ticket["id"]
    with app.app_context():
        kept = prepared(db.session)
    assert any("FROM tickets" in statement and "WHERE tickets.id =" in statement for statement in kept), kept


def test_a_transaction_that_wrote_is_rolled_back_whole(app, make_ticket):
    ticket = make_ticket(title="as filed")
    with app.app_context():
        for _ in range(6):
            db.session.scalars(sa.select(Ticket.title).where(Ticket.id == ticket["id"])).one()
            db.session.rollback()
        db.session.execute(sa.update(Ticket).where(Ticket.id == ticket["id"]).values(title="never kept"))
        db.session.rollback()
        assert db.session.scalars(sa.select(Ticket.title).where(Ticket.id == ticket["id"])).one() == "as filed"
        db.session.rollback()


@pytest.mark.postgresql_only
def test_a_failed_read_ends_in_a_rollback_and_the_connection_serves_again(app):
    with app.app_context():
        with pytest.raises(sa.exc.DataError):
            db.session.execute(sa.text("SELECT 1 / 0"))
        db.session.rollback()
        assert db.session.scalar(sa.text("SELECT 2")) == 2


@pytest.mark.postgresql_only
def test_the_pools_check_opens_the_transaction_and_autocommit_still_works_after_it(app, make_ticket):
    ticket = make_ticket()
    with app.app_context():
        db.session.scalar(sa.text("SELECT 1"))
        db.session.commit()  # the connection goes back to the pool, and is checked when taken again
        with db.engine.connect() as connection:
            assert connection.connection.dbapi_connection.info.transaction_status.name == "INTRANS"
            connection.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM cannot run in a transaction
            connection.execute(sa.text("VACUUM tickets"))
        assert db.session.scalar(sa.select(Ticket.title).where(Ticket.id == ticket["id"])) == ticket["title"]


@pytest.mark.postgresql_only
def test_result_columns_are_described_as_the_driver_describes_them(app):
    with app.app_context():
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        cursor.execute("SELECT 1 AS one, 'two'::text AS two, now() AS at")
        assert [column.name for column in cursor.description] == ["one", "two", "at"]
        assert [column.type_code for column in cursor.description] == [23, 25, 1184]  # int4, text, timestamptz
        assert cursor.description[1][0] == "two" and len(cursor.description) == 3
        cursor.execute("SET LOCAL statement_timeout = '5s'")
        assert cursor.description is None  # no rows: nothing to describe
        row = db.session.execute(sa.text("SELECT 7 AS seven, 'x' AS ex")).one()
        assert (row.seven, row.ex) == (7, "x")
        db.session.rollback()
