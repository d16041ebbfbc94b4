"""Suggestion feedback: the desk records what it suggested and what the ticket was filed with, who set each
label, and shows agents on the dashboard how often suggestions were accepted and what they correct."""
import re

import sqlalchemy as sa

from tests.conftest import add_token
from ticketdesk.extensions import db
from ticketdesk.models import Suggestion, Ticket

BILLING = {"title": "Charged twice", "description": "My card was charged twice for March, please refund one."}


def suggest(client, **body):
    response = client.post("/api/tickets/classify/", json={**BILLING, **body})
    assert response.status_code == 200
    return response.json


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_create_that_names_its_suggestion_records_it_beside_what_was_filed(app, client):
    shown = suggest(client)
    assert shown["suggestion_id"] > 0 and shown["suggested_category"] == "billing"
    filed = client.post("/api/tickets/", json={**BILLING, "category": "billing", "priority": "critical",
                                               "suggestion_id": shown["suggestion_id"]})
    assert filed.status_code == 201 and "suggestion_id" not in filed.json
    with app.app_context():
        row = db.session.get(Suggestion, shown["suggestion_id"])
        assert (row.ticket_id, row.category, row.priority) == (filed.json["id"], "billing", shown["suggested_priority"])
        assert (row.filed_category, row.filed_priority, row.category_by) == ("billing", "critical", "keyword")
        assert row.actor == "token:test-client"


def test_a_suggestion_cannot_be_invented_reused_or_borrowed(app, client):
    shown = suggest(client)
    ticket = {**BILLING, "category": "billing", "priority": "high"}
    assert client.post("/api/tickets/", json={**ticket, "suggestion_id": shown["suggestion_id"]}).status_code == 201
    other = app.test_client()
    other.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {add_token(app, 'other-client')}"
    borrowed = suggest(other)["suggestion_id"]
    for suggestion_id, status, message in ((shown["suggestion_id"], 409, "already linked to another ticket"),
                                           (borrowed, 422, "No suggestion with this id was served to you."),
                                           (999_999, 422, "No suggestion with this id was served to you.")):
        refused = client.post("/api/tickets/", json={**ticket, "suggestion_id": suggestion_id})
        assert refused.status_code == status
        assert message in refused.json["suggestion_id"][0]
    for bad in ("7", "x", True, 0, -1, 2**40, 1.5, None, [1]):
        refused = client.post("/api/tickets/", json={**ticket, "suggestion_id": bad})
        assert refused.status_code == 400 and "suggestion_id" in refused.json
    assert count(app, Ticket) == 1  # nothing half-written


def test_the_new_ticket_page_sends_the_suggestion_it_showed(app, client):
    page = client.get("/tickets/new").get_data(as_text=True)
    assert 'id="suggestion-id"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    # the page's fetch runs as the signed-in agent, so ask as the agent
    agent = app.test_client()
    with client.session_transaction() as theirs, agent.session_transaction() as ours:
        ours.update(theirs)
    shown = agent.post("/api/tickets/classify/", json=BILLING, headers={"X-CSRFToken": token}).json
    filed = agent.post("/tickets/new", data={**BILLING, "category": "billing", "priority": "low", "csrf_token": token,
                                             "suggestion_id": str(shown["suggestion_id"])})
    assert filed.status_code == 302
    stale = agent.post("/tickets/new", data={**BILLING, "category": "account", "priority": "low", "csrf_token": token,
                                             "suggestion_id": str(shown["suggestion_id"])})
    assert stale.status_code == 302  # a used or tampered id loses only the feedback, never the ticket
    with app.app_context():
        row = db.session.get(Suggestion, shown["suggestion_id"])
        first = db.session.scalar(sa.select(Ticket).order_by(Ticket.id))
        assert row.ticket_id == first.id and row.actor == "agent@example.com"
        assert (first.category_set_by, first.priority_set_by) == ("agent", "agent")
    assert count(app, Ticket) == 2


def test_who_set_each_label_is_recorded(app, client):
    ticket = client.post("/api/tickets/", json={**BILLING, "category": "billing", "priority": "auto"}).json
    with app.app_context():
        row = db.session.get(Ticket, ticket["id"])
        assert (row.category_set_by, row.priority_set_by, row.triaged_by) == ("client", "desk", "keyword")
    client.patch(f"/api/tickets/{ticket['id']}/", json={"priority": "high"})
    with app.app_context():
        assert db.session.get(Ticket, ticket["id"]).priority_set_by == "client"


def test_the_dashboard_shows_acceptance_and_what_agents_correct(app, client):
    assert b"No ticket has been filed with a suggestion yet" in client.get("/stats").data
    for category, priority in (("billing", "high"), ("billing", "low"), ("account", "high")):
        shown = suggest(client)
        assert (shown["suggested_category"], shown["suggested_priority"]) == ("billing", "high")
        client.post("/api/tickets/", json={**BILLING, "category": category, "priority": priority,
                                           "suggestion_id": shown["suggestion_id"]})
    suggest(client)  # shown but never filed: not counted
    last = client.get("/api/tickets/").json[0]
    client.patch(f"/api/tickets/{last['id']}/", json={"category": "technical"})  # corrected later
    page = client.get("/stats").get_data(as_text=True)
    category = re.search(r'data-acceptance="keyword.category">(.*?)</tr>', page, re.S).group(1)
    priority = re.search(r'data-acceptance="keyword.priority">(.*?)</tr>', page, re.S).group(1)
    assert "67 % <span class=\"muted\">(2 of 3)</span>" in category
    assert "67 % <span class=\"muted\">(2 of 3)</span>" in priority
    assert 'data-correction="category.billing.technical"' in page  # the ticket's label now, after the PATCH
    assert 'data-correction="category.billing.account"' not in page  # corrected since: now technical
    assert 'data-correction="priority.high.low"' in page
