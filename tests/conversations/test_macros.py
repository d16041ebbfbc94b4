"""Macros, on both databases: a saved reply that also changes the ticket (status, priority, team, assignee,
tags) and adds an internal note. Checked when saved; applied with the reply in one step, through the API and
from the ticket page without JavaScript; when a change can no longer be made, nothing at all is written."""
import re

from tests.conftest import AGENT_EMAIL
from tests.conversations.test_messages import ANA, csrf
from tests.ownership.test_teams import admin, agents, new_team  # noqa: F401  (admin: a fixture)

CLOSE_REFUND = {"title": "Refund sent, closing", "body": "Hello {{ requester.name }}, your refund is on its way.",
                "changes": {"status": "resolved", "priority": "low", "team": "Billing", "assignee": AGENT_EMAIL,
                            "add_tags": ["Refund", "refund"], "remove_tags": ["needs-info"]},
                "note": "Refund issued for #{{ ticket.id }}; see the ledger."}


def test_a_macro_is_saved_with_its_changes_checked_and_tags_normalised(app, admin, client):
    new_team(admin)
    saved = client.post("/api/saved-replies/", json=CLOSE_REFUND)
    assert saved.status_code == 201, saved.json
    assert saved.json["changes"] == {"status": "resolved", "priority": "low", "team": "Billing",
                                     "assignee": AGENT_EMAIL, "add_tags": ["refund"], "remove_tags": ["needs-info"]}
    assert saved.json["note"] == CLOSE_REFUND["note"]
    plain = client.patch(f"/api/saved-replies/{saved.json['id']}/", json={"changes": {}, "note": None}).json
    assert (plain["changes"], plain["note"]) == ({}, None)  # a macro no more: a plain saved reply again


def test_a_macro_that_could_not_work_is_refused_by_field_and_nothing_is_saved(app, admin, client):
    new_team(admin)
    agents(app, "val", role="viewer")
    for changes, field, message in (
            ({"team": "Nowhere"}, "changes.team", "No team is called Nowhere."),
            ({"assignee": "val@example.com"}, "changes.assignee", "No active agent has the email val@example.com."),
            ({"add_tags": ["not a tag"]}, "changes.add_tags", "'not a tag' is not a tag: a tag is 1 to 40 letters, "
                                                               "digits, - and _."),
            ({"add_tags": ["x"], "remove_tags": ["X"]}, "changes.remove_tags", "A tag cannot be both added and removed.")):
        answer = client.post("/api/saved-replies/", json={**CLOSE_REFUND, "changes": changes})
        assert (answer.status_code, answer.json) == (400, {field: [message]})
    for body, field in (({"changes": {"status": "gone"}}, "changes"), ({"changes": {"title": "x"}}, "changes"),
                        ({"note": "{{ agent.name }}"}, "note")):
        answer = client.post("/api/saved-replies/", json={**CLOSE_REFUND, **body})
        assert answer.status_code == 400 and field in answer.json
    assert client.get("/api/saved-replies/").json == []


def test_a_macro_applied_through_the_api_goes_in_with_the_reply(app, admin, client, make_ticket):
    new_team(admin)
    macro = client.post("/api/saved-replies/", json=CLOSE_REFUND).json
    ticket = make_ticket(requester=ANA)
    client.patch(f"/api/tickets/{ticket['id']}/", json={"tags": ["needs-info", "vip"]})
    sent = client.post(f"/api/tickets/{ticket['id']}/messages/", json={
        "kind": "reply", "body": "Hello Ana, your refund is on its way.", "saved_reply_id": macro["id"]})
    assert sent.status_code == 201 and sent.json["kind"] == "reply"
    after = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (after["status"], after["priority"], after["team"]["name"], after["assignee"]["email"], after["tags"]) == (
        "resolved", "low", "Billing", AGENT_EMAIL, ["refund", "vip"])
    thread = client.get(f"/api/tickets/{ticket['id']}/messages/").json
    assert [(m["kind"], m["body"]) for m in thread] == [
        ("reply", "Hello Ana, your refund is on its way."),
        ("note", f"Refund issued for #{ticket['id']}; see the ledger.")]
    fields = {e["field"] for e in client.get(f"/api/tickets/{ticket['id']}/events/").json}
    assert {"status", "priority", "team", "assignee", "tag"} <= fields  # each change in the audit trail


