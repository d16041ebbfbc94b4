"""Fixtures: every test that takes `app` runs once per database, SQLite always and PostgreSQL when
TEST_DATABASE_URL names one (`.ci/run` does). Each run starts from an empty schema built by the
project's own migrations; each test starts from an empty table."""
import flask_migrate
import pytest
import sqlalchemy as sa

from config import database_url
from ticketdesk import create_app
from ticketdesk.extensions import db

PG_URL = database_url("", "TEST_DATABASE_URL") or None
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_report_header(config):
    return f"ticketdesk databases: {', '.join(DATABASES)}" + ("" if PG_URL else " (set TEST_DATABASE_URL for PostgreSQL)")


def make_app(url: str, **overrides):
    settings = {"TICKETDESK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "TICKETDESK_CLASSIFIER": "keyword",
                "OPENAI_API_KEY": None, "GEMINI_API_KEY": None, "SECRET_KEY": "test-secret-key-0123456789"}
    settings.update(overrides)
    return create_app(settings)


def reset_schema(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            for table in ("ticket_counts", "tickets", "alembic_version"):
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
    app = make_app(database_url_for_run)
    with app.app_context():
        empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def empty_tables() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("TRUNCATE tickets RESTART IDENTITY"))
    else:
        db.session.execute(sa.text("DELETE FROM tickets"))
    db.session.commit()


@pytest.fixture
def client(app):
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
