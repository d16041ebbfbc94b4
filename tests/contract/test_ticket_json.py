"""The API answers with `ticket_json`, a hand-written fast path; `TicketSchema` documents the shape.
They must never drift apart."""
import random
from datetime import datetime, timedelta, timezone

from ticketdesk.extensions import db
from ticketdesk.models import CATEGORIES, PRIORITIES, STATUSES, Ticket
from ticketdesk.schemas import TicketSchema, ticket_json


def test_ticket_json_equals_the_schema_dump_for_stored_tickets(app, insert_tickets):
    rng = random.Random(11)
    start = datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=timezone.utc)
    insert_tickets({"title": rng.choice(["Ünïcode ✓", "a", "x" * 200, "quote \" and \\ backslash"]),
                    "description": rng.choice(["line\nbreak", "emoji 🎫", "tab\tand spaces  "]),
                    "category": rng.choice(CATEGORIES), "priority": rng.choice(PRIORITIES),
                    "status": rng.choice(STATUSES),
                    "created_at": start + timedelta(seconds=rng.randint(0, 10**8), microseconds=rng.choice([0, 1])),
                    "updated_at": (start + timedelta(days=rng.randint(0, 900))).astimezone(
                        timezone(timedelta(hours=rng.choice([-8, 0, 5.5]))))}
                   for _ in range(60))
    schema = TicketSchema()
    with app.app_context():
        tickets = db.session.scalars(db.select(Ticket)).all()
        assert len(tickets) == 60
        for ticket in tickets:
            fast, documented = ticket_json(ticket), schema.dump(ticket)
            assert fast == documented
            assert list(fast) == list(documented)
            assert fast["created_at"].endswith("Z") and fast["updated_at"].endswith("Z")


def test_the_api_answers_with_the_documented_shape(client, make_ticket):
    created = make_ticket(title="Printer on fire", priority="critical")
    listed = client.get("/api/tickets/").json[0]
    fetched = client.get(f"/api/tickets/{created['id']}/").json
    assert created == listed == fetched
    assert list(created) == list(TicketSchema().fields)
