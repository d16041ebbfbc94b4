"""Each ticket's SLA clocks, on both databases, with time injected (a clock the test moves, never a sleep):
first response, next response, resolution with its pauses, the policy matched again when the ticket
changes, and every target met or breached recorded once in the ticket's audit trail."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.conversations.test_messages import ANA
from tests.ownership.test_teams import admin  # noqa: F401  (a fixture)
from tests.sla.test_business_hours import MADRID
from ticketdesk.extensions import db

T0 = datetime(2027, 3, 26, 15, 0, tzinfo=timezone.utc)  # a Friday: 16:00 in Madrid
MODULES = ("ticketdesk.tickets.filing", "ticketdesk.conversations.messages", "ticketdesk.record.changes",
           "ticketdesk.sla.clock", "ticketdesk.sla.alerts", "ticketdesk.sla.badge", "ticketdesk.record.queries",
           "ticketdesk.sla.compliance", "ticketdesk.sla.recalculate")


class Clock:
    def __init__(self, monkeypatch, start: datetime):
        self.now = start
        for module in MODULES:
            monkeypatch.setattr(f"{module}.utcnow", lambda: self.now)

    def at(self, **delta) -> "Clock":
        self.now = T0 + timedelta(**delta)
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, T0)


def text(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def iso(**delta) -> str:
    return text(T0 + timedelta(**delta))


def sla(client, ticket_id: int) -> dict:
    return client.get(f"/api/tickets/{ticket_id}/").json["sla"]


def outcomes(client, ticket_id: int) -> list[str]:
    return [e["to"] for e in client.get(f"/api/tickets/{ticket_id}/events/").json if e["field"] == "sla"]


def say(client, ticket_id: int, kind: str, body: str = "…"):
    assert client.post(f"/api/tickets/{ticket_id}/messages/", json={"kind": kind, "body": body}).status_code == 201


@pytest.fixture
def round_the_clock(admin):
    made = admin.post("/api/sla-policies/", json={"name": "Standard", "first_response_minutes": 60,
                                                   "next_response_minutes": 120, "resolution_minutes": 480})
    assert made.status_code == 201


def test_a_ticket_without_a_policy_has_no_sla(client, make_ticket):
    assert make_ticket()["sla"] is None


def test_the_three_clocks_through_a_conversation(client, make_ticket, clock, round_the_clock):
    ticket = make_ticket(requester=ANA)["id"]
    assert sla(client, ticket) == {"policy": "Standard", "first_response_due_at": iso(minutes=60),
                                   "first_response_at": None, "next_response_due_at": None,
                                   "resolution_due_at": iso(minutes=480), "paused": False, "breached": []}
    say(client, ticket, "note")  # a note is no response
    clock.at(minutes=30)
    say(client, ticket, "reply")  # the first response, in time; the desk now waits on Ana: resolution pauses
    assert sla(client, ticket) | {} == {"policy": "Standard", "first_response_due_at": iso(minutes=60),
                                        "first_response_at": iso(minutes=30), "next_response_due_at": None,
                                        "resolution_due_at": None, "paused": True, "breached": []}
    clock.at(hours=2)
    say(client, ticket, "customer")  # Ana answers: next response from now, resolution runs on (30 min spent)
    assert sla(client, ticket)["next_response_due_at"] == iso(hours=4)
    assert sla(client, ticket)["resolution_due_at"] == iso(hours=2, minutes=450)
    clock.at(hours=2, minutes=30)
    say(client, ticket, "customer")  # a second message does not restart the next-response clock
    assert sla(client, ticket)["next_response_due_at"] == iso(hours=4)
    clock.at(hours=5)
    say(client, ticket, "reply")  # an hour late
    state = sla(client, ticket)
    assert (state["next_response_due_at"], state["paused"], state["breached"]) == (None, True, ["next_response"])
    clock.at(hours=6)
    assert client.patch(f"/api/tickets/{ticket}/", json={"status": "resolved"}).status_code == 200
    assert sla(client, ticket)["resolution_due_at"] is None  # 3 h 30 min spent of 8 h: met
    clock.at(hours=7)
    say(client, ticket, "customer")  # reopens it: the resolution clock runs again, 4 h 30 min left
    state = sla(client, ticket)
    assert (state["resolution_due_at"], state["next_response_due_at"]) == (iso(hours=11, minutes=30), iso(hours=9))
    assert outcomes(client, ticket) == ["first_response met", "next_response breached", "resolution met"]


def test_a_target_passed_is_breached_once_and_stays_breached(client, make_ticket, clock, round_the_clock):
    ticket = make_ticket(requester=ANA)["id"]
    clock.at(minutes=90)
    client.patch(f"/api/tickets/{ticket}/", json={"status": "in_progress"})  # any change looks at the clocks
    clock.at(minutes=100)
    client.patch(f"/api/tickets/{ticket}/", json={"priority": "low"})
    say(client, ticket, "reply")  # late: not a second breach
    assert sla(client, ticket)["breached"] == ["first_response"]
    assert outcomes(client, ticket) == ["first_response breached"]


def test_a_change_that_matches_another_policy_moves_the_due_times_and_keeps_what_was_spent(
        client, admin, make_ticket, clock, round_the_clock):
    admin.post("/api/business-hours/", json=MADRID)  # Mon 09-14 15-18, Tue 09-14; 29 March a holiday
    assert admin.post("/api/sla-policies/", json={
        "name": "Critical", "position": 0, "match": {"priority": ["critical"]}, "business_hours": "Madrid office",
        "first_response_minutes": 120, "resolution_minutes": 240}).status_code == 201
    ticket = make_ticket()["id"]  # high, no requester: the resolution clock never pauses
    clock.at(hours=1)  # 17:00 in Madrid: an hour of the standard 24/7 clock spent
    client.patch(f"/api/tickets/{ticket}/", json={"priority": "critical"})
    state = sla(client, ticket)
    assert state["policy"] == "Critical"
    # first response: 2 business hours from creation (Friday 16:00 local) — Friday has no hours on this
    # calendar, Monday is a holiday: Tuesday 09:00–11:00 local (CEST, +2)
    assert state["first_response_due_at"] == text(datetime(2027, 3, 30, 9, tzinfo=timezone.utc))
    # resolution: 4 h target, 1 h already spent; 3 business hours from now: Tuesday 09:00–12:00 local
    assert state["resolution_due_at"] == text(datetime(2027, 3, 30, 10, tzinfo=timezone.utc))
    clock.at(hours=2)
    client.patch(f"/api/tickets/{ticket}/", json={"priority": "high"})  # back to the standard policy
    state = sla(client, ticket)  # 1 h of 24/7 spent, then nothing on Madrid's Friday evening: 7 h left
    assert (state["policy"], state["resolution_due_at"]) == ("Standard", iso(hours=9))


def test_no_policy_fits_any_more_and_the_clocks_stop(client, admin, make_ticket, clock):
    admin.post("/api/sla-policies/", json={"name": "Billing", "match": {"category": ["billing"]},
                                           "resolution_minutes": 60})
    ticket = make_ticket(category="billing")["id"]
    assert sla(client, ticket)["resolution_due_at"] == iso(minutes=60)
    client.patch(f"/api/tickets/{ticket}/", json={"category": "technical"})
    assert sla(client, ticket) is None
    clock.at(minutes=30)
    client.patch(f"/api/tickets/{ticket}/", json={"category": "billing"})  # half an hour later, back again
    assert sla(client, ticket)["resolution_due_at"] == iso(minutes=90)  # the time outside it was not counted


def statements_of(app, call) -> list[str]:
    """The SQL statements the app runs while `call()` runs."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return seen


