"""Warnings before an SLA target breaks and word when it has, on both databases, with time injected: the
assignee (or the team, while nobody owns the ticket) is told once per target, due time and level, however
often the scan runs; a breach is recorded on the ticket; a target long past gets its breach, not a late
warning."""
import sqlalchemy as sa

from tests.conftest import AGENT_EMAIL
from tests.conversations.test_messages import ANA
from tests.ownership.test_notifications import told
from tests.ownership.test_teams import admin, agents, new_team  # noqa: F401  (admin: a fixture)
from tests.sla.test_clock import clock, outcomes, say, sla  # noqa: F401  (clock: a fixture)
from ticketdesk.extensions import db
from ticketdesk.models import SlaAlert
from ticketdesk.sla.alerts import scan


def scanned(app, clock=None, **delta) -> int:
    """How many alerts the scan sends, run at T0 + `delta` (or now)."""
    if delta:
        clock.at(**delta)
    with app.app_context():
        return scan()


def policy(admin, **targets):
    assert admin.post("/api/sla-policies/", json={"name": "Standard", **targets}).status_code == 201


def test_the_owner_is_warned_then_told_of_the_breach_once_each(app, admin, client, make_ticket, clock):
    policy(admin, first_response_minutes=60)
    ticket = make_ticket(requester=ANA, title="Printer on fire")["id"]
    client.patch(f"/api/tickets/{ticket}/", json={"assignee": AGENT_EMAIL})
    before = len(told(app, AGENT_EMAIL))
    assert scanned(app, clock, minutes=20) == 0  # 40 minutes left: not yet
    assert scanned(app, clock, minutes=35) == 1
    assert told(app, AGENT_EMAIL)[before:] == [("sla", f"#{ticket} Printer on fire: its first response is due in 25 min")]
    assert scanned(app, clock, minutes=40) == 0  # said once
    assert scanned(app, clock, minutes=61) == 1
    assert told(app, AGENT_EMAIL)[-1] == ("sla", f"#{ticket} Printer on fire: its first response is overdue "
                                                 "(was due 2027-03-26 16:00 UTC)")
    assert sla(client, ticket)["breached"] == ["first_response"]
    assert outcomes(client, ticket) == ["first_response breached"]
    with app.app_context():  # a second runner, or a retry, that looks again finds nothing new to send
        db.session.execute(sa.text("UPDATE ticket_slas SET next_alert_at = :t"), {"t": clock.now})
        db.session.commit()
    assert scanned(app) == 0
    assert len(told(app, AGENT_EMAIL)) == before + 2
    say(client, ticket, "reply")  # answered late: nothing more to warn of
    assert scanned(app, clock, hours=3) == 0


def test_while_nobody_owns_it_the_team_is_told(app, admin, client, make_ticket, clock):
    ana, ben = agents(app, "ana", "ben")
    new_team(admin, members=[ana, ben])
    policy(admin, resolution_minutes=120)
    ticket = make_ticket(title="Refund")["id"]
    client.patch(f"/api/tickets/{ticket}/", json={"team": "Billing"})
    assert scanned(app, clock, minutes=100) == 1
    assert told(app, ana)[-1] == told(app, ben)[-1] == ("sla", f"#{ticket} Refund: its resolution is due in 20 min")


def test_a_target_long_past_gets_its_breach_not_a_late_warning(app, admin, client, make_ticket, clock):
    policy(admin, resolution_minutes=60)
    ticket = make_ticket()["id"]
    client.patch(f"/api/tickets/{ticket}/", json={"assignee": AGENT_EMAIL})
    assert scanned(app, clock, hours=5) == 1  # the desk was down for hours: catching up
    with app.app_context():
        assert db.session.scalars(sa.select(SlaAlert.level)).all() == ["breach"]
    assert scanned(app, clock, hours=6) == 0


def test_a_resolved_ticket_is_not_warned_of(app, admin, client, make_ticket, clock):
    policy(admin, resolution_minutes=60)
    ticket = make_ticket()["id"]
    client.patch(f"/api/tickets/{ticket}/", json={"assignee": AGENT_EMAIL})
    clock.at(minutes=10)
    client.patch(f"/api/tickets/{ticket}/", json={"status": "resolved"})
    assert scanned(app, clock, hours=2) == 0
