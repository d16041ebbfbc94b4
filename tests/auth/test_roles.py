"""Roles and token scopes, on both databases: every route is tried by a viewer, an agent and an admin, and by
read and write tokens, against the rule access.py gives it; then the admin page and the commands that
manage who may do what."""
import re
from datetime import timedelta

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.auth.test_access import BODIES, FORMS, path_of, routes
from tests.conftest import add_agent, make_app, sign_in
from ticketdesk.auth.access import CLIENT, PUBLIC, RULES, allows, needed
from ticketdesk.auth.tokens import create_token
from ticketdesk.extensions import db
from ticketdesk.models import AdminEvent, AgentSession, ApiToken, Ticket, User, utcnow

SKIP = {"auth.logout", "auth.logout_everywhere", "auth.login"}  # they end or start the session the test holds


def agent_of(app, role: str) -> int:
    user_id = add_agent(app, f"{role}@example.com")
    with app.app_context():
        db.session.get(User, user_id).role = role
        db.session.commit()
    return user_id


def as_agent(app, role: str):
    client = app.test_client()
    sign_in(client, agent_of(app, role))
    return client


def as_token(app, scope: str):
    client = app.test_client()
    with app.app_context():
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token(f'{scope}-token', scope)}"
    return client


def ticket_id(app) -> int:
    with app.app_context():
        ticket = Ticket(title="t", description="d", category="billing", priority="low")
        db.session.add(ticket)
        db.session.commit()
        return ticket.id


def try_route(client, endpoint, method, path):
    if endpoint in FORMS and method == "POST" or endpoint.startswith("admin."):
        return client.post(path, data=FORMS.get(endpoint, {})) if method == "POST" else client.get(path)
    return client.open(path, method=method, json=BODIES.get(endpoint) if method != "GET" else None)


@pytest.mark.parametrize("role", ["viewer", "agent", "admin"])
def test_every_route_lets_each_role_do_exactly_what_its_rule_says(app, role):
    client, target = as_agent(app, role), ticket_id(app)
    for endpoint, method, rule in routes(app):
        if RULES[endpoint][0] == PUBLIC or endpoint in SKIP:
            continue
        path = path_of(rule, target).replace("<int:user_id>", "1").replace("<int:token_id>", "1")
        response = try_route(client, endpoint, method, path)
        allowed = allows(role, needed(endpoint, method))
        assert (response.status_code == 403) != allowed, (role, method, path, response.status_code)
        if not allowed and RULES[endpoint][0] == CLIENT:
            what = "change tickets" if needed(endpoint, method) == "agent" else "manage agents, tokens and teams"
            assert response.json == {"detail": f"Your role ({role}) cannot {what}."}


@pytest.mark.parametrize("scope", ["read", "write", "admin"])
def test_a_read_token_reads_and_classifies_but_changes_nothing_and_a_write_token_may(app, scope):
    """A read token acts as a viewer, a write token as an agent, an admin token as an admin (teams)."""
    client, target = as_token(app, scope), ticket_id(app)
    role = {"read": "viewer", "write": "agent", "admin": "admin"}[scope]
    for endpoint, method, rule in routes(app):
        if RULES[endpoint][0] != CLIENT:
            continue
        response = try_route(client, endpoint, method, path_of(rule, target))
        need = needed(endpoint, method)
        allowed = allows(role, need)
        assert (response.status_code == 403) != allowed, (scope, method, rule, response.status_code)
        if not allowed:
            assert response.json == {"detail": "This token may only read: it cannot change anything. "
                                               "Ask for a write token." if need == "agent" else
                                               "Only an admin token may do this (teams and other settings). "
                                               "Ask an admin for one."}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == (1 if scope == "read" else 2)


def test_a_viewer_sees_no_controls_they_could_not_use(app):
    viewer, target = as_agent(app, "viewer"), ticket_id(app)
    page = viewer.get(f"/tickets/{target}").get_data(as_text=True)
    assert "Start work" not in page and "Triage" not in page and "+ New ticket" not in page
    assert 'href="/admin/"' not in page
    admin_page = as_agent(app, "admin").get("/").get_data(as_text=True)
    assert 'href="/admin/"' in admin_page and "+ New ticket" in admin_page


