"""The SLA in the lists, on both databases, with time injected: `?sla=` filters on the API and the page,
the Overdue and Due soon queues with their counts, and the badge in calendar time."""
from datetime import datetime, timezone

import pytest

from tests.conversations.test_messages import ANA
from tests.ownership.test_queues import counts, keys
from tests.ownership.test_teams import admin  # noqa: F401  (a fixture)
from tests.sla.test_clock import clock, say  # noqa: F401  (clock: a fixture)
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
