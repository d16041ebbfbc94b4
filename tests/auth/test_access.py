"""Access control with TICKETDESK_AUTH=required, on both databases: every route is tried without
credentials, with a wrong token, a revoked one and good ones; sign-in is safe against the usual attacks."""
import re
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests.conftest import AGENT_EMAIL, AGENT_PASSWORD, add_token, make_app, sign_in
from tests.fixtures import FIXTURES
from tests.tickets.test_pages import csrf_token
from ticketdesk.auth.access import ADMIN, AGENT, CLIENT, PUBLIC, RULES, needed
from ticketdesk.auth.tokens import revoke_token
from ticketdesk.extensions import db
from ticketdesk.mail_in.intake import ingest
from ticketdesk.models import AgentSession, ApiToken, BusinessHours, SignInAttempt, SlaPolicy, Team, Ticket

TICKET = {"title": "Charged twice", "description": "My card was charged twice.", "category": "billing",
          "priority": "high"}
BODIES = {"tickets.create_ticket": TICKET, "tickets.update_ticket": {"priority": "low"},
          "conversations.post_message": {"kind": "note", "body": "Checked the logs."},
          "triage.classify": {"description": "I was charged twice"},
          "conversations.create_saved_reply": {"title": "Refund", "body": "Hi {{ requester.name }}"},
          "conversations.update_saved_reply": {"title": "Refund sent"},
          "ownership.create_team": {"name": "Billing"}, "ownership.update_team": {"assignment": "round_robin"},
          "ownership.update_me": {"away": True}, "tickets.bulk_change": {"ids": [1], "set": {"priority": "low"}},
          "ownership.read_notifications": {}, "ownership.create_view": {"name": "Backlog", "filters": {"status": "open"}},
          "ownership.update_view": {"name": "Renamed"}}
# what is a signed-in agent's own: a token asking for it is let through by the gate and answered 400
AN_AGENTS_OWN = {"ownership.get_me", "ownership.update_me", "ownership.list_notifications",
                 "ownership.read_notifications", "ownership.create_view"}
# the walk names the built-in view `open`, which the gate lets anyone past: no saved view to change (404)
BUILT_IN_VIEW = {"ownership.update_view", "ownership.delete_view"}
REQUESTER = {"email": "ana@example.com"}  # requester 1, so /requesters/1 exists
FORMS = {"conversations.requester": {"name": "Ana"}, "conversations.post_from_page": {"kind": "note", "body": "Hi"},
         "tickets.new": TICKET, "tickets.detail": {"category": "account", "priority": "low"},
         "tickets.change_status": {"status": "resolved"}, "tickets.change_owner": {"take": "1"},
         "ownership.set_away": {"away": "0"}, "ownership.read_all": {}, "ownership.notification_settings": {}, "tickets.bulk_from_page": {"ids": "1", "priority": "low"}, "auth.logout": {}, "auth.logout_everywhere": {},
         "auth.login": {}, "auth.change_password": {},
         "conversations.saved_replies": {"title": "Refund", "body": "Hi"}, "conversations.saved_reply": {"title": "X"},
         "conversations.delete_saved_reply_page": {}, "conversations.resend_from_page": {},
         "ownership.save_view_page": {"name": "Billing backlog", "filter_category": "billing"},
         "ownership.delete_view_page": {},
         "sla.save_calendar_page": {"name": "Office", "timezone": "UTC", "hours": "mon-fri 09:00-17:00"},
         "sla.save_policy_page": {"name": "Everyone", "resolution_minutes": "60"},
         "sla.delete_calendar_page": {}, "sla.delete_policy_page": {}, "sla.recalculate_page": {}}


def routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route the app has, slash-less API twins folded."""
    found, paths = set(), {rule.rule for rule in app.url_map.iter_rules()}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule + "/" in paths:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((rule.endpoint, method, rule.rule))
    return sorted(found)


def path_of(rule: str, ticket_id: int) -> str:
    return (rule.replace("<id:ticket_id>", str(ticket_id)).replace("<path:filename>", "css/app.css")
            .replace("<int:user_id>", "1").replace("<int:token_id>", "1").replace("<int:requester_id>", "1")
            .replace("<id:message_id>", "1").replace("<id:reply_id>", "1")
            .replace("<id:attachment_id>", "1").replace("<id:mail_id>", "1").replace("<id:team_id>", "1").replace("<id:view_id>", "1").replace("<id:calendar_id>", "1").replace("<id:policy_id>", "1").replace("<key>", "open"))


def call(client, endpoint, method, path, headers=None, csrf=None):
    if endpoint in FORMS and method == "POST":
        data = {**FORMS[endpoint], **({"csrf_token": csrf} if csrf else {})}
        return client.post(path, data=data, headers=headers)
    return client.open(path, method=method, json=BODIES.get(endpoint) if method != "GET" else None, headers=headers)


def ticket_rows(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(sa.select(Ticket.id, Ticket.status, Ticket.priority, Ticket.category,
                                            Ticket.version).order_by(Ticket.id)).all()


def test_every_route_has_an_access_rule_and_every_rule_a_route(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app)}
    assert endpoints == set(RULES), "give each new route a rule in ticketdesk/auth/access.py"


def test_a_route_without_a_rule_is_closed(app, client):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert client.get("/forgotten").status_code == 403


def test_only_probes_sign_in_and_static_files_answer_without_credentials(app, anonymous, make_ticket):
    ticket_id = make_ticket(requester=REQUESTER)["id"]
    before = ticket_rows(app)
    for endpoint, method, rule in routes(app):
        path = path_of(rule, ticket_id)
        response = call(anonymous, endpoint, method, path)
        if RULES[endpoint][0] == PUBLIC:
            assert response.status_code in (200, 400), (method, path)  # 400: the sign-in form without CSRF
        elif RULES[endpoint][0] == AGENT:
            assert response.status_code == 302, (method, path)
            target = urlsplit(response.headers["Location"])
            assert target.path == "/login" and parse_qs(target.query)["next"] == [path], (method, path)
        else:
            assert response.status_code == 401, (method, path)
            assert response.json == {"detail": "Authentication credentials were not provided."}
            assert response.headers["WWW-Authenticate"] == "Bearer"
    assert ticket_rows(app) == before  # nothing was written


@pytest.mark.parametrize("credential", ["wrong", "revoked", "not bearer", "no scheme", "empty"])
def test_a_bad_token_is_refused_everywhere_and_opens_no_page(app, make_ticket, credential):
    ticket_id = make_ticket(requester=REQUESTER)["id"]
    revoked = add_token(app, "retired")
    with app.app_context():
        assert revoke_token("retired")
    header = {"wrong": "Bearer td_not-a-real-token", "revoked": f"Bearer {revoked}",
              "not bearer": f"Basic {revoked}", "no scheme": revoked, "empty": "Bearer "}[credential]
    client = app.test_client()
    before = ticket_rows(app)
    for endpoint, method, rule in routes(app):
        path = path_of(rule, ticket_id)
        response = call(client, endpoint, method, path, headers={"Authorization": header})
        if RULES[endpoint][0] == CLIENT:
            assert response.status_code == 401, (method, path)
            assert response.json == {"detail": "Invalid token."}  # the documented body, whatever is wrong
            challenge = response.headers["WWW-Authenticate"]
            if credential in ("not bearer", "no scheme"):  # the challenge names the mistake
                assert challenge.startswith('Bearer error="invalid_request", error_description=')
                assert "Authorization: Bearer <token>" in challenge
            else:
                assert challenge == 'Bearer error="invalid_token"'
        elif RULES[endpoint][0] == AGENT:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (method, path)
    assert ticket_rows(app) == before


def test_a_good_token_opens_the_api_and_a_signed_in_agent_the_pages(app, client, make_ticket):
    ticket_id = make_ticket(requester=REQUESTER)["id"]
    with app.app_context():
        assert ingest((FIXTURES / "mail" / "attachment.eml").read_bytes()).said.startswith("created")  # mail 1, attachment 1
        db.session.add(Team(name="Billing"))  # team 1
        db.session.add(BusinessHours(name="Office", timezone="UTC", week={"mon": [["09:00", "17:00"]]},
                                     holidays=[]))  # business hours 1
        db.session.add(SlaPolicy(name="Everyone", position=1, match={}, resolution_minutes=60))  # policy 1
        db.session.commit()
    csrf = csrf_token(client.get("/tickets/new").get_data(as_text=True))
    deletes_last = sorted(routes(app), key=lambda route: ("delete" in route[0], route))  # saved reply 1 is read first
    for endpoint, method, rule in deletes_last:
        if endpoint in ("auth.logout", "auth.logout_everywhere", "auth.login") or needed(endpoint, method) == ADMIN:
            continue  # signing out would end the session the loop needs (tested below); admin: test_roles.py
        path = path_of(rule, ticket_id)
        response = call(client, endpoint, method, path, csrf=csrf)
        # 409: "send again" on message 1, a note, which is never emailed; 400: a token has no "me" (the gate
        # let both requests through)
        allowed = (200, 201, 202, 204, 302) + ((409,) if endpoint == "conversations.resend_message" else ()) + (
            (400,) if endpoint in AN_AGENTS_OWN else ()) + ((404,) if endpoint in BUILT_IN_VIEW else ())
        assert response.status_code in allowed, (method, path, response.status_code)
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"], (method, path)


def test_the_seed_contract_holds_for_a_token_and_records_who_did_what(client, token):
    created = client.post("/api/tickets/", json=TICKET)
    assert created.status_code == 201
    assert created.json["created_by"] == "token:test-client"
    ticket_id = created.json["id"]
    assert client.patch(f"/api/tickets/{ticket_id}/", json={"status": "in_progress", "title": "Renamed"}
                        ).status_code == 200
    assert client.patch(f"/api/tickets/{ticket_id}/", json={"priority": "critical", "category": "account"}
                        ).status_code == 200
    events = client.get(f"/api/tickets/{ticket_id}/events/").json
    assert [(e["field"], e["from"], e["to"], e["actor"]) for e in events] == [
        ("status", "open", "in_progress", "token:test-client"),
        ("priority", "high", "critical", "token:test-client"),
        ("category", "billing", "account", "token:test-client")]
    assert events[1]["created_at"] == events[2]["created_at"] == client.get(
        f"/api/tickets/{ticket_id}/").json["updated_at"]


def test_a_refused_change_leaves_no_event(client, make_ticket):
    ticket_id = make_ticket(requester=REQUESTER)["id"]
    assert client.patch(f"/api/tickets/{ticket_id}/", json={"status": "closed"},
                        headers={"If-Match": '"v9"'}).status_code == 412
    assert client.patch(f"/api/tickets/{ticket_id}/", json={"status": "nope"}).status_code == 400
    assert client.get(f"/api/tickets/{ticket_id}/events/").json == []
    assert client.get("/api/tickets/999999/events/").status_code == 404


def test_the_ticket_page_shows_the_history_with_the_agent(client, make_ticket):
    ticket_id = make_ticket(requester=REQUESTER)["id"]
    html = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    client.post(f"/tickets/{ticket_id}/status", data={"csrf_token": csrf_token(html), "version": "1",
                                                      "status": "in_progress"})
    html = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    history = html[html.index('id="history-heading"'):]
    assert re.search(r"Status <strong>Open</strong> → <strong>In progress</strong>\s+by agent@example\.com", history)
    assert "Filed by token:test-client" in history
    assert client.get(f"/api/tickets/{ticket_id}/events/").json[0]["actor"] == AGENT_EMAIL


def test_a_ticket_filed_on_the_page_is_recorded_as_the_agents(client):
    html = client.get("/tickets/new").get_data(as_text=True)
    response = client.post("/tickets/new", data={**TICKET, "csrf_token": csrf_token(html)})
    ticket_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/api/tickets/{ticket_id}/").json["created_by"] == AGENT_EMAIL


# --- the session on the API --------------------------------------------------------------------------

@pytest.fixture
def agent_browser(app, agent):
    """A signed-in agent's browser: a session cookie and no token."""
    browser = app.test_client()
    sign_in(browser, agent)
    return browser