def test_an_expired_token_is_refused_and_use_is_written_at_most_once_a_minute(app):
    with app.app_context():
        token = create_token("short-lived", "read", utcnow() + timedelta(days=1))
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    for _ in range(3):
        assert client.get("/api/tickets/").status_code == 200
    with app.app_context():
        row = db.session.scalars(sa.select(ApiToken)).one()
        first_use = row.last_used_at
        assert first_use is not None
        row.last_used_at -= timedelta(seconds=30)
        db.session.commit()
    client.get("/api/tickets/")
    with app.app_context():
        assert db.session.scalars(sa.select(ApiToken.last_used_at)).one() == first_use - timedelta(seconds=30)
        db.session.scalars(sa.select(ApiToken)).one().expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/tickets/").status_code == 401


# --- the admin page ------------------------------------------------------------------------------------

def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def post(client, path: str, **form):
    token = csrf_of(client.get("/admin/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **form})


def user(app, email: str) -> User:
    with app.app_context():
        return db.session.scalars(sa.select(User).where(User.email == email)).one()


def test_an_admin_adds_an_agent_who_must_choose_their_own_password_at_first_sign_in(app):
    admin = as_agent(app, "admin")
    answer = post(admin, "/admin/agents", email="New.Person@example.com", role="viewer")
    html = answer.get_data(as_text=True)
    temporary = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
    assert answer.status_code == 200 and "shown this once" in html
    assert temporary not in admin.get("/admin/").get_data(as_text=True)  # once
    assert user(app, "new.person@example.com").role == "viewer"

    newcomer = app.test_client()
    login = newcomer.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    assert newcomer.post("/login", data={"csrf_token": token, "email": "new.person@example.com",
                                         "password": temporary}).status_code == 302
    assert newcomer.get("/").headers["Location"] == "/account/password"  # nothing else first
    assert newcomer.get("/api/tickets/").status_code == 403
    form = newcomer.get("/account/password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    changed = newcomer.post("/account/password", data={"csrf_token": token, "current": temporary,
                                                       "new": "a brand new passphrase", "again": "a brand new passphrase"})
    assert changed.status_code == 302 and newcomer.get("/").status_code == 200
    assert not user(app, "new.person@example.com").must_change_password


def test_role_changes_deactivation_and_resets_are_recorded_and_take_effect_at_once(app):
    admin = as_agent(app, "admin")
    worker = as_agent(app, "agent")
    target = user(app, "agent@example.com").id
    assert post(admin, f"/admin/agents/{target}/role", role="viewer").status_code == 302
    assert worker.post("/api/tickets/", json=BODIES["tickets.create_ticket"]).status_code == 403
    reset = post(admin, f"/admin/agents/{target}/password")
    assert "temporary password" in reset.get_data(as_text=True)
    assert worker.get("/").status_code == 302  # the reset ended their sessions
    assert post(admin, f"/admin/agents/{target}/active", active="0").status_code == 302
    with app.app_context():
        events = [(e.actor, e.action, e.subject) for e in db.session.scalars(sa.select(AdminEvent).order_by(AdminEvent.id))]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgentSession)
                                 .where(AgentSession.user_id == target, AgentSession.ended_at.is_(None))) == 0
    assert events == [("admin@example.com", "set role", "agent@example.com"),
                      ("admin@example.com", "reset password", "agent@example.com"),
                      ("admin@example.com", "deactivate", "agent@example.com")]
    page = admin.get("/admin/").get_data(as_text=True)
    assert "reset password <strong>agent@example.com</strong>" in page and "deactivated" in page


def test_the_last_admin_cannot_demote_or_deactivate_themselves(app):
    admin = as_agent(app, "admin")
    me = user(app, "admin@example.com").id
    for path, form in ((f"/admin/agents/{me}/role", {"role": "agent"}), (f"/admin/agents/{me}/active", {"active": "0"})):
        answer = post(admin, path, **form)
        assert answer.status_code == 302
        assert "only active admin" in admin.get("/admin/").get_data(as_text=True)
    assert user(app, "admin@example.com").role == "admin" and user(app, "admin@example.com").active