def statements_during(app, call) -> int:
    """How many SQL statements the app runs while `call()` runs."""
    return len(statements_of(app, call))


def test_a_bulk_change_moves_every_tickets_clocks_in_as_many_statements_for_fifty_as_for_five(
        app, client, make_ticket, clock, round_the_clock):
    """Resolving tickets in bulk meets each one's resolution target; the clocks' own reads (states, tags,
    the audit trail's last status) are one query each for the whole batch, not one per ticket."""
    few, many = [make_ticket()["id"] for _ in range(5)], [make_ticket()["id"] for _ in range(50)]
    clock.at(minutes=30)
    costs = [statements_during(app, lambda ids=ids: client.post("/api/tickets/bulk/", json={
        "ids": ids, "set": {"status": "resolved"}})) for ids in (few, many)]
    assert all(outcomes(client, ticket) == ["resolution met"] for ticket in (few[0], many[-1]))
    assert sla(client, many[-1])["resolution_due_at"] is None
    assert costs[1] - costs[0] < 45 * 2  # less than two statements per further ticket, all told


def test_a_move_between_open_and_in_progress_keeps_the_clocks_as_they_run(app, client, make_ticket, clock,
                                                                          round_the_clock):
    """The resolution clock runs on through open and in progress: its due time stays, overdue or not, and its
    row is not written again; a target that passed meanwhile is still breached by the move."""
    ticket = make_ticket()["id"]
    for minutes, status in ((20, "in_progress"), (40, "open"), (50, "in_progress")):
        clock.at(minutes=minutes)
        written = statements_of(app, lambda status=status: client.patch(f"/api/tickets/{ticket}/",
                                                                        json={"status": status}))
        assert not [sql for sql in written if sql.startswith("UPDATE ticket_slas")]
        state = sla(client, ticket)
        assert (state["first_response_due_at"], state["resolution_due_at"]) == (iso(minutes=60), iso(minutes=480))
    clock.at(minutes=70)
    assert client.patch(f"/api/tickets/{ticket}/", json={"status": "open"}).status_code == 200
    assert sla(client, ticket)["breached"] == ["first_response"]
    clock.at(hours=9)
    client.patch(f"/api/tickets/{ticket}/", json={"status": "in_progress"})  # no time left: breached too
    assert sla(client, ticket)["breached"] == ["first_response", "resolution"]
    clock.at(hours=10)
    client.patch(f"/api/tickets/{ticket}/", json={"status": "open"})
    assert sla(client, ticket)["resolution_due_at"] == iso(minutes=480)  # when it was due, not when last touched


def test_a_ticket_out_of_work_is_not_measured_after_the_fact(client, admin, make_ticket, clock):
    """A ticket closed before any policy existed gets none when it changes later, and a resolved ticket's
    due times passing by break nothing: nothing runs while the desk is not working on it."""
    closed = make_ticket()["id"]
    client.patch(f"/api/tickets/{closed}/", json={"status": "closed"})
    admin.post("/api/sla-policies/", json={"name": "Standard", "first_response_minutes": 60})
    resolved = make_ticket()["id"]
    clock.at(minutes=10)
    client.patch(f"/api/tickets/{resolved}/", json={"status": "resolved"})
    clock.at(hours=3)
    for ticket in (closed, resolved):
        assert client.patch(f"/api/tickets/{ticket}/", json={"priority": "low"}).status_code == 200
    assert sla(client, closed) is None and outcomes(client, closed) == []
    assert sla(client, resolved)["breached"] == [] and outcomes(client, resolved) == []
