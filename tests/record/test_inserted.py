"""A new ticket and its SLA clocks go in by one INSERT each and are then held by the session as rows it has
read. A rollback (of the transaction, or of the savepoint they were written in) makes the session forget
them, as it forgets what its own flush inserted: the next ticket, which may get the same id, is itself, and
nothing rolled back reaches the database. On both databases."""
import sqlalchemy as sa

from tests.conftest import add_token
from ticketdesk.extensions import db
from ticketdesk.models import SlaPolicy, Ticket, TicketSla
from ticketdesk.tickets.filing import file_ticket

NEW = {"title": "Card charged twice", "description": "The invoice shows two payments", "category": "billing",
       "priority": "high"}


def rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_ticket_rolled_back_is_forgotten_and_the_next_one_is_itself(app):
    with app.app_context():
        db.session.add(SlaPolicy(name="Standard", position=1, match={}, first_response_minutes=60))
        db.session.commit()
        gone = file_ticket({**NEW, "title": "Rolled back"}, None, "agent")
        db.session.flush()
        db.session.rollback()
        assert gone not in db.session
        kept = file_ticket(NEW, None, "agent")
        db.session.commit()
        assert db.session.get(Ticket, kept.id).title == "Card charged twice"
        assert kept.sla_state is not None and kept.sla_state.policy.name == "Standard"
        db.session.expire_all()
        assert [t.title for t in db.session.scalars(sa.select(Ticket))] == ["Card charged twice"]
        assert rows(TicketSla) == 1


def test_a_ticket_written_in_a_savepoint_that_rolls_back_is_forgotten_and_the_rest_stays(app):
    with app.app_context():
        first = file_ticket({**NEW, "title": "Kept"}, None, "agent")
        savepoint = db.session.begin_nested()
        inner = file_ticket({**NEW, "title": "Rolled back"}, None, "agent")
        savepoint.rollback()
        assert inner not in db.session and first in db.session
        db.session.commit()
        db.session.expire_all()
        assert [t.title for t in db.session.scalars(sa.select(Ticket))] == ["Kept"]


def test_a_new_ticket_and_its_clocks_are_written_once_and_never_read_back(app):
    token = add_token(app, "api", "write")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    with app.app_context():
        db.session.add(SlaPolicy(name="Standard", position=1, match={}, first_response_minutes=60))
        db.session.commit()
    assert client.post("/api/tickets/", json=NEW).status_code == 201  # this worker keeps the settings
    statements = []
    note = lambda _conn, _cursor, statement, *_args: statements.append(" ".join(statement.split()))  # noqa: E731
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            made = client.post("/api/tickets/", json=NEW)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
    assert made.status_code == 201 and made.json["sla"]["policy"] == "Standard"
    writes = [sql.split(" (")[0] for sql in statements if not sql.startswith("SELECT")]
    assert writes == ["INSERT INTO tickets", "INSERT INTO ticket_slas"]
    assert not [sql for sql in statements if "FROM tickets" in sql or "FROM ticket_slas" in sql]
