"""The owner panel and the list's owner filters without JavaScript, on both databases: forms post and
redirect, and what they change is what the API shows."""
import re

from tests.conftest import AGENT_EMAIL
from tests.ownership.test_teams import agents
from tests.tickets.test_pages import csrf_token
from ticketdesk.extensions import db
from ticketdesk.ownership.teams import save_team


def owner_form(client, ticket_id: int, **fields):
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.post(f"/tickets/{ticket_id}/owner", data={"csrf_token": csrf_token(page), "version": version, **fields})


def test_take_it_then_move_to_a_team_and_tag_from_the_page(app, client, make_ticket):
    ana, = agents(app, "ana")
    with app.app_context():
        save_team("test", None, {"name": "Billing", "members": [ana], "assignment": "round_robin"})
        db.session.commit()
    ticket = make_ticket()
    page = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert "Nobody owns it yet." in page and "Take it" in page
    assert owner_form(client, ticket["id"], take="1").status_code == 302
    page = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert "You own it now." in page and "(you)" in page and "Take it" not in page
    owner_form(client, ticket["id"], team="Billing", assignee=AGENT_EMAIL, tags="VIP refund, vip")
    body = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (body["team"]["name"], body["assignee"]["email"], body["tags"]) == ("Billing", AGENT_EMAIL, ["refund", "vip"])
    page = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    history = page[page.index('id="history-heading"'):]
    assert re.search(r"Assignee <strong>none</strong> → <strong>agent@example\.com</strong>\s+by agent@example\.com", history)
    assert "Tag <strong>refund</strong> added" in history and "Team <strong>none</strong> → <strong>Billing</strong>" in history
    # nobody, then the team again: unchanged team, so nobody stays (the team chooses only when a ticket joins it)
    owner_form(client, ticket["id"], team="Billing", assignee="", tags="refund")
    body = client.get(f"/api/tickets/{ticket['id']}/").json
    assert body["assignee"] is None and body["tags"] == ["refund"]
    owner_form(client, ticket["id"], team="", assignee="", tags="refund")
    owner_form(client, ticket["id"], team="Billing", assignee="", tags="refund")
    assert client.get(f"/api/tickets/{ticket['id']}/").json["assignee"]["email"] == ana  # joined: the team chose


def test_a_refused_tag_or_a_stale_page_saves_nothing_and_says_why(client, make_ticket):
    ticket = make_ticket()
    response = owner_form(client, ticket["id"], team="", assignee="", tags="no/slashes")
    assert response.status_code == 302
    page = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert "Nothing was saved: &#39;no/slashes&#39; is not a tag" in page
    stale = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    client.patch(f"/api/tickets/{ticket['id']}/", json={"priority": "low"})  # someone else, meanwhile
    client.post(f"/tickets/{ticket['id']}/owner", data={"csrf_token": csrf_token(stale), "version": "1",
                                                        "team": "", "assignee": "", "tags": "late"})
    assert "Someone else changed this ticket" in client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert client.get(f"/api/tickets/{ticket['id']}/").json["tags"] == []


def test_the_list_filters_by_assignee_team_and_tag_without_javascript(app, client, make_ticket):
    mine, other = make_ticket(title="Mine to do"), make_ticket(title="Somebody elses")
    client.patch(f"/api/tickets/{mine['id']}/", json={"assignee": AGENT_EMAIL, "tags": ["vip"]})

    def titles(query: str) -> list[str]:
        return re.findall(r'class="ticket-title">([^<]*)<', client.get(f"/?{query}").get_data(as_text=True))

    assert titles("assignee=me") == ["Mine to do"]
    assert titles("assignee=none") == ["Somebody elses"]
    assert titles("tag=VIP") == ["Mine to do"]
    assert titles("team=none") == ["Somebody elses", "Mine to do"]
    plain = client.get("/?assignee=me&team=&tag=")  # a form sent without JavaScript names every field
    assert plain.status_code == 302 and plain.headers["Location"] == "/?assignee=me"
    assert "1 ticket matches these filters" in client.get("/?assignee=me").get_data(as_text=True)
    assert "owned by agent@example.com" in client.get("/").get_data(as_text=True)


