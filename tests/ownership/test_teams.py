"""Teams, on both databases: admins manage them through the API (an admin token or session) and the shell;
a ticket joins a team by routing or by hand, and gets an assignee as the team's mode says, also when several
agents file at once."""
import threading

import pytest
import sqlalchemy as sa

from tests.conftest import add_agent, add_token
from ticketdesk.extensions import db
from ticketdesk.models import AdminEvent, Ticket, User

TICKET = {"title": "Charged twice", "description": "My card was charged twice in March.", "category": "billing",
          "priority": "high"}


def agents(app, *names: str, role: str = "agent") -> list[str]:
    emails = [f"{name}@example.com" for name in names]
    for email in emails:
        user_id = add_agent(app, email)
        with app.app_context():
            db.session.get(User, user_id).role = role
            db.session.commit()
    return emails


@pytest.fixture
def admin(app):
    """An API client with an admin token."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {add_token(app, 'ops', 'admin')}"
    return client


def new_team(admin, **fields) -> dict:
    response = admin.post("/api/teams/", json={"name": "Billing", **fields})
    assert response.status_code == 201, response.json
    return response.json


def file(client, **fields) -> dict:
    response = client.post("/api/tickets/", json={**TICKET, **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_an_admin_token_manages_a_team_and_each_change_is_recorded(app, admin):
    ana, ben = agents(app, "ana", "ben")
    team = new_team(admin, members=[ben, ana.upper()], assignment="round_robin", addresses=["Billing@Desk.test"],
                    categories=["billing"])
    assert team == {"id": team["id"], "name": "Billing", "assignment": "round_robin",
                    "members": [{"email": ana, "name": None, "away": False}, {"email": ben, "name": None, "away": False}],
                    "addresses": ["billing@desk.test"], "categories": ["billing"]}
    changed = admin.patch(f"/api/teams/{team['id']}/", json={"members": [ana], "categories": []})
    assert changed.status_code == 200
    assert [m["email"] for m in changed.json["members"]] == [ana] and changed.json["categories"] == []
    assert changed.json["addresses"] == ["billing@desk.test"]  # a list not sent is kept
    assert admin.get("/api/teams/").json == [changed.json]
    assert admin.delete(f"/api/teams/{team['id']}/").status_code == 204
    assert admin.get(f"/api/teams/{team['id']}/").status_code == 404
    with app.app_context():
        actions = db.session.scalars(sa.select(AdminEvent.action).where(AdminEvent.actor == "token:ops")
                                     .order_by(AdminEvent.id)).all()
    assert actions == ["create team", "change team", "delete team"]


def test_a_team_refuses_what_cannot_work_by_field_and_writes_nothing(app, admin):
    agents(app, "ana")
    agents(app, "val", role="viewer")
    new_team(admin, addresses=["billing@desk.test"], categories=["billing"])
    cases = [({"name": "Billing"}, 409, "name", "A team called Billing already exists."),
             ({"name": "Tier 2", "members": ["nobody@example.com"]}, 400, "members",
              "No active agent has the email nobody@example.com."),
             ({"name": "Tier 2", "members": ["val@example.com"]}, 400, "members",
              "No active agent has the email val@example.com."),
             ({"name": "Tier 2", "addresses": ["billing@desk.test"]}, 409, "addresses",
              "billing@desk.test already routes to the team Billing."),
             ({"name": "Tier 2", "categories": ["billing"]}, 409, "categories", "billing already routes to the team Billing."),
             ({"name": "Tier 2", "assignment": "random"}, 400, "assignment", '"random" is not a valid choice.'),
             ({"name": "  "}, 400, "name", "This field may not be blank."),
             ({"name": "Tier\n2"}, 400, "name",
              "Control characters (such as line breaks or direction overrides) are not allowed.")]
    for body, status, field, message in cases:
        response = admin.post("/api/teams/", json=body)
        assert (response.status_code, response.json) == (status, {field: [message]}), body
    assert [t["name"] for t in admin.get("/api/teams/").json] == ["Billing"]


def test_a_ticket_moved_into_a_team_by_hand_gets_its_assignee_in_turn_skipping_who_is_away(app, admin, client):
    ana, ben, cy = agents(app, "ana", "ben", "cy")
    new_team(admin, members=[ana, ben, cy], assignment="round_robin")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == ben).values(away=True))
        db.session.commit()
    owners = []
    for _ in range(4):
        ticket = file(client)
        moved = client.patch(f"/api/tickets/{ticket['id']}/", json={"team": "Billing"}).json
        owners.append(moved["assignee"]["email"])
        assert moved["team"]["name"] == "Billing"
    assert owners == [ana, cy, ana, cy]
    # one with an assignee keeps them; one given an assignee in the same change gets that one
    kept = file(client)
    client.patch(f"/api/tickets/{kept['id']}/", json={"assignee": ben})
    assert client.patch(f"/api/tickets/{kept['id']}/", json={"team": "Billing"}).json["assignee"]["email"] == ben
    chosen = file(client)
    assert client.patch(f"/api/tickets/{chosen['id']}/", json={"team": "Billing", "assignee": None}).json["assignee"] is None


def test_least_open_gives_the_ticket_to_whoever_has_the_fewest_open_ones(app, admin, client):
    ana, ben = agents(app, "ana", "ben")
    new_team(admin, members=[ana, ben], assignment="least_open", categories=["billing"])
    for _ in range(2):
        client.patch(f"/api/tickets/{file(client, category='account')['id']}/", json={"assignee": ana})
    resolved = file(client, category="account")
    client.patch(f"/api/tickets/{resolved['id']}/", json={"assignee": ben, "status": "resolved"})  # not open work
    owners = [file(client)["assignee"]["email"] for _ in range(3)]  # routed by category as they are filed
    assert owners == [ben, ben, ana]


def test_a_manual_team_assigns_nobody_and_a_team_with_nobody_present_neither(app, admin, client):
    ana, = agents(app, "ana")
    new_team(admin, members=[ana], categories=["billing"])
    ticket = file(client)
    assert ticket["team"]["name"] == "Billing" and ticket["assignee"] is None
    admin.patch(f"/api/teams/{ticket['team']['id']}/", json={"assignment": "round_robin"})
    with app.app_context():
        db.session.execute(sa.update(User).values(away=True))
        db.session.commit()
    assert file(client)["assignee"] is None


def test_mail_to_a_teams_address_becomes_that_teams_ticket(app, admin):
    from ticketdesk.mail_in.intake import ingest
    ana, = agents(app, "ana")
    new_team(admin, members=[ana], assignment="round_robin", addresses=["billing@desk.test"])
    new_team(admin, name="Accounts", categories=["billing", "technical", "account", "general"])
    raw = (b"From: Olga <olga@example.ru>\r\nTo: Support <support@desk.test>\r\nCc: billing@DESK.test\r\n"
           b"Subject: Invoice\r\nMessage-ID: <routed-1@example.ru>\r\n\r\nMy invoice is wrong.\r\n")
    with app.app_context():
        outcome = ingest(raw)
        ticket = db.session.get(Ticket, outcome.ticket_id)
        assert (ticket.team_name, ticket.assignee_email) == ("Billing", ana)
        other = ingest(raw.replace(b"billing@DESK", b"other@desk").replace(b"routed-1", b"routed-2"))
        assert db.session.get(Ticket, other.ticket_id).team_name == "Accounts"  # no address routes: its category


def test_deleting_a_team_takes_its_tickets_out_of_it_in_their_history(app, admin, client):
    ana, = agents(app, "ana")
    team = new_team(admin, members=[ana], assignment="round_robin", categories=["billing"])
    ticket = file(client)
    assert admin.delete(f"/api/teams/{team['id']}/").status_code == 204
    after = client.get(f"/api/tickets/{ticket['id']}/")
    assert after.json["team"] is None and after.json["assignee"]["email"] == ana
    assert after.headers["ETag"] == '"v2"'
    events = client.get(f"/api/tickets/{ticket['id']}/events/").json
    assert [(e["field"], e["from"], e["to"], e["actor"]) for e in events] == [("team", "Billing", None, "token:ops")]


@pytest.mark.parametrize("mode", ["round_robin", "least_open"])
def test_agents_filing_at_once_never_get_a_decision_from_a_stale_pointer(app, admin, clients, mode):
    """Twelve creates at once, each on its own connection: every decision is made under the team's lock, so
    three members get exactly four tickets each."""
    members = agents(app, "ana", "ben", "cy")
    new_team(admin, members=members, assignment=mode, categories=["billing"])
    barrier, owners, failures = threading.Barrier(12), [], []

    def create():
        client = clients()
        barrier.wait()
        response = client.post("/api/tickets/", json=TICKET)
        (owners if response.status_code == 201 else failures).append(
            response.json["assignee"]["email"] if response.status_code == 201 else response.status_code)

    threads = [threading.Thread(target=create) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(owners) == sorted(members * 4)


def test_teams_are_kept_as_code_from_the_shell(app, runner):
    ana, ben = agents(app, "ana", "ben")
    made = runner.invoke(args=["teams", "create", "Billing", "--member", ana, "--assignment", "least_open",
                               "--address", "billing@desk.test", "--category", "billing"])
    assert made.exit_code == 0 and "Team Billing created (least_open, 1 members)." in made.output
    assert runner.invoke(args=["teams", "add-member", "Billing", ben]).exit_code == 0
    listed = runner.invoke(args=["teams", "list"]).output
    assert f"Billing\tleast_open\t{ana}, {ben}\taddresses: billing@desk.test\tcategories: billing" in listed
    assert runner.invoke(args=["teams", "remove-member", "Billing", ana]).exit_code == 0
    refused = runner.invoke(args=["teams", "remove-member", "Billing", ana])
    assert refused.exit_code == 1 and f"{ana} is not in Billing." in refused.output
    again = runner.invoke(args=["teams", "create", "Billing"])
    assert again.exit_code == 1 and "A team called Billing already exists." in again.output
    assert runner.invoke(args=["teams", "delete", "Billing"]).output.startswith("Team Billing deleted; 0 tickets")
    assert "Billing" not in runner.invoke(args=["teams", "list"]).output
    token = runner.invoke(args=["tokens", "create", "terraform", "--scope", "admin"])
    assert token.exit_code == 0 and "(admin" in token.output


def test_an_agent_marks_themselves_away_and_names_themselves(app, admin, clients):
    browser = clients()
    del browser.environ_base["HTTP_AUTHORIZATION"]  # the agent's session, not the token
    admin.post("/api/teams/", json={"name": "Billing", "members": ["agent@example.com"]})
    from tests.tickets.test_pages import csrf_token
    csrf = csrf_token(browser.get("/tickets/new").get_data(as_text=True))
    response = browser.patch("/api/me/", json={"away": True, "name": "  Agent Smith "}, headers={"X-CSRFToken": csrf})
    assert response.status_code == 200
    assert response.json == {"email": "agent@example.com", "name": "Agent Smith", "role": "agent", "away": True,
                             "teams": ["Billing"]}
    assert browser.get("/api/me/").json["away"] is True
    assert admin.get("/api/teams/").json[0]["members"] == [{"email": "agent@example.com", "name": "Agent Smith",
                                                           "away": True}]
    refused = browser.patch("/api/me/", json={"name": "Eve\r\nBcc: x@evil.test"}, headers={"X-CSRFToken": csrf})
    assert refused.status_code == 400 and list(refused.json) == ["name"]
    token = admin.get("/api/me/")
    assert token.status_code == 400 and "A token is no agent" in token.json["detail"]


def test_a_category_the_llm_corrects_in_the_background_routes_the_ticket_to_its_team(database_url_for_run):
    from tests.fixtures.llm_stub import StubLLM
    from tests.mail_in.test_mail_in import new_ticket
    from tests.mail_out.test_mail_out import build_desk, run_jobs
    from ticketdesk.ownership.teams import save_team
    with StubLLM() as llm:  # the stub answers account/critical
        app, client = build_desk(database_url_for_run, TICKETDESK_CLASSIFIER="openai,keyword",
                                 OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=f"{llm.url}/v1")
        ana, = agents(app, "ana")
        with app.app_context():
            save_team("test", None, {"name": "Accounts", "members": [ana], "assignment": "round_robin",
                                     "categories": ["account"]})
            db.session.commit()
        ticket_id = new_ticket(app)
        at_once = client.get(f"/api/tickets/{ticket_id}/").json
        assert (at_once["category"], at_once["team"]) == ("billing", None)  # no team routes billing
        run_jobs(app)
        refined = client.get(f"/api/tickets/{ticket_id}/").json
        assert (refined["category"], refined["team"]["name"], refined["assignee"]["email"]) == ("account", "Accounts", ana)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
