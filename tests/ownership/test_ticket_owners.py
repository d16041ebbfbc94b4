"""Who owns a ticket and how it is tagged, through the ticket API on both databases: the fields in its JSON
(added; the earlier fields unchanged), the changes in its audit trail and ETag, tags that two agents change at
once, and the list's filters with keyset pages."""
import threading
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.ownership.test_teams import admin, agents, file, new_team  # noqa: F401  (admin: a fixture)
from ticketdesk.extensions import db
from ticketdesk.models import Ticket
from ticketdesk.record.queries import ticket_page
from ticketdesk.schemas import TicketSchema, ticket_json


def patch(client, ticket_id: int, **body):
    return client.patch(f"/api/tickets/{ticket_id}/", json=body)


def test_a_ticket_shows_its_owner_team_and_tags_the_same_way_in_every_answer(app, admin, client):
    ana, = agents(app, "ana")
    new_team(admin, members=[ana])
    ticket = file(client)
    assert (ticket["assignee"], ticket["team"], ticket["tags"]) == (None, None, [])
    changed = patch(client, ticket["id"], assignee=ana.upper(), team="Billing", tags=["VIP ", "refund", "vip"])
    assert changed.status_code == 200
    assert changed.json["assignee"] == {"email": ana, "name": None}
    assert changed.json["team"]["name"] == "Billing" and changed.json["tags"] == ["refund", "vip"]
    fetched = client.get(f"/api/tickets/{ticket['id']}/").json
    listed = client.get("/api/tickets/").json[0]
    assert changed.json == fetched == listed
    with app.app_context():  # the fast path and the documented schema agree, for a Ticket and a list row
        stored = db.session.get(Ticket, ticket["id"])
        row = db.session.execute(ticket_page(limit=1)).first()
        assert ticket_json(stored) == TicketSchema().dump(stored) == ticket_json(row) == fetched


def test_each_change_of_owner_team_and_tags_is_in_the_audit_trail_and_moves_the_etag(app, admin, client):
    ana, ben = agents(app, "ana", "ben")
    new_team(admin)
    ticket = file(client)
    patch(client, ticket["id"], assignee=ana, team="Billing")
    patch(client, ticket["id"], assignee=ben, add_tags=["urgent"])
    tags_only = patch(client, ticket["id"], remove_tags=["urgent"])
    assert tags_only.headers["ETag"] == '"v4"'  # a change of tags alone is a new version
    unchanged = patch(client, ticket["id"], remove_tags=["urgent"])  # nothing to remove: no new version
    assert unchanged.headers["ETag"] == '"v4"'
    events = client.get(f"/api/tickets/{ticket['id']}/events/").json
    assert [(e["field"], e["from"], e["to"], e["actor"]) for e in events] == [
        ("assignee", None, ana, "token:test-client"), ("team", None, "Billing", "token:test-client"),
        ("tag", None, "urgent", "token:test-client"), ("assignee", ana, ben, "token:test-client"),
        ("tag", "urgent", None, "token:test-client")]


@pytest.mark.parametrize("body, field, message", [
    ({"assignee": "nobody@example.com"}, "assignee", "No active agent has the email nobody@example.com."),
    ({"assignee": "val@example.com"}, "assignee", "No active agent has the email val@example.com."),
    ({"assignee": "not an email"}, "assignee", "Enter a valid email address."),
    ({"team": "Nowhere"}, "team", "No team is called Nowhere."),
    ({"tags": ["no spaces"]}, "tags", "'no spaces' is not a tag: a tag is 1 to 40 letters, digits, - and _."),
    ({"add_tags": ["x" * 41]}, "add_tags", f"'{'x' * 41}' is not a tag: a tag is 1 to 40 letters, digits, - and _."),
    ({"tags": ["a"], "add_tags": ["b"]}, "tags", "Send either the full list of tags or tags to add and remove, not both."),
])
def test_an_unknown_owner_or_a_bad_tag_is_a_400_naming_the_field_and_nothing_changes(app, client, body, field, message):
    agents(app, "val", role="viewer")
    ticket = file(client)
    response = patch(client, ticket["id"], status="resolved", **body)
    assert (response.status_code, response.json) == (400, {field: [message]})
    after = client.get(f"/api/tickets/{ticket['id']}/")
    assert after.json == ticket and after.headers["ETag"] == '"v1"'
    assert client.get(f"/api/tickets/{ticket['id']}/events/").json == []
    assert patch(client, 999_999, **body).status_code in (400, 404)


