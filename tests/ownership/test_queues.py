"""The queues (views) every agent has, on both databases: which tickets each holds, its count (exact, or
"1,000+" past the cap), paged like the ticket list, in the API and on the pages."""
from tests.conftest import AGENT_EMAIL
from tests.ownership.test_teams import admin, agents, file, new_team  # noqa: F401  (admin: a fixture)
from ticketdesk.extensions import db
from ticketdesk.models import Ticket
from ticketdesk.record import queries


def counts(client) -> dict:
    return {v["key"]: (v["count"], v["exact"]) for v in client.get("/api/views/").json}


def keys(client, key: str, **params) -> list[int]:
    response = client.get(f"/api/views/{key}/tickets/", query_string={"limit": 2, **params})
    found = [t["id"] for t in response.json]
    while "Link" in response.headers:
        link = response.headers["Link"]
        response = client.get(link[link.index("/api/"):link.index(">")])
        found += [t["id"] for t in response.json]
    return found


def test_each_queue_holds_what_its_name_says_with_its_count(app, admin, client, clients):
    ana, = agents(app, "ana")
    new_team(admin, members=[AGENT_EMAIL, ana])
    browser = clients()
    del browser.environ_base["HTTP_AUTHORIZATION"]  # the agent's own session: Mine and My teams are theirs
    mine = file(client, priority="low")["id"]
    client.patch(f"/api/tickets/{mine}/", json={"assignee": AGENT_EMAIL})
    teams = file(client, priority="critical")["id"]
    client.patch(f"/api/tickets/{teams}/", json={"team": "Billing", "assignee": ana})
    waiting = file(client, requester={"email": "c@example.com"})["id"]
    client.post(f"/api/tickets/{waiting}/messages/", json={"kind": "note", "body": "looking"})
    with app.app_context():  # an agent answered last (a reply clears waiting_since)
        db.session.get(Ticket, waiting).waiting_since = None
        db.session.commit()
    solved = file(client)["id"]
    client.patch(f"/api/tickets/{solved}/", json={"status": "resolved"})
    closed = file(client)["id"]
    client.patch(f"/api/tickets/{closed}/", json={"status": "closed", "assignee": AGENT_EMAIL})

    assert counts(browser) == {"mine": (1, True), "unassigned": (1, True), "my-teams": (1, True),
                               "open": (3, True), "waiting": (1, True), "solved": (1, True),
                               "overdue": (0, True), "due-soon": (0, True)}  # no SLA policy: nothing is due
    assert [v["name"] for v in browser.get("/api/views/").json] == [
        "Mine", "Unassigned", "My teams", "All open", "Waiting on customer", "Recently solved", "Overdue", "Due soon"]
    assert keys(browser, "mine") == [mine]
    assert keys(browser, "unassigned") == [waiting]
    assert keys(browser, "my-teams") == [teams]
    assert keys(browser, "open") == [teams, waiting, mine]  # worked in priority order: critical, high, low
    assert keys(browser, "open", priority="low") == [mine]  # and filtered further like the list
    assert keys(browser, "waiting") == [waiting] and keys(browser, "solved") == [solved]
    # a token has no "me": no Mine or My teams
    assert [v["key"] for v in client.get("/api/views/").json] == ["unassigned", "open", "waiting", "solved",
                                                                  "overdue", "due-soon"]
    assert client.get("/api/views/mine/tickets/").status_code == 404
    assert browser.get("/api/views/nothing/tickets/").json == {"detail": "No such view."}


def test_a_queue_past_the_cap_says_so_instead_of_counting_every_ticket(app, client, insert_tickets, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 5)
    from ticketdesk.ownership import queues
    monkeypatch.setattr(queues, "COUNT_CAP", 5)
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    insert_tickets({"title": f"t{i}", "description": "d", "category": "general", "priority": "low", "status": "open",
                    "created_at": now, "updated_at": now} for i in range(8))
    assert counts(client)["unassigned"] == (5, False)
    assert counts(client)["open"] == (8, True)


def test_the_queue_links_are_on_every_page_and_a_queue_is_a_list_page(app, client, make_ticket):
    mine = make_ticket(title="Mine to do")["id"]
    make_ticket(title="Not mine")
    client.patch(f"/api/tickets/{mine}/", json={"assignee": AGENT_EMAIL})
    for page in ("/", "/stats", f"/tickets/{mine}", "/account"):
        html = client.get(page).get_data(as_text=True)
        assert 'aria-label="Queues"' in html and 'href="/?view=mine"' in html, page
    html = client.get("/?view=mine").get_data(as_text=True)
    assert "<h1>Mine</h1>" in html and "Mine to do" in html and "Not mine" not in html
    assert "1 ticket matches these filters" not in html and "1 ticket" in html
    assert client.get("/?view=nothing").status_code == 302


def test_the_dashboard_shows_open_work_per_team_and_assignee_and_what_nobody_owns(app, admin, client):
    ana, ben = agents(app, "ana", "ben")
    new_team(admin, members=[ana, ben], assignment="round_robin", categories=["billing"])
    new_team(admin, name="Quiet")
    for _ in range(3):
        file(client)  # billing: routed to Billing, shared in turn
    file(client, category="technical")  # nobody
    done = file(client)
    client.patch(f"/api/tickets/{done['id']}/", json={"status": "closed"})  # closed work is not open work
    html = client.get("/stats").get_data(as_text=True)
    panel = html[html.index('id="workload"'):html.index('id="triage-panel"')]
    assert '<strong id="unassigned-count">1</strong>' in panel
    assert panel.index(">Billing</a></th><td>3<") < panel.index(">Quiet</a></th><td>0<")
    assert f"<th scope=\"row\">{ana}</th><td>2</td>" in panel and f"<th scope=\"row\">{ben}</th><td>1</td>" in panel