def test_a_signed_in_agent_may_read_the_api_and_write_with_the_csrf_token(agent_browser):
    assert agent_browser.get("/api/tickets/").status_code == 200
    body = {"description": "I was charged twice"}
    refused = agent_browser.post("/api/tickets/classify/", json=body)
    assert refused.status_code == 400 and "CSRF" in refused.json["detail"]
    assert agent_browser.post("/api/tickets/", json=TICKET).status_code == 400
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      agent_browser.get("/").get_data(as_text=True)).group(1)
    allowed = agent_browser.post("/api/tickets/classify/", json=body, headers={"X-CSRFToken": token})
    assert allowed.status_code == 200 and allowed.json["suggested_category"] == "billing"
    created = agent_browser.post("/api/tickets/", json=TICKET, headers={"X-CSRFToken": token})
    assert created.status_code == 201 and created.json["created_by"] == AGENT_EMAIL


# --- signing in ----------------------------------------------------------------------------------------

def sign_in_form(client, email=AGENT_EMAIL, password=AGENT_PASSWORD, next_=None, csrf=True):
    page = client.get("/login" + (f"?next={next_}" if next_ else ""))
    data = {"email": email, "password": password, "next": next_ or ""}
    if csrf:
        data["csrf_token"] = csrf_token(page.get_data(as_text=True))
    return client.post("/login", data=data)