def test_an_admin_creates_a_token_shown_once_and_revokes_it(app):
    admin = as_agent(app, "admin")
    html = post(admin, "/admin/tokens", name="reporting", scope="read", expires="90").get_data(as_text=True)
    token = re.search(r'<code class="secret">(td_[^<]+)</code>', html).group(1)
    program = app.test_client()
    program.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert program.get("/api/tickets/").status_code == 200
    assert program.post("/api/tickets/", json=BODIES["tickets.create_ticket"]).status_code == 403
    with app.app_context():
        row = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "reporting")).one()
        assert row.scope == "read" and timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
    assert post(admin, f"/admin/tokens/{row.id}/revoke").status_code == 302
    assert program.get("/api/tickets/").status_code == 401
    assert "revoke token <strong>reporting</strong>" in admin.get("/admin/").get_data(as_text=True)


def test_admins_see_sign_ins_and_failures(app):
    admin = as_agent(app, "admin")
    anonymous = app.test_client()
    login = anonymous.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    anonymous.post("/login", data={"csrf_token": token, "email": "admin@example.com", "password": "guess"})
    assert "<strong>Failed</strong> · admin@example.com from 127.0.0.1" in admin.get("/admin/").get_data(as_text=True)


def test_with_access_control_off_the_admin_page_says_there_is_nothing_to_manage(database_url_for_run):
    app = make_app(database_url_for_run, AUTO_MIGRATE=False)
    assert "no agents or tokens to" in app.test_client().get("/admin/").get_data(as_text=True)


# --- the commands and the migration ------------------------------------------------------------------

def test_the_first_admin_and_scoped_expiring_tokens_come_from_the_shell(app, runner):
    made = runner.invoke(args=["users", "create", "boss@example.com", "--role", "admin", "--password-stdin"],
                         input="a sturdy admin passphrase\n")
    assert made.exit_code == 0, made.output
    assert user(app, "boss@example.com").role == "admin" and not user(app, "boss@example.com").must_change_password
    token = runner.invoke(args=["tokens", "create", "nightly-export", "--scope", "read", "--expires", "90d"])
    assert token.exit_code == 0 and "(read, until " in token.stdout
    listed = runner.invoke(args=["tokens", "list"]).stdout
    assert "nightly-export\tread\t" in listed and "active until" in listed and "never used" in listed
    assert runner.invoke(args=["tokens", "create", "x", "--expires", "soon"]).exit_code != 0
    assert "boss@example.com\tadmin\tactive" in runner.invoke(args=["users", "list"]).stdout
    with app.app_context():
        assert [e.action for e in db.session.scalars(sa.select(AdminEvent).order_by(AdminEvent.id))] == \
            ["create agent", "create token"]
        assert db.session.scalars(sa.select(AdminEvent.actor)).first().startswith("shell:")


def test_the_migration_keeps_everyone_able_to_do_what_they_did_and_names_an_admin(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0006")
        for n, email in enumerate(("first@example.com", "second@example.com")):
            db.session.execute(sa.text("INSERT INTO users (email, password_hash, active, created_at) "
                                       "VALUES (:e, 'x', :a, :c)"), {"e": email, "a": True, "c": utcnow() + timedelta(n)})
        db.session.execute(sa.text("INSERT INTO api_tokens (name, token_hash, created_at) VALUES ('old', 'h', :c)"),
                           {"c": utcnow()})
        db.session.commit()
        flask_migrate.upgrade()
        roles = dict(db.session.execute(sa.text("SELECT email, role FROM users")).all())
        scope = db.session.execute(sa.text("SELECT scope FROM api_tokens")).scalar()
    assert roles == {"first@example.com": "admin", "second@example.com": "agent"} and scope == "write"


@pytest.mark.parametrize("scope, role", [("read", "viewer"), ("write", "agent"), ("admin", "admin")])
def test_whoami_tells_a_token_its_name_and_role(app, scope, role):
    assert as_token(app, scope).get("/api/whoami/").json == {"actor": f"token:{scope}-token", "role": role}


def test_whoami_tells_a_signed_in_agent_their_role(app):
    assert as_agent(app, "admin").get("/api/whoami/").json == {"actor": "admin@example.com", "role": "admin"}