def test_an_agent_says_they_are_away_on_their_account_page_and_teams_pass_them_by(app, client, make_ticket):
    from tests.conftest import AGENT_EMAIL as me
    ana, = agents(app, "ana")
    with app.app_context():
        save_team("test", None, {"name": "Billing", "members": [me, ana], "assignment": "round_robin",
                                 "categories": ["billing"]})
        db.session.commit()
    assert "You are <strong>here</strong>" in client.get("/account").get_data(as_text=True)
    csrf = csrf_token(client.get("/tickets/new").get_data(as_text=True))
    client.post("/account/away", data={"csrf_token": csrf, "away": "1"})
    page = client.get("/account").get_data(as_text=True)
    assert "You are <strong>away</strong>" in page and "I am back" in page
    owners = {make_ticket(category="billing")["assignee"]["email"] for _ in range(3)}
    assert owners == {ana}
    client.post("/account/away", data={"csrf_token": csrf, "away": "0"})
    owners = {make_ticket(category="billing")["assignee"]["email"] for _ in range(2)}
    assert owners == {me, ana}


def test_the_list_changes_ticked_tickets_or_all_matching_after_saying_how_many(app, client, make_ticket):
    ids = [make_ticket(title=f"Outage {n}", priority="high")["id"] for n in range(4)]
    other = make_ticket(title="Unrelated", priority="low")["id"]
    page = client.get("/?priority=high").get_data(as_text=True)
    assert page.count('name="ids"') == 4 and "All 4 matching" in page
    csrf = csrf_token(client.get("/tickets/new").get_data(as_text=True))
    confirm = client.post("/tickets/bulk", data={"csrf_token": csrf, "ids": [str(i) for i in ids[:2]],
                                                 "status": "closed", "add_tag": "outage"})
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Change 2 tickets?" in text
    assert "Set status to Closed" in text and "Add the tag outage" in text
    assert [client.get(f"/api/tickets/{i}/").json["status"] for i in ids[:2]] == ["open", "open"]  # not yet
    done = client.post("/tickets/bulk", data={"csrf_token": csrf, "ids": [str(i) for i in ids[:2]],
                                              "status": "closed", "add_tag": "outage", "confirm": "1"})
    assert done.status_code == 302
    assert "2 tickets changed." in client.get(done.headers["Location"]).get_data(as_text=True)
    assert [client.get(f"/api/tickets/{i}/").json["tags"] for i in ids[:2]] == [["outage"], ["outage"]]
    everyone = client.post("/tickets/bulk", data={"csrf_token": csrf, "all_matching": "1", "filter_priority": "high",
                                                  "assignee": AGENT_EMAIL, "confirm": "1"})
    assert everyone.headers["Location"] == "/?priority=high"
    assert {client.get(f"/api/tickets/{i}/").json["assignee"]["email"] for i in ids} == {AGENT_EMAIL}
    assert client.get(f"/api/tickets/{other}/").json["assignee"] is None
    nothing = client.post("/tickets/bulk", data={"csrf_token": csrf, "status": "closed"})
    assert "Choose tickets first" in client.get(nothing.headers["Location"]).get_data(as_text=True)


def test_all_matching_from_a_forged_form_is_never_a_failure(client, make_ticket):
    """A queue that is not one of yours names no tickets: nothing changes. A page's cursor means nothing to
    "all matching": it is left out (it was a 500), and the filters decide."""
    ticket = make_ticket(priority="low")
    csrf = csrf_token(client.get("/tickets/new").get_data(as_text=True))
    data = {"csrf_token": csrf, "all_matching": "1", "status": "closed", "confirm": "1"}
    assert client.post("/tickets/bulk", data={**data, "filter_view": "nothing"}).status_code == 302
    assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == "open"
    forged = client.post("/tickets/bulk", data={**data, "filter_cursor": "abc", "filter_priority": "low"})
    assert forged.status_code == 302
    assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == "closed"
