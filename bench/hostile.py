"""`make bench`, hostile mail: how long each mail an attacker can send takes to answer, on PostgreSQL and
SQLite, through `ingest` in one process and through the pipe (`flask mail ingest`, a process per mail as an
MTA runs it), how long its page takes, and how long a ticket created through the API takes while the
slowest of them is being read. Writes bench/results/hostile.md.

Targets (issue 23): every hostile mail answered in under 5 s with exit 0; a ticket created through the API
in under 2 s while one is read; every mail page under 1 s and never a 500.

Settings: BENCH_HOSTILE_DATABASE_URL (postgresql://postgres@127.0.0.1:5432/ticketdesk_bench_hostile, created
and emptied here)."""
import os
import subprocess
import sys
import tempfile
import threading
import time

import flask_migrate
import sqlalchemy as sa

from config import ROOT, database_url
from tests.conftest import add_agent, make_app, reset_schema, sign_in
from tests.fixtures import hostile
from ticketdesk.extensions import db
from ticketdesk.mail_in.intake import ingest
from ticketdesk.models import User

RESULTS = ROOT / "bench" / "results"
MAILS = {**hostile.ALL, "slow within the counts": hostile.slow_within_limits}


def desk(url: str):
    app = make_app(url, TICKETDESK_AUTH="required")
    with app.app_context():
        reset_schema(db.engine)
        flask_migrate.upgrade()
    client = app.test_client()
    user_id = add_agent(app, "admin@bench.example")
    with app.app_context():
        db.session.get(User, user_id).role = "admin"
        db.session.commit()
    sign_in(client, user_id)
    return app, client


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def pipe(url: str, raw: bytes) -> tuple[int, float, str]:
    env = {**os.environ, "DATABASE_URL": url, "AUTO_MIGRATE": "0", "FLASK_APP": "wsgi"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "mail", "ingest"], input=raw, capture_output=True,
                          env=env, cwd=ROOT, timeout=120)
    return done.returncode, time.perf_counter() - started, done.stdout.decode().strip()


def measure(label: str, url: str) -> list[str]:
    app, client = desk(url)
    rows = [f"### {label}", "", "| mail | size | in-process ingest | outcome | pipe (process) | exit | mail page | status |",
            "|---|--:|--:|---|--:|--:|--:|--:|"]
    for name, make in MAILS.items():
        raw = make()
        with app.app_context():
            outcome, seconds = timed(lambda: ingest(raw))
        code, pipe_seconds, _ = pipe(url, make())  # a fresh Message-ID: read again, not a duplicate
        page, page_seconds = timed(lambda: client.get(f"/mail/{outcome.mail_id}"))
        rows.append(f"| {name} | {len(raw) / 1024:,.0f} KiB | {seconds:.2f} s | {outcome.said[:70]} | "
                    f"{pipe_seconds:.2f} s | {code} | {page_seconds * 1000:,.0f} ms | {page.status_code} |")
    rows += ["", _create_while_reading(app, client), ""]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def _create_while_reading(app, client) -> str:
    reader = threading.Thread(target=lambda: _ingest(app, hostile.slow_within_limits()))
    reader.start()
    time.sleep(0.5)
    answer, seconds = timed(lambda: client.post("/api/tickets/", json={
        "title": "Meanwhile", "description": "Created while a hostile mail is read.", "category": "general",
        "priority": "low"}, headers={"X-CSRFToken": _csrf(client)}))
    reader.join()
    return (f"A ticket created through the API while the slow mail was read: {seconds * 1000:,.0f} ms "
            f"(status {answer.status_code}).")


def _ingest(app, raw: bytes) -> None:
    with app.app_context():
        ingest(raw)


def _csrf(client) -> str:
    import re
    page = client.get("/tickets/new")
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    return found.group(1) if found else ""


def main() -> None:
    pg = database_url("postgresql://postgres@127.0.0.1:5432/ticketdesk_bench_hostile", "BENCH_HOSTILE_DATABASE_URL")
    admin = sa.create_engine(pg.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = pg.rsplit("/", 1)[1]
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    with tempfile.TemporaryDirectory() as folder:
        lines = ["# Hostile mail", "",
                 "Each mail an attacker can send (tests/fixtures/hostile.py), at the sizes issue 23 measured; written by "
                 "`make bench` (bench/hostile.py). Targets: under 5 s and exit 0 each, a page under 1 s and "
                 "never a 500, an API create under 2 s while a mail is read.", ""]
        lines += measure("PostgreSQL", pg)
        lines += measure("SQLite", f"sqlite:///{folder}/hostile.db")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hostile.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