def test_signing_in_and_out(app, agent, anonymous):
    response = sign_in_form(anonymous, next_="/stats")
    assert response.status_code == 302 and response.headers["Location"] == "/stats"
    assert anonymous.get("/stats").status_code == 200
    assert AGENT_EMAIL in anonymous.get("/").get_data(as_text=True)
    html = anonymous.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert anonymous.post("/logout", data={}).status_code == 400  # sign-out needs the CSRF token too
    assert anonymous.post("/logout", data={"csrf_token": token}).status_code == 302
    assert anonymous.get("/").status_code == 302


@pytest.mark.parametrize("email, password", [(AGENT_EMAIL, "wrong password"), ("nobody@example.com", AGENT_PASSWORD)])
def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(agent, anonymous, email, password):
    response = sign_in_form(anonymous, email, password)
    assert response.status_code == 400
    assert "That email and password do not match an active account." in response.get_data(as_text=True)
    assert anonymous.get("/").status_code == 302


def test_a_deactivated_agent_cannot_sign_in_and_their_session_ends(app, runner, anonymous, agent):
    signed_in = app.test_client()
    sign_in(signed_in, agent)
    assert signed_in.get("/").status_code == 200
    assert runner.invoke(args=["users", "deactivate", AGENT_EMAIL]).exit_code == 0
    assert signed_in.get("/").status_code == 302
    assert sign_in_form(anonymous).status_code == 400
    assert runner.invoke(args=["users", "activate", AGENT_EMAIL]).exit_code == 0
    assert sign_in_form(anonymous).status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/x",
                                    "javascript:alert(1)", "evil.example"])
def test_next_never_leads_off_the_site(agent, anonymous, target):
    response = sign_in_form(anonymous, next_=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_sign_in_form_needs_its_csrf_token(agent, anonymous):
    response = sign_in_form(anonymous, csrf=False)
    assert response.status_code == 400
    assert anonymous.get("/").status_code == 302


def session_cookie(response) -> str:
    cookies = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookies.load(header)
    return cookies["session"].value


def test_signing_in_starts_a_new_session(app, agent, anonymous):
    """Session fixation: nothing from before sign-in survives it, and the old cookie stays signed out."""
    with anonymous.session_transaction() as session:
        session["planted"] = "by someone else"
    before = anonymous.get_cookie("session").value
    response = sign_in_form(anonymous)
    after = session_cookie(response)
    assert after != before
    with anonymous.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]
    replay = app.test_client()
    replay.set_cookie("session", before)
    assert replay.get("/").status_code == 302


