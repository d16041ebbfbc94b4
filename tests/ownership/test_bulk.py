"""Bulk changes through `POST /api/tickets/bulk/`, on both databases: one change for many tickets, each in
its history, the counts exact, an unknown id failing alone, the team choosing for the unassigned."""
import pytest

from tests.ownership.test_teams import admin, agents, file, new_team  # noqa: F401  (admin: a fixture)


def bulk(client, **body):
    return client.post("/api/tickets/bulk/", json=body)


def stats(client) -> dict:
    body = client.get("/api/tickets/stats/").json
    return {"open": body["status_breakdown"]["open"], "closed": body["status_breakdown"]["closed"],
            "low": body["priority_breakdown"]["low"]}


def test_two_hundred_tickets_of_one_outage_are_closed_and_tagged_in_one_step(app, client):
    ids = [file(client, title=f"Site down {n}")["id"] for n in range(200)]
    before = stats(client)
    response = bulk(client, ids=[*ids, 999_999, ids[0]], set={"status": "closed", "priority": "low"},
                    add_tags=["Outage-42"])
    assert response.status_code == 200
    assert response.json == {"updated": 200, "failed": [{"id": 999_999, "detail": "No such ticket."}]}
    after = stats(client)
    assert after == {"open": before["open"] - 200, "closed": before["closed"] + 200, "low": before["low"] + 200}
    one = client.get(f"/api/tickets/{ids[7]}/")
    assert (one.json["status"], one.json["tags"], one.headers["ETag"]) == ("closed", ["outage-42"], '"v2"')
    events = client.get(f"/api/tickets/{ids[7]}/events/").json
    assert sorted((e["field"], e["to"], e["actor"]) for e in events) == [
        ("priority", "low", "token:test-client"), ("status", "closed", "token:test-client"),
        ("tag", "outage-42", "token:test-client")]


def test_a_team_given_in_bulk_assigns_the_unassigned_in_turn_and_keeps_the_assigned(app, admin, client):
    ana, ben, cy = agents(app, "ana", "ben", "cy")
    new_team(admin, members=[ana, ben], assignment="round_robin")
    ids = [file(client)["id"] for _ in range(5)]
    client.patch(f"/api/tickets/{ids[0]}/", json={"assignee": cy})
    assert bulk(client, ids=ids, set={"team": "Billing"}).json == {"updated": 5, "failed": []}
    owners = [client.get(f"/api/tickets/{i}/").json["assignee"]["email"] for i in ids]
    assert owners[0] == cy and sorted(owners[1:]) == [ana, ana, ben, ben]
    assert bulk(client, ids=ids, set={"assignee": None}).json["updated"] == 5
    assert {client.get(f"/api/tickets/{i}/").json["assignee"] is None for i in ids} == {True}


def test_tags_removed_in_bulk_change_only_the_tickets_that_had_them(app, client):
    tagged, plain = file(client), file(client)
    client.patch(f"/api/tickets/{tagged['id']}/", json={"tags": ["vip"]})
    assert bulk(client, ids=[tagged["id"], plain["id"]], remove_tags=["VIP"]).json == {"updated": 1, "failed": []}
    assert client.get(f"/api/tickets/{plain['id']}/").headers["ETag"] == '"v1"'
    assert client.get(f"/api/tickets/{tagged['id']}/").json["tags"] == []


@pytest.mark.parametrize("body, errors", [
    ({"ids": [1], "set": {}}, {"set": ["Nothing to change: send fields in `set`, or tags to add or remove."]}),
    ({"ids": [], "set": {"status": "closed"}}, {"ids": ["Name 1 to 1000 tickets."]}),
    ({"ids": list(range(1, 1002)), "set": {"status": "closed"}}, {"ids": ["Name 1 to 1000 tickets."]}),
    ({"ids": [1], "set": {"title": "Renamed"}}, {"set": {"title": ["Unknown field."]}}),
    ({"ids": [1], "set": {"status": "done"}}, {"set": {"status": ['"done" is not a valid choice.']}}),
    ({"ids": [1], "set": {"assignee": "nobody@example.com"}},
     {"set": {"assignee": ["No active agent has the email nobody@example.com."]}}),
    ({"ids": [1], "set": {"team": "Nowhere"}}, {"set": {"team": ["No team is called Nowhere."]}}),
    ({"ids": [1], "add_tags": ["a b"]}, {"add_tags": ["'a b' is not a tag: a tag is 1 to 40 letters, digits, - and _."]}),
    ({"ids": ["1"], "set": {"status": "closed"}}, {"ids": {"0": ["A valid integer is required."]}}),
])
def test_a_change_that_cannot_be_made_is_a_400_and_changes_nothing(app, client, body, errors):
    ticket = file(client)
    response = bulk(client, **body)
    assert (response.status_code, response.json) == (400, errors)
    assert client.get(f"/api/tickets/{ticket['id']}/").headers["ETag"] == '"v1"'


def test_a_read_token_changes_nothing_in_bulk(app, client):
    from tests.conftest import add_token
    ticket = file(client)
    reader = app.test_client()
    reader.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {add_token(app, 'reader', 'read')}"
    assert bulk(reader, ids=[ticket["id"]], set={"status": "closed"}).status_code == 403
    assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == "open"
