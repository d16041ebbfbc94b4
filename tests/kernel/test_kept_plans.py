"""PostgreSQL connections keep their prepared statements across requests that only read, and a transaction
that wrote is still rolled back whole (ticketdesk/kept_plans.py)."""
import pytest
import sqlalchemy as sa

from ticketdesk.extensions import db
from ticketdesk.models import Ticket


@pytest.fixture
def pg_app(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("prepared statements are PostgreSQL's")
    return app


def prepared(connection) -> list[str]:
    return list(connection.scalars(sa.text("SELECT statement FROM pg_prepared_statements")))


def test_reads_keep_their_plans_from_request_to_request(pg_app, client, make_ticket):
    ticket = make_ticket()
    for _ in range(8):  # psycopg prepares a statement from its sixth run on a connection
        assert client.get(f"/api/tickets/{ticket['id']}/").get_json()["id"] == ticket["id"]
    with pg_app.app_context():
        kept = prepared(db.session)
    assert any("FROM tickets" in statement and "WHERE tickets.id =" in statement for statement in kept), kept


def test_a_transaction_that_wrote_is_rolled_back_whole(pg_app, make_ticket):
    ticket = make_ticket(title="as filed")
    with pg_app.app_context():
        for _ in range(6):
            db.session.scalars(sa.select(Ticket.title).where(Ticket.id == ticket["id"])).one()
            db.session.rollback()
        db.session.execute(sa.update(Ticket).where(Ticket.id == ticket["id"]).values(title="never kept"))
        db.session.rollback()
        assert db.session.scalars(sa.select(Ticket.title).where(Ticket.id == ticket["id"])).one() == "as filed"
        db.session.rollback()


def test_a_failed_read_ends_in_a_rollback_and_the_connection_serves_again(pg_app):
    with pg_app.app_context():
        with pytest.raises(sa.exc.DataError):
            db.session.execute(sa.text("SELECT 1 / 0"))
        db.session.rollback()
        assert db.session.scalar(sa.text("SELECT 2")) == 2