def test_session_cookie_flags(agent, anonymous):
    header = next(h for h in sign_in_form(anonymous).headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_production_session_cookies_are_secure(database_url_for_run):
    app = make_app(database_url_for_run, TICKETDESK_ENV="production", TRUSTED_HOSTS=["localhost"], SECRET_KEY="p" * 40,
                   TICKETDESK_AUTH="required", AUTO_MIGRATE=False)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def age(app, model, column: str, by: timedelta) -> None:
    """Move `column` of every row of `model` into the past, as if that much time had gone by."""
    with app.app_context():
        for row in db.session.scalars(sa.select(model)):
            setattr(row, column, getattr(row, column) - by)
        db.session.commit()


def age_attempts(app, seconds: float) -> None:
    age(app, SignInAttempt, "at", timedelta(seconds=seconds))


def test_guessing_an_account_from_one_address_is_slowed_more_and_more_but_never_locks_the_agent_out(app, agent):
    attacker = from_address(app, "10.0.0.66")
    for _ in range(5):
        assert sign_in_form(attacker, password="guess").status_code == 400
    held = sign_in_form(attacker)  # even the right password is not checked while the wait runs
    assert held.status_code == 429 and held.headers["Retry-After"] == "1"
    assert "Too many failed sign-ins. Try again in 1 second." in held.get_data(as_text=True)
    # the agent, elsewhere, signs in at once: guessing their password hands nobody a lock-out switch
    assert sign_in_form(from_address(app, "10.0.0.7")).status_code == 302
    age_attempts(app, 1.5)
    assert sign_in_form(attacker, password="guess").status_code == 400  # one more try, then twice the wait
    assert sign_in_form(attacker, password="guess").headers["Retry-After"] == "2"
    with app.app_context():
        checks = db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)
                                   .where(SignInAttempt.address == "10.0.0.66"))
    assert checks == 6  # five, then one after the wait: the 429s checked no password


def test_one_address_guessing_many_accounts_is_slowed(app, agent):
    sprayer = from_address(app, "10.0.0.66")
    for n in range(20):
        assert sign_in_form(sprayer, email=f"guess{n}@example.com", password="guess").status_code == 400
    assert sign_in_form(sprayer, email="someone-new@example.com").status_code == 429
    assert sign_in_form(from_address(app, "10.0.0.7")).status_code == 302


def test_guessing_one_account_from_many_addresses_is_slowed_to_a_short_wait_at_most(app, agent):
    for n in range(50):
        assert sign_in_form(from_address(app, f"10.9.{n}.1"), password="guess").status_code == 400
    held = sign_in_form(from_address(app, "10.0.0.7"))
    assert held.status_code == 429 and 1 <= int(held.headers["Retry-After"]) <= 30
    age_attempts(app, 31)  # the owner waits half a minute at worst, however long the guessing went on
    assert sign_in_form(from_address(app, "10.0.0.7")).status_code == 302


def test_successful_sign_ins_are_recorded_not_counted(app, agent):
    for _ in range(7):
        assert sign_in_form(app.test_client()).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(SignInAttempt.succeeded)).all() == [True] * 7


def test_sign_in_records_are_pruned_past_their_retention(app):
    from ticketdesk.auth import throttle
    from ticketdesk.models import utcnow

    with app.app_context():
        old = utcnow() - timedelta(days=91)
        db.session.add_all(SignInAttempt(email="x@example.com", address="10.0.0.1", succeeded=False, at=old)
                           for _ in range(throttle.PRUNE_EVERY - 1))
        db.session.commit()
        throttle.record("y@example.com", "10.0.0.2", False)  # the hundredth row prunes
        left = db.session.scalars(sa.select(SignInAttempt.email)).all()
    assert left == ["y@example.com"]


# --- sessions -------------------------------------------------------------------------------------------

def signed_in_client(app):
    client = app.test_client()
    assert sign_in_form(client).status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_out(client) -> bool:
    page, api = client.get("/"), client.get("/api/tickets/")
    assert (page.status_code == 302) == (api.status_code == 401), (page.status_code, api.status_code)
    return page.status_code == 302 and "/login" in page.headers["Location"]


def sign_out(client, path="/logout"):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").get_data(as_text=True)).group(1)
    assert client.post(path, data={"csrf_token": token}).status_code == 302


