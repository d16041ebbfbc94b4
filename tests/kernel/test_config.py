"""Configuration from the environment: safe defaults, and refusal where a default would be unsafe."""
import pytest

import config
from tests.conftest import make_app


@pytest.mark.parametrize("url, expected", [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db"),  # a URL written for the earlier driver
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url_pins_the_installed_driver(monkeypatch, url, expected):
    monkeypatch.setenv("DATABASE_URL", url)
    assert config.database_url("sqlite://") == expected


def test_database_url_falls_back_to_the_embedded_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url("sqlite:///fallback.db") == "sqlite:///fallback.db"


@pytest.mark.parametrize("key", [None, "", "change-me", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app("sqlite://", TICKETDESK_ENV="production", TRUSTED_HOSTS=["localhost"], SECRET_KEY=key, TICKETDESK_AUTH="required")


def test_production_starts_with_a_real_secret_key():
    app = make_app("sqlite://", TICKETDESK_ENV="production", TRUSTED_HOSTS=["localhost"], SECRET_KEY="a" * 40, TICKETDESK_AUTH=None)
    assert app.config["TICKETDESK_ENV"] == "production" and not app.testing
    assert app.config["TICKETDESK_AUTH"] == "required"  # the production default
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(RuntimeError, match="TICKETDESK_ENV must be one of"):
        make_app("sqlite://", TICKETDESK_ENV="staging")


def test_development_shares_one_generated_key_between_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    first = make_app("sqlite://", TICKETDESK_ENV="development", SECRET_KEY=None).config["SECRET_KEY"]
    second = make_app("sqlite://", TICKETDESK_ENV="development", SECRET_KEY=None).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "instance" / ".secret_key").stat().st_mode & 0o077 == 0


def test_a_non_numeric_timeout_is_refused(monkeypatch):
    monkeypatch.setenv("CLASSIFIER_TIMEOUT", "soon")
    with pytest.raises(RuntimeError, match="CLASSIFIER_TIMEOUT"):
        config._float("CLASSIFIER_TIMEOUT", 5.0)


def test_cors_lets_the_configured_front_ends_call_the_api():
    client = make_app("sqlite://", CORS_ALLOWED_ORIGINS=["http://localhost:3000"]).test_client()
    preflight = client.options("/api/tickets/", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    other = client.get("/api/tickets/stats/", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_no_cors_headers_unless_configured():
    client = make_app("sqlite://").test_client()
    response = client.get("/api/tickets/stats/", headers={"Origin": "http://localhost:3000"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_postgresql_pool_holds_a_connection_per_worker_thread(monkeypatch):
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    for env in ("testing", "production"):
        app = make_app("postgresql+psycopg://postgres@127.0.0.1/unused", TICKETDESK_ENV=env, SECRET_KEY="k" * 40,
                       AUTO_MIGRATE=False, TICKETDESK_AUTH="required", TRUSTED_HOSTS=["localhost"])
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        assert (options["pool_size"], options["max_overflow"], options["pool_pre_ping"]) == (6, 2, True)
        with app.app_context():
            from ticketdesk.extensions import db
            assert db.engine.pool.size() == 6
    assert "pool_size" not in make_app("sqlite://").config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_production_refuses_to_start_with_access_control_off_unless_told_so():
    with pytest.raises(RuntimeError, match="TICKETDESK_ALLOW_AUTH_OFF=1"):
        make_app("sqlite://", TICKETDESK_ENV="production", TRUSTED_HOSTS=["localhost"], SECRET_KEY="a" * 40, TICKETDESK_AUTH="off")
    app = make_app("sqlite://", TICKETDESK_ENV="production", TRUSTED_HOSTS=["localhost"], SECRET_KEY="a" * 40, TICKETDESK_AUTH="off",
                   TICKETDESK_ALLOW_AUTH_OFF=True)
    assert app.config["TICKETDESK_AUTH"] == "off"


@pytest.mark.parametrize("url, expected", [("sqlite:///instance/desk.db", "off"),
                                           ("postgresql+psycopg://u@h/db", "required")])
def test_development_opens_the_embedded_desk_only(url, expected):
    """`make run` on SQLite needs no set-up; a development desk on PostgreSQL is shared, so it asks."""
    app = make_app(url, TICKETDESK_ENV="development", TICKETDESK_AUTH=None, AUTO_MIGRATE=False)
    assert app.config["TICKETDESK_AUTH"] == expected


def test_an_unknown_access_mode_is_refused():
    with pytest.raises(RuntimeError, match="TICKETDESK_AUTH must be required or off"):
        make_app("sqlite://", TICKETDESK_AUTH="maybe")


def test_production_refuses_the_embedded_sqlite_file_naming_database_url():
    from config import EMBEDDED_DATABASE, load_settings

    with pytest.raises(RuntimeError, match="needs DATABASE_URL"):
        load_settings({"TICKETDESK_ENV": "production", "SECRET_KEY": "a" * 40, "TRUSTED_HOSTS": ["localhost"],
                       "SQLALCHEMY_DATABASE_URI": EMBEDDED_DATABASE})
    assert load_settings({"TICKETDESK_ENV": "development", "SQLALCHEMY_DATABASE_URI": EMBEDDED_DATABASE})


def test_the_start_up_line_says_what_runs_without_the_password():
    from config import load_settings
    from ticketdesk.banner import startup_line

    settings = load_settings({"TICKETDESK_ENV": "production", "SECRET_KEY": "a" * 40, "TRUSTED_HOSTS": ["localhost"], "OPENAI_API_KEY": "k",
                              "GEMINI_API_KEY": None, "TICKETDESK_CLASSIFIER": "auto",
                              "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://desk:hunter2hunter2@db:5432/tickets"})
    line = startup_line(settings, "0.0.0.0:8000", 5, 4)
    assert line == ("TicketDesk (production) serving http://0.0.0.0:8000 with 5 workers x 4 threads; "
                    "database postgresql+psycopg://desk:***@db:5432/tickets; access control required; "
                    "classifier openai,keyword (auto)")
