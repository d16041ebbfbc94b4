"""PostgreSQL keeps a trigger's plans for the life of a connection, costed for the rows of the transition
table they were first planned for. After a bulk change of BULK_MAX tickets that cost called for JIT, and every
later one-ticket write on that pooled connection compiled the trigger's query again (about 320 ms each;
migration 0028). The plans are read back through auto_explain, which reports JIT wherever it ran."""
import pytest
import sqlalchemy as sa

from ticketdesk.extensions import db
from ticketdesk.models import Ticket
from ticketdesk.schemas import BULK_MAX
from ticketdesk.tickets.demo import demo_tickets


def trigger_plans(connection, statement: str) -> list[str]:
    """The plans of what `statement` ran, its triggers' queries among them."""
    notices = []
    raw = connection.connection.dbapi_connection
    def heard(notice):
        notices.append(notice.message_primary)
    raw.add_notice_handler(heard)
    try:
        connection.execute(sa.text(statement))
        connection.commit()
    finally:
        raw.remove_notice_handler(heard)
    return notices


@pytest.mark.postgresql_only
def test_a_bulk_change_leaves_no_jit_in_the_connections_later_writes(app):
    with app.app_context():
        db.session.execute(sa.insert(Ticket), list(demo_tickets(BULK_MAX, days=30, seed=7)))
        db.session.commit()
        with db.engine.connect() as connection:
            for setting in ("LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
                            "SET auto_explain.log_nested_statements = on", "SET auto_explain.log_level = notice",
                            "SET client_min_messages = notice"):
                connection.execute(sa.text(setting))
            bulk = trigger_plans(connection, "UPDATE tickets SET priority = CASE priority WHEN 'low' THEN 'high' "
                                             "ELSE 'low' END, version = version + 1")
            assert any("ticket_events" in plan for plan in bulk), bulk  # the audit trigger's plan is reported
            one = trigger_plans(connection, "UPDATE tickets SET status = 'in_progress', version = version + 1 "
                                            "WHERE id = (SELECT min(id) FROM tickets)")
            assert any("ticket_events" in plan for plan in one) and any("ticket_counts" in plan for plan in one), one
            assert not [plan for plan in one if "JIT:" in plan], one
            connection.execute(sa.text("SET auto_explain.log_min_duration = -1"))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("ticket_events"))) == BULK_MAX + 1
