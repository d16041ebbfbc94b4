"""The operator commands: `flask classify` and `flask seed-demo`."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from ticketdesk.extensions import db
from ticketdesk.models import CATEGORIES, PRIORITIES, STATUSES, Ticket


def test_classify_prints_the_suggestion_and_the_provider(runner):
    result = runner.invoke(args=["classify", "The whole site is down for all users"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["chain: keyword", "category: technical (by keyword)",
                                          "priority: critical (by keyword)", "provider: keyword"]


def test_classify_shows_why_a_configured_llm_did_not_answer(app):
    app.config["TICKETDESK_CLASSIFIER"] = "gemini"
    from ticketdesk.classifiers import build_classifier
    app.extensions["ticketdesk.classifier"] = build_classifier(app.config)
    result = app.test_cli_runner().invoke(args=["classify", "charged twice"])
    assert result.exit_code == 0
    assert "GEMINI_API_KEY: not set" in result.output
    assert "GEMINI_MODEL: gemini-2.5-flash" in result.output
    assert "provider: keyword" in result.output
    assert "note: gemini is unavailable (GEMINI_API_KEY is not set)" in result.output


def test_classify_never_prints_a_key(app):
    app.config.update(TICKETDESK_CLASSIFIER="openai", OPENAI_API_KEY="sk-very-secret", OPENAI_BASE_URL="http://127.0.0.1:9/v1",
                      CLASSIFIER_TIMEOUT=0.5)
    from ticketdesk.classifiers import build_classifier
    app.extensions["ticketdesk.classifier"] = build_classifier(app.config)
    result = app.test_cli_runner().invoke(args=["classify", "charged twice"])
    assert "OPENAI_API_KEY: set" in result.output and "sk-very-secret" not in result.output
    assert "provider: keyword" in result.output and "note: openai is unavailable" in result.output


def test_seed_demo_adds_realistic_tickets_over_90_days(app, runner):
    result = runner.invoke(args=["seed-demo", "--count", "12000", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "Added 12000 demo tickets." in result.output
    with app.app_context():
        total, categories, priorities, statuses, oldest, newest, titles = db.session.execute(sa.select(
            sa.func.count(), sa.func.count(Ticket.category.distinct()), sa.func.count(Ticket.priority.distinct()),
            sa.func.count(Ticket.status.distinct()), sa.func.min(Ticket.created_at), sa.func.max(Ticket.created_at),
            sa.func.count(Ticket.title.distinct()))).one()
    now = datetime.now(timezone.utc)
    assert total == 12000
    assert (categories, priorities, statuses) == (len(CATEGORIES), len(PRIORITIES), len(STATUSES))
    assert now - timedelta(days=90, minutes=5) <= oldest and oldest < now - timedelta(days=80)
    assert newest <= now and newest > now - timedelta(days=2)
    assert titles > 100
    with app.app_context():
        languages = set(db.session.scalars(sa.select(Ticket.language).distinct()))
    assert languages == {"en", "es", "fr", "de", "pt"}  # detected, so the language filter has something to find


def test_seed_demo_rejects_a_bad_count(runner):
    result = runner.invoke(args=["seed-demo", "--count", "0"])
    assert result.exit_code != 0 and "count" in result.output.lower()


def test_flask_commands_name_their_database_on_stderr_and_only_db_commands_talk_about_migrations(tmp_path):
    """A shell without DATABASE_URL would silently use the embedded SQLite file: every data command says
    which database it uses, on stderr, so `TOKEN=$(flask tokens create ...)` still reads only the token."""
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path}/desk.db"
    env = {**os.environ, "DATABASE_URL": url, "TICKETDESK_ENV": "development", "AUTO_MIGRATE": "0"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run = lambda *args: subprocess.run([*flask, *args], env=env, capture_output=True, text=True, timeout=60)  # noqa: E731
    upgrade = run("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert upgrade.stderr.startswith(f"database: {url}\n") and "Running upgrade 0004 -> 0005" in upgrade.stderr
    listed = run("users", "list")
    assert (listed.returncode, listed.stdout, listed.stderr) == (0, "", f"database: {url}\n")
    created = run("tokens", "create", "script")
    assert created.stdout.strip().splitlines()[-1].startswith("td_") and created.stderr == f"database: {url}\n"