def test_signing_out_ends_the_session_and_every_copy_of_its_cookie(app, agent):
    agent_browser, other_device = signed_in_client(app), signed_in_client(app)
    stolen = copy_of(app, agent_browser)
    assert not signed_out(stolen)
    sign_out(agent_browser)
    assert signed_out(agent_browser) and signed_out(stolen)
    assert not signed_out(other_device)  # signing out here leaves the agent's other sessions alone


def test_sign_out_everywhere_ends_every_session_of_the_agent(app, agent):
    here, there = signed_in_client(app), signed_in_client(app)
    assert "Sign out everywhere" in here.get("/account").get_data(as_text=True)
    sign_out(here, "/logout/everywhere")
    assert signed_out(here) and signed_out(there)


def test_a_password_change_ends_every_session(app, runner, agent):
    browser = signed_in_client(app)
    stolen = copy_of(app, browser)
    changed = runner.invoke(args=["users", "set-password", AGENT_EMAIL, "--password-stdin"],
                            input="an entirely new passphrase\n")
    assert changed.exit_code == 0 and "their open sessions ended" in changed.stdout
    assert signed_out(browser) and signed_out(stolen)


def test_a_deactivated_agents_old_cookie_stays_dead_after_reactivation(app, runner, agent):
    browser = signed_in_client(app)
    assert runner.invoke(args=["users", "deactivate", AGENT_EMAIL]).exit_code == 0
    assert signed_out(browser)
    assert runner.invoke(args=["users", "activate", AGENT_EMAIL]).exit_code == 0
    assert signed_out(browser)  # activating the agent again does not revive what was open
    assert not signed_out(signed_in_client(app))


@pytest.mark.parametrize("column, by", [("created_at", timedelta(hours=12, minutes=1)),
                                        ("last_seen_at", timedelta(minutes=121))])
def test_sessions_end_after_their_lifetime_and_when_left_idle(app, agent, column, by):
    browser = signed_in_client(app)
    age(app, AgentSession, column, by)
    assert signed_out(browser)


def test_a_session_in_use_is_written_to_at_most_once_a_minute(app, agent):
    browser = signed_in_client(app)

    def last_seen():
        with app.app_context():
            return db.session.scalar(sa.select(AgentSession.last_seen_at))
    first = last_seen()
    for _ in range(5):
        browser.get("/")
    assert last_seen() == first
    age(app, AgentSession, "last_seen_at", timedelta(minutes=2))
    aged = last_seen()
    browser.get("/")
    assert last_seen() > aged


# --- access control off ----------------------------------------------------------------------------------

def test_with_access_control_off_everything_is_open_and_the_pages_say_so(database_url_for_run):
    app = make_app(database_url_for_run, TICKETDESK_AUTH="off")
    client = app.test_client()
    created = client.post("/api/tickets/", json=TICKET)
    assert created.status_code == 201 and created.json["created_by"] is None
    assert client.patch(f"/api/tickets/{created.json['id']}/", json={"status": "closed"}).status_code == 200
    assert client.get(f"/api/tickets/{created.json['id']}/events/").json[0]["actor"] is None
    assert "Access control is off" in client.get("/").get_data(as_text=True)
    assert "Access control is off" not in make_app(database_url_for_run, TICKETDESK_AUTH="required").test_client(
    ).get("/login").get_data(as_text=True)


def test_rate_limits_count_each_token_separately(app):
    app.config["CLASSIFY_RATE_LIMIT"] = "2 per minute"
    first, second = add_token(app, "first"), add_token(app, "second")
    client = app.test_client()  # both programs behind one address

    def classify(token):
        return client.post("/api/tickets/classify/", json={"description": "refund"},
                           headers={"Authorization": f"Bearer {token}"}).status_code
    assert [classify(first) for _ in range(3)] == [200, 200, 429]
    assert classify(second) == 200


def test_only_the_tokens_hash_is_stored(app, token):
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64


def test_a_cors_preflight_needs_no_credentials_and_the_real_request_does(database_url_for_run):
    app = make_app(database_url_for_run, TICKETDESK_AUTH="required", CORS_ALLOWED_ORIGINS=["http://localhost:3000"])
    client = app.test_client()
    preflight = client.options("/api/tickets/", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert client.post("/api/tickets/", json=TICKET, headers={"Origin": "http://localhost:3000"}).status_code == 401
