"""Editing a policy or a calendar never moves an open ticket's due times by itself; "recalculate open tickets"
(the API's job, or the shell's command) moves every open one, in batches, keeping the time already spent,
and leaves resolved tickets as they were measured. On both databases, with time injected."""
import sqlalchemy as sa

from tests.ownership.test_teams import admin  # noqa: F401  (a fixture)
from tests.sla.test_clock import clock, iso, round_the_clock, sla  # noqa: F401  (fixtures)
from ticketdesk.extensions import db
from ticketdesk.models import AdminEvent


def run_jobs(app) -> int:
    with app.app_context():
        return app.extensions["jobs"].run_pending()


def standard_id(admin) -> int:
    return admin.get("/api/sla-policies/").json[0]["id"]


def test_an_edited_policy_reaches_open_tickets_only_when_an_admin_recalculates(
        app, client, admin, make_ticket, clock, round_the_clock):
    open_one = make_ticket()["id"]  # no requester: its resolution clock never pauses
    done = make_ticket()["id"]
    clock.at(minutes=10)
    assert client.patch(f"/api/tickets/{done}/", json={"status": "resolved"}).status_code == 200
    assert admin.patch(f"/api/sla-policies/{standard_id(admin)}/", json={"resolution_minutes": 960}).status_code == 200
    assert sla(client, open_one)["resolution_due_at"] == iso(minutes=480)  # not rewritten behind anyone's back
    assert client.post("/api/sla-policies/recalculate/").status_code == 403  # an agent's token may not
    clock.at(minutes=20)
    answer = admin.post("/api/sla-policies/recalculate/")
    assert (answer.status_code, answer.json) == (202, {"queued": True})
    assert run_jobs(app) == 1
    assert sla(client, open_one)["resolution_due_at"] == iso(minutes=960)  # 20 min spent, 940 left from now
    assert sla(client, done)["resolution_due_at"] is None and sla(client, done)["breached"] == []
    with app.app_context():
        assert db.session.scalar(sa.select(AdminEvent.action).order_by(AdminEvent.id.desc())) == "recalculate SLA"


def test_a_new_policy_reaches_tickets_filed_before_it_batch_by_batch(app, client, admin, make_ticket, clock,
                                                                      monkeypatch):
    tickets = [make_ticket()["id"] for _ in range(5)]
    assert admin.post("/api/sla-policies/", json={"name": "Standard", "first_response_minutes": 60}).status_code == 201
    assert [sla(client, t) for t in tickets] == [None] * 5
    monkeypatch.setattr("ticketdesk.sla.recalculate.BATCH", 2)
    admin.post("/api/sla-policies/recalculate/")
    assert run_jobs(app) == 3  # 2 + 2 + 1: each batch queues the next
    assert {sla(client, t)["first_response_due_at"] for t in tickets} == {iso(minutes=60)}


def test_an_operator_recalculates_from_the_shell(app, client, runner, admin, make_ticket, clock, round_the_clock):
    ticket = make_ticket()["id"]
    admin.patch(f"/api/sla-policies/{standard_id(admin)}/", json={"first_response_minutes": 30})
    done = runner.invoke(args=["sla-policies", "recalculate"])
    assert (done.exit_code, done.output) == (0, "1 open ticket recalculated.\n")
    assert sla(client, ticket)["first_response_due_at"] == iso(minutes=30)
