"""The SLA in the lists, on both databases, with time injected: `?sla=` filters on the API and the page,
the Overdue and Due soon queues with their counts, and the badge in calendar time."""
import re
from datetime import datetime, timezone

import pytest

from tests.conversations.test_messages import ANA
from tests.ownership.test_queues import counts, keys
from tests.ownership.test_teams import admin  # noqa: F401  (a fixture)
from tests.sla.test_clock import clock, say  # noqa: F401  (clock: a fixture)
from ticketdesk.extensions import db
from ticketdesk.models import Ticket
from ticketdesk.record.queries import DUE, UNDUE, Cursor, page_rows, ticket_rows
from ticketdesk.sla.badge import Badge, duration, sla_badge


@pytest.fixture
def three(admin, client, make_ticket, clock):
    """Tickets under a 24/7 policy, filed at T0: one due in an hour (first response), one answered (its
    resolution due in 8 h), one without a requester whose 2-hour resolution is the nearest."""
    admin.post("/api/sla-policies/", json={"name": "Standard", "first_response_minutes": 60,
                                           "resolution_minutes": 480})
    admin.post("/api/sla-policies/", json={"name": "Quick", "position": 0, "match": {"priority": ["critical"]},
                                           "resolution_minutes": 120})
    waiting = make_ticket(requester=ANA)["id"]
    answered = make_ticket(requester=ANA)["id"]
    say(client, answered, "reply")
    say(client, answered, "customer")
    internal = make_ticket(priority="critical")["id"]
    return waiting, answered, internal


def ids(client, **params) -> list[int]:
    return [t["id"] for t in client.get("/api/tickets/", query_string=params).json]


def test_the_filters_find_what_is_overdue_due_soon_or_breached(client, clock, three):
    waiting, answered, internal = three
    assert ids(client, sla="due_within_60") == [waiting] and ids(client, sla="overdue") == []
    clock.at(minutes=90)
    assert ids(client, sla="overdue") == [waiting]
    assert ids(client, sla="due_within_60") == [internal]  # due at 2 h
    client.patch(f"/api/tickets/{waiting}/", json={"priority": "low"})  # any change records the breach
    assert ids(client, sla="breached") == [waiting]
    answer = client.get("/api/tickets/?sla=soon")
    assert answer.status_code == 400 and "Not an SLA filter" in answer.json["sla"][0]


def test_the_overdue_and_due_soon_queues_and_their_counts(client, clock, three):
    waiting, answered, internal = three
    clock.at(minutes=90)
    found = counts(client)
    assert (found["overdue"], found["due-soon"]) == ((1, True), (1, True))
    assert keys(client, "overdue") == [waiting] and keys(client, "due-soon") == [internal]


def test_the_list_filters_by_sla_without_javascript_and_shows_badges(client, clock, three):
    waiting, answered, internal = three
    clock.at(minutes=90)
    page = client.get("/?sla=overdue").get_data(as_text=True)
    assert page.count('class="ticket-row') == 1 and f'href="/tickets/{waiting}"' in page
    assert '<option value="overdue" selected>' in page
    assert "overdue by 30 min" in page and "(due 2027-03-26 16:00 UTC)" in page
    everything = client.get("/").get_data(as_text=True)
    assert "due in 30 min" in everything and "due in 6 h 30 min" in everything


@pytest.mark.parametrize("minutes, text", [(0, "0 min"), (59, "59 min"), (60, "1 h"), (133, "2 h 13 min"),
                                           (1440 * 3 + 61, "3 d 1 h")])
def test_a_duration_reads_in_days_hours_and_minutes(minutes, text):
    assert duration(minutes) == text


def test_the_badge_says_the_nearest_due_time_or_that_the_clock_waits():
    class Row:  # what a list row carries
        sla_policy, status, first_reply_at, sla_resolution_minutes = "Standard", "open", None, 480
        sla_first_response_due_at = datetime(2027, 3, 26, 16, tzinfo=timezone.utc)
        sla_next_response_due_at = None
        sla_resolution_due_at = datetime(2027, 3, 26, 23, tzinfo=timezone.utc)
    now = datetime(2027, 3, 26, 15, 30, tzinfo=timezone.utc)
    assert sla_badge(Row, now) == Badge("due in 30 min", "soon", Row.sla_first_response_due_at)
    Row.first_reply_at = now  # answered: the resolution is the nearest
    assert sla_badge(Row, now).text == "due in 7 h 30 min" and sla_badge(Row, now).level == "later"
    Row.sla_resolution_due_at = None  # waiting on the customer
    assert sla_badge(Row, now) == Badge("SLA paused", "paused", None)
    Row.status = "resolved"
    assert sla_badge(Row, now) is None


def test_the_sla_due_order_puts_the_nearest_due_first_and_pages_both_ways(app, client, clock, three):
    waiting, answered, internal = three  # due at +1 h, +8 h and +2 h
    resolved = [client.post("/api/tickets/", json={"title": f"Done {n}", "description": "Sorted out.",
                                                   "category": "general", "priority": "low"}).json["id"]
                for n in range(2)]
    for ticket in resolved:  # nothing is due of a resolved ticket: it goes last, oldest first
        assert client.patch(f"/api/tickets/{ticket}/", json={"status": "resolved"}).status_code == 200
    assert ids(client, ordering="sla_due") == [waiting, internal, answered, *resolved]
    clock.at(minutes=90)  # overdue tickets are the nearest due of all: still first
    assert ids(client, ordering="sla_due", sla="overdue") == [waiting]

    pages, url = [], "/api/tickets/?ordering=sla_due&limit=2"
    while url:
        answer = client.get(url)
        pages.append([t["id"] for t in answer.json])
        link = answer.headers.get("Link")
        url = link and link.split(">")[0].removeprefix("<http://localhost")
    assert pages == [[waiting, internal], [answered, resolved[0]], [resolved[1]]]

    with app.test_request_context():  # back from the last page, across the stretches: the page before it
        last = db.session.get(Ticket, resolved[1])
        rows = ticket_rows(ordering="sla_due", after=Cursor(last.created_at, last.id, UNDUE, back=True), limit=2)
        shown, following, preceding = page_rows(rows, Cursor(last.created_at, last.id, UNDUE, back=True), 2, "sla_due")
        assert [row.id for row in shown] == [answered, resolved[0]] and preceding.rank == DUE

    page = client.get("/?ordering=sla_due").get_data(as_text=True)
    assert '<option value="sla_due" selected>' in page
    assert [int(n) for n in re.findall(r'href="/tickets/(\d+)"', page)][:5] == [waiting, internal, answered, *resolved]
