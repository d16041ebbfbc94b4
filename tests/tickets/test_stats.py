"""Contract line 5: stats are exact, complete, and computed by the database in one query."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from ticketdesk.extensions import db

EMPTY = {"total_tickets": 0, "open_tickets": 0, "avg_tickets_per_day": 0,
         "priority_breakdown": {"low": 0, "medium": 0, "high": 0, "critical": 0},
         "category_breakdown": {"billing": 0, "technical": 0, "account": 0, "general": 0},
         "status_breakdown": {"open": 0, "in_progress": 0, "resolved": 0, "closed": 0}}


def row(days_ago: float, category="general", priority="low", status="open"):
    when = datetime.now(timezone.utc) - timedelta(days=days_ago)
    return {"title": "t", "description": "d", "category": category, "priority": priority, "status": status,
            "created_at": when, "updated_at": when}


def test_stats_with_no_tickets_has_every_key_at_zero(client):
    response = client.get("/api/tickets/stats/")
    assert response.status_code == 200
    assert response.json == EMPTY


def test_stats_counts_and_breaks_down(client, insert_tickets):
    insert_tickets([row(0, "billing", "high", "open"), row(0, "billing", "critical", "closed"),
                    row(0, "technical", "high", "in_progress"), row(0, "account", "low", "open")])
    body = client.get("/api/tickets/stats/").json
    assert body["total_tickets"] == 4
    assert body["open_tickets"] == 2
    assert body["priority_breakdown"] == {"low": 1, "medium": 0, "high": 2, "critical": 1}
    assert body["category_breakdown"] == {"billing": 2, "technical": 1, "account": 1, "general": 0}
    assert body["status_breakdown"] == {"open": 2, "in_progress": 1, "resolved": 0, "closed": 1}
    assert list(body) == list(EMPTY)  # the earlier keys first, in their order; status_breakdown added last


def test_average_per_day_counts_days_from_the_first_ticket_to_today_inclusive(client, insert_tickets):
    # first ticket 9 days ago (UTC date), so 10 days inclusive; 25 tickets -> 2.5
    insert_tickets([row(9)] + [row(0)] * 24)
    assert client.get("/api/tickets/stats/").json["avg_tickets_per_day"] == 2.5


def test_average_is_rounded_to_two_decimals(client, insert_tickets):
    insert_tickets([row(2), row(1), row(0), row(0)])  # 4 tickets over 3 days
    assert client.get("/api/tickets/stats/").json["avg_tickets_per_day"] == 1.33


def test_all_tickets_today_average_is_the_total(client, make_ticket):
    for _ in range(3):
        make_ticket()
    assert client.get("/api/tickets/stats/").json["avg_tickets_per_day"] == 3


def test_stats_take_one_query(app, client, insert_tickets):
    insert_tickets([row(i % 5, status="open" if i % 2 else "closed") for i in range(20)])
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/api/tickets/stats/").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    statements = [s for s in statements if "api_tokens" not in s]  # the access gate's token lookup
    assert len(statements) == 1, statements
    assert statements[0].lstrip().upper().startswith("SELECT")