def test_two_agents_tagging_at_once_never_overwrite_each_other(app, clients):
    ticket = file(clients())
    barrier = threading.Barrier(6)

    def tag(n: int):
        client = clients()
        barrier.wait()
        assert patch(client, ticket["id"], add_tags=[f"t{n}", "shared"]).status_code == 200

    threads = [threading.Thread(target=tag, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clients().get(f"/api/tickets/{ticket['id']}/").json["tags"] == ["shared", *(f"t{n}" for n in range(6))]
    events = clients().get(f"/api/tickets/{ticket['id']}/events/").json
    assert sorted(e["to"] for e in events) == ["shared", *(f"t{n}" for n in range(6))]  # "shared" added once


def test_the_list_filters_by_assignee_team_and_every_tag_and_pages_through_each(app, admin, client, clients):
    ana, ben = agents(app, "ana", "ben")
    new_team(admin)
    mine, theirs, nobodys = [], [], []
    for n in range(9):
        ticket = file(client, title=f"ticket {n}")
        owner = [ana, ben, None][n % 3]
        patch(client, ticket["id"], assignee=owner, team="Billing" if n % 2 else None,
              tags=["refund", "vip"] if n % 2 == 0 else ["refund"])  # every other one: pages must keep both tags
        [mine, theirs, nobodys][n % 3].append(ticket["id"])

    def ids(query: str, limit: int = 2) -> list[int]:
        found, url = [], f"/api/tickets/?{query}&limit={limit}"
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.json
            found += [t["id"] for t in response.json]
            link = response.headers.get("Link")
            url = None if not link else (lambda u: f"{u.path}?{u.query}")(urlsplit(link[1:link.index(">")]))
        return sorted(found)

    assert ids(f"assignee={ana.upper()}") == sorted(mine)
    assert ids("assignee=none") == sorted(nobodys)
    assert ids("team=Billing") == [i for i in sorted(mine + theirs + nobodys) if (i - min(mine)) % 2]
    assert ids("team=none&assignee=none") == [i for i in sorted(nobodys) if (i - min(mine)) % 2 == 0]
    assert ids("tag=refund&tag=VIP") == sorted(mine + theirs + nobodys)[::2]
    assert ids("tag=refund") == sorted(mine + theirs + nobodys)
    assert ids("tag=unknown") == [] and ids("team=Nowhere") == [] and ids("assignee=x@example.com") == []
    assert ids("assignee=ben@example.com&ordering=priority", limit=1) == sorted(theirs)
    me = client.get("/api/tickets/?assignee=me")
    assert me.status_code == 400 and list(me.json) == ["assignee"]  # a token is no agent
    browser = clients()
    del browser.environ_base["HTTP_AUTHORIZATION"]  # the agent's own session
    assert browser.get("/api/tickets/?assignee=me").json == []
    patch(client, mine[0], assignee="agent@example.com")
    assert [t["id"] for t in browser.get("/api/tickets/?assignee=me").json] == [mine[0]]
    assert client.get("/api/tickets/?assignee=a&assignee=b").status_code == 400  # once only, as before


def test_tags_are_suggested_as_typed_and_admins_rename_and_merge_them(app, client, runner):
    first, second = file(client), file(client)
    patch(client, first["id"], tags=["refund", "refund-late", "vip"])
    patch(client, second["id"], tags=["vip", "gold"])
    assert client.get("/api/tags/?q=REF").json == ["refund", "refund-late"]
    assert client.get("/api/tags/?q=_").json == []  # `_` and `%` are taken literally
    assert runner.invoke(args=["tags", "rename", "refund-late", "late-refund"]).exit_code == 0
    assert client.get(f"/api/tickets/{first['id']}/").json["tags"] == ["late-refund", "refund", "vip"]
    merged = runner.invoke(args=["tags", "merge", "gold", "vip"])
    assert merged.exit_code == 0, merged.output
    second_now = client.get(f"/api/tickets/{second['id']}/")
    assert second_now.json["tags"] == ["vip"] and second_now.headers["ETag"] == '"v3"'
    assert client.get("/api/tags/?q=").json == ["late-refund", "refund", "vip"]
    refused = runner.invoke(args=["tags", "merge", "nothing", "vip"])
    assert refused.exit_code == 1 and "No tag is called nothing." in refused.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM ticket_tags")) == 4