def test_a_macro_that_can_no_longer_be_applied_writes_nothing_not_even_the_reply(app, admin, client, make_ticket):
    team = new_team(admin)
    macro = client.post("/api/saved-replies/", json=CLOSE_REFUND).json
    assert admin.delete(f"/api/teams/{team['id']}/").status_code == 204
    ticket = make_ticket(requester=ANA)
    answer = client.post(f"/api/tickets/{ticket['id']}/messages/", json={
        "kind": "reply", "body": "Refunded.", "saved_reply_id": macro["id"]})
    assert answer.status_code == 400
    assert answer.json == {"saved_reply_id": ["“Refund sent, closing” cannot be applied: No team is called Billing."]}
    assert client.get(f"/api/tickets/{ticket['id']}/messages/").json == []
    after = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (after["status"], after["priority"], after["team"], after["tags"]) == ("open", "high", None, [])
    assert client.get(f"/api/tickets/{ticket['id']}/events/").json == []
    unknown = client.post(f"/api/tickets/{ticket['id']}/messages/", json={
        "kind": "reply", "body": "Refunded.", "saved_reply_id": 99999})
    assert (unknown.status_code, unknown.json) == (400, {"saved_reply_id": ["No such saved reply."]})


def test_on_the_page_the_macro_is_staged_beside_the_composer_and_goes_in_with_the_reply(app, admin, client, make_ticket):
    new_team(admin)
    macro = client.post("/api/saved-replies/", json=CLOSE_REFUND).json
    ticket = make_ticket(requester=ANA)
    page = client.get(f"/tickets/{ticket['id']}?saved_reply={macro['id']}").get_data(as_text=True)
    staged = page[page.index('class="staged"'):page.index("</fieldset>", page.index('class="staged"'))]
    for line in ("Status: Resolved", "Priority: Low", "Team: Billing", f"Assignee: {AGENT_EMAIL}",
                 "Add tags: refund", "Remove tags: needs-info", f"Refund issued for #{ticket['id']}; see the ledger."):
        assert line in staged
    assert 'name="apply_macro" value="1" checked' in staged
    done = client.post(f"/tickets/{ticket['id']}/messages", data={
        "csrf_token": csrf(client, ticket["id"]), "kind": "reply", "body": "Hello Ana, refunded.",
        "macro": str(macro["id"]), "apply_macro": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "Reply saved (not sent: mail is not configured), “Refund sent, closing” applied." in done
    after = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (after["status"], after["team"]["name"], after["tags"]) == ("resolved", "Billing", ["refund"])
    assert [m["kind"] for m in client.get(f"/api/tickets/{ticket['id']}/messages/").json] == ["reply", "note"]


def test_unticking_apply_sends_the_reply_alone(app, admin, client, make_ticket):
    new_team(admin)
    macro = client.post("/api/saved-replies/", json=CLOSE_REFUND).json
    ticket = make_ticket(requester=ANA)
    client.post(f"/tickets/{ticket['id']}/messages", data={
        "csrf_token": csrf(client, ticket["id"]), "kind": "reply", "body": "Just the words.", "macro": str(macro["id"])})
    after = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (after["status"], after["team"], after["tags"]) == ("open", None, [])
    assert [m["kind"] for m in client.get(f"/api/tickets/{ticket['id']}/messages/").json] == ["reply"]


def test_agents_make_a_macro_on_the_saved_replies_page(app, admin, client):
    new_team(admin)
    page = client.get("/saved-replies").get_data(as_text=True)
    assert "Also change the ticket (a macro)" in page and '<option value="Billing">Billing</option>' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "title": "Escalate", "body": "We are on it.", "set_priority": "critical",
            "set_team": "Billing", "set_assignee": "-", "add_tags": "escalated, vip", "macro_note": "Paged on-call."}
    refused = client.post("/saved-replies", data={**form, "add_tags": "no!"}).get_data(as_text=True)
    assert "is not a tag" in refused and client.get("/api/saved-replies/").json == []
    assert "Saved reply “Escalate” added." in client.post("/saved-replies", data=form,
                                                          follow_redirects=True).get_data(as_text=True)
    saved, = client.get("/api/saved-replies/").json
    assert saved["changes"] == {"priority": "critical", "team": "Billing", "assignee": None,
                                "add_tags": ["escalated", "vip"]}
    assert saved["note"] == "Paged on-call."
    edit = client.get(f"/saved-replies/{saved['id']}").get_data(as_text=True)
    assert '<option selected value="critical">' in edit and 'value="escalated vip"' in edit
    assert re.search(r'<textarea[^>]*name="macro_note"[^>]*>\s*Paged on-call\.</textarea>', edit)
