"""Fixtures: every test that takes `app` runs once per database, SQLite always and PostgreSQL when
TEST_DATABASE_URL names one (`.ci/run` does). Each run starts from an empty schema built by the
project's own migrations; each test starts from empty tables.

`app` requires credentials (TICKETDESK_AUTH=required) and `client` brings them: a bearer token for the API
and a signed-in agent's session for the pages, so every contract test also proves that an authorised
client sees the contract unchanged. `anonymous` is a client with no credentials."""
import functools

import flask_migrate
import pytest
import sqlalchemy as sa

from config import database_url
from tests.fixtures.mailbox import Mailbox
from ticketdesk import create_app
from ticketdesk.auth.passwords import hash_password
from ticketdesk.auth.sessions import start_session
from ticketdesk.auth.tokens import create_token
from ticketdesk.extensions import db
from ticketdesk.models import User

pytest_plugins = ["tests.fixtures.browser"]

PG_URL = database_url("", "TEST_DATABASE_URL") or None
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_collection_modifyitems(config, items):
    """A test marked `postgresql_only` tests what SQLite does not have: its SQLite run is not collected (not
    skipped), and it runs wherever PostgreSQL does (`.ci/run`)."""
    sqlite_runs = [item for item in items if item.get_closest_marker("postgresql_only")
                   and getattr(item, "callspec", None) and item.callspec.params.get("database_url_for_run") == "sqlite"]
    if sqlite_runs:
        config.hook.pytest_deselected(items=sqlite_runs)
        items[:] = [item for item in items if item not in sqlite_runs]


def pytest_report_header(config):
    return f"ticketdesk databases: {', '.join(DATABASES)}" + ("" if PG_URL else " (set TEST_DATABASE_URL for PostgreSQL)")


def make_app(url: str, **overrides):
    # tests of other concerns (limits, probes, providers) build apps with access control off unless they say so
    settings = {"TICKETDESK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "TICKETDESK_CLASSIFIER": "keyword",
                "OPENAI_API_KEY": None, "GEMINI_API_KEY": None, "SECRET_KEY": "test-secret-key-0123456789",
                "TICKETDESK_AUTH": "off"}
    settings.update(overrides)
    return create_app(settings)


def reset_schema(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            for table in ("desk_generation", "sla_outcomes", "sla_alerts", "ticket_slas", "sla_policies", "business_hours", "saved_views", "notifications", "ticket_tags", "tags", "team_routes", "team_members", "teams", "training_exclusions", "attachments", "incoming_mails", "saved_replies", "periodic_runs", "messages", "suggestions", "classifier_models", "ticket_events", "ticket_counts", "tickets", "requesters",
                          "api_tokens", "agent_sessions",
                          "sign_in_attempts", "admin_events", "users", "alembic_version"):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))


@pytest.fixture(scope="session", params=DATABASES)
def database_url_for_run(request, tmp_path_factory) -> str:
    """A database with a fresh schema from the migrations, once per test run and database."""
    url = PG_URL if request.param == "postgresql" else f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = make_app(url)
    with app.app_context():
        reset_schema(db.engine)
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url_for_run):
    app = make_app(database_url_for_run, TICKETDESK_AUTH="required")
    with app.app_context():
        empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


TABLES = ("sla_outcomes", "sla_alerts", "ticket_slas", "sla_policies", "business_hours", "saved_views", "notifications", "ticket_tags", "tags", "team_routes", "team_members", "teams", "training_exclusions", "attachments", "incoming_mails", "saved_replies", "periodic_runs", "messages", "suggestions", "classifier_models", "ticket_events", "tickets", "requesters", "api_tokens", "agent_sessions", "sign_in_attempts", "admin_events", "users")


def empty_tables() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY"))
    else:
        for table in TABLES:
            db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()


AGENT_EMAIL, AGENT_PASSWORD = "agent@example.com", "correct horse battery staple"


@functools.cache
def password_hash(password: str) -> str:
    return hash_password(password)  # scrypt is slow on purpose: once per password per run


def add_agent(app, email: str = AGENT_EMAIL, password: str = AGENT_PASSWORD, active: bool = True) -> int:
    with app.app_context():
        user = User(email=email, password_hash=password_hash(password), active=active)
        db.session.add(user)
        db.session.commit()
        return user.id


def add_token(app, name: str, scope: str = "write") -> str:
    with app.app_context():
        return create_token(name, scope)


def sign_in(client, user_id: int) -> None:
    """What a successful sign-in leaves: an open session, and its key in the cookie (the form itself is
    tested in test_access.py)."""
    with client.application.app_context():
        key = start_session(user_id)
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["sid"] = key


@pytest.fixture
def mailbox():
    """A real SMTP server on 127.0.0.1 that keeps what it accepts (tests/fixtures/mailbox.py)."""
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def agent(app) -> int:
    return add_agent(app)


@pytest.fixture
def token(app) -> str:
    return add_token(app, "test-client")


@pytest.fixture
def clients(app, agent, token):
    """Makes clients with credentials: the bearer token for the API, the agent's session for the pages."""
    def make():
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        sign_in(client, agent)
        return client
    return make


@pytest.fixture
def client(clients):
    return clients()


@pytest.fixture
def anonymous(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_ticket(client):
    """Create a ticket through the API, as a client would; returns its JSON."""
    def make(**fields):
        body = {"title": "Cannot export report", "description": "Export to CSV fails with error 500.",
                "category": "technical", "priority": "high", **fields}
        response = client.post("/api/tickets/", json=body)
        assert response.status_code == 201, response.json
        return response.json
    return make


@pytest.fixture
def insert_tickets(app):
    """Insert rows directly (for chosen created_at values and volume); returns nothing."""
    from ticketdesk.models import Ticket

    def insert(rows):
        with app.app_context():
            db.session.execute(sa.insert(Ticket), list(rows))
            db.session.commit()
    return insert


# Figures that tests measure (classifier accuracy, ...) are printed at the end of the run.
METRICS: list[str] = []


@pytest.fixture(scope="session")
def report_metric():
    return METRICS.append


def pytest_terminal_summary(terminalreporter):
    if METRICS:
        terminalreporter.section("ticketdesk measurements")
        for line in METRICS:
            terminalreporter.write_line(line)
