"""The contract over real HTTP, against gunicorn started exactly as production starts it."""
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import AGENT_EMAIL, AGENT_PASSWORD
from tests.fixtures.servers import free_port, wait_until_answering

ROOT = Path(__file__).parent.parent.parent


def start_gunicorn(args: list[str], env: dict, port: int):
    """gunicorn in a process of its own; returns (process, base URL) once it answers."""
    queue = f"sqlite:///{tempfile.mkdtemp(prefix='ticketdesk-jobs-')}/jobs.db"  # no two servers share a queue
    env = {**os.environ, "TICKETDESK_ENV": "production", "SECRET_KEY": "x" * 40, "TRUSTED_HOSTS": "127.0.0.1",
           "TICKETDESK_CLASSIFIER": "keyword", "JOB_BROKER_URL": queue, **env}
    for key in ("OPENAI_API_KEY", "GEMINI_API_KEY", "AUTO_MIGRATE"):
        env.pop(key, None)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", *args, "wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(f"{base}/healthz", process)
    return process, base


def stop(process):
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def server(app, database_url_for_run):
    """gunicorn with gunicorn.conf.py, three workers, production settings, on the test database."""
    port = free_port()
    process, base = start_gunicorn(["-c", "gunicorn.conf.py"], {
        "DATABASE_URL": database_url_for_run, "PORT": str(port), "WEB_CONCURRENCY": "3"}, port)
    yield base
    stop(process)


@pytest.fixture
def new_empty_database(database_url_for_run, tmp_path):
    """A database that has never seen the migrations, of the same kind as this run's."""
    import sqlalchemy as sa

    if database_url_for_run.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    server = sa.create_engine(database_url_for_run, isolation_level="AUTOCOMMIT")
    name = f"{server.url.database}_new"
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def call(method, url, body=None, content_type="application/json", token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as e:
        body = e.read()
        return e.code, dict(e.headers), json.loads(body) if "json" in e.headers.get("Content-Type", "") else body


def test_the_contract_over_http(server, token):
    call = functools.partial(globals()["call"], token=token)
    status, _, ticket = call("POST", f"{server}/api/tickets", {
        "title": "Site down", "description": "All users get 502", "category": "technical", "priority": "critical"})
    assert status == 201 and ticket["status"] == "open" and ticket["created_at"].endswith("Z")

    for path in ("/api/tickets", "/api/tickets/"):
        status, headers, listing = call("GET", f"{server}{path}?status=open&search=ALL%20USERS")
        assert status == 200 and [t["id"] for t in listing] == [ticket["id"]]
        assert headers["Content-Type"] == "application/json"

    assert call("GET", f"{server}/api/tickets/{ticket['id']}")[2] == ticket
    status, _, patched = call("PATCH", f"{server}/api/tickets/{ticket['id']}/", {"status": "in_progress"})
    assert status == 200 and patched["status"] == "in_progress"

    status, _, stats = call("GET", f"{server}/api/tickets/stats")
    assert status == 200 and stats["total_tickets"] == 1 and stats["open_tickets"] == 0
    assert stats["priority_breakdown"]["critical"] == 1

    status, _, suggestion = call("POST", f"{server}/api/tickets/classify/", {"description": "I was charged twice"})
    assert status == 200 and suggestion["suggested_category"] == "billing" and suggestion["provider"] == "keyword"

    assert call("POST", f"{server}/api/tickets/", {"title": ""})[0] == 400
    assert call("POST", f"{server}/api/tickets/", {"title": "x"}, content_type="text/plain")[0] == 415
    status, _, body = call("GET", f"{server}/api/tickets/999999/")
    assert (status, body) == (404, {"detail": "Not found."})
    assert call("DELETE", f"{server}/api/tickets/")[0] == 405
    for path in ("/api/tickets/", "/api/views/open/tickets/"):  # documented: gunicorn reads 4 KiB of URL
        assert call("GET", f"{server}{path}?search={'x' * 5000}")[0] == 414


def test_the_workers_share_state_only_through_the_database(server, token):
    """Many requests spread over both workers: every created ticket is seen by every worker."""
    call = functools.partial(globals()["call"], token=token)
    ids = [call("POST", f"{server}/api/tickets/", {"title": f"t{i}", "description": "d", "category": "general",
                                                    "priority": "low"})[2]["id"] for i in range(20)]
    for _ in range(10):
        assert call("GET", f"{server}/api/tickets/stats/")[2]["total_tickets"] == 20
    assert sorted(t["id"] for t in call("GET", f"{server}/api/tickets/?limit=1000")[2]) == sorted(ids)


def test_every_worker_loads_the_learned_model_before_its_first_request(app, client, runner, database_url_for_run):
    from tests.triage.test_learned_classifier import file_all, italian_desk
    file_all(client, italian_desk(per_label=8))
    assert runner.invoke(args=["triage", "train"]).exit_code == 0
    port = free_port()
    process, base = start_gunicorn(["-c", "gunicorn.conf.py"], {
        "DATABASE_URL": database_url_for_run, "PORT": str(port), "WEB_CONCURRENCY": "2", "TICKETDESK_AUTH": "off",
        "TICKETDESK_ALLOW_AUTH_OFF": "1", "TICKETDESK_CLASSIFIER": "learned,keyword", "LEARNED_MIN_EXAMPLES": "5"}, port)
    try:
        time.sleep(1)  # both workers up; no request has been made
        status, _, answer = call("POST", f"{base}/api/tickets/classify/",
                                 {"description": "Buongiorno, fattura e intera azienda ferma"})
        assert status == 200 and answer["provider"] == "learned"
    finally:
        stop(process)
    said = process.stderr.read().decode()
    loaded = [line for line in said.splitlines() if "learned model #1 loaded" in line]
    assert len(loaded) == 2, said  # once per worker, at start: the request above loaded nothing
    assert said.index(loaded[-1]) < said.index('"path": "/api/tickets/classify/"')


def test_plain_gunicorn_on_a_new_empty_database_migrates_and_serves(new_empty_database):
    """`gunicorn wsgi:app` with no set-up at all: the workers race to migrate, one does, all serve."""
    port = free_port()
    process, base = start_gunicorn(["--bind", f"127.0.0.1:{port}", "--workers", "3"],
                                   {"DATABASE_URL": new_empty_database, "TICKETDESK_AUTH": "off",
                                    "TICKETDESK_ALLOW_AUTH_OFF": "1"}, port)
    try:
        status, _, ticket = call("POST", f"{base}/api/tickets/", {
            "title": "First", "description": "The first ticket", "category": "general", "priority": "low"})
        assert status == 201 and ticket["id"] == 1
        assert call("GET", f"{base}/api/tickets/")[2] == [ticket]
        assert call("GET", f"{base}/api/tickets/stats/")[2]["total_tickets"] == 1
    finally:
        stop(process)
    said = process.stderr.read().decode()
    assert "Traceback" not in said
    # one line from the master that says what runs (read from gunicorn.conf.py, which plain gunicorn finds)
    lines = [line for line in said.splitlines() if "TicketDesk (production) serving" in line]
    assert len(lines) == 1, said
    assert f"serving http://127.0.0.1:{port} with 3 workers" in lines[0]
    assert "access control OFF" in lines[0] and "classifier keyword" in lines[0]
    assert new_empty_database.split("@")[-1].split("/")[-1] in lines[0]


def test_a_refused_production_start_says_why_once_and_exits(tmp_path):
    """A configuration the app refuses stops the master before any worker starts, with one message."""
    port = free_port()
    env = {**os.environ, "TICKETDESK_ENV": "production", "SECRET_KEY": "short", "TRUSTED_HOSTS": "127.0.0.1",
           "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "3",
                             "wsgi:app"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    said = result.stderr.decode()
    assert result.returncode == 1, said
    assert said.count("SECRET_KEY must be a random value of at least 16 characters") == 1, said
    assert "secrets.token_hex(32)" in said and "Traceback" not in said and "Booting worker" not in said


def test_the_compose_health_check_passes_on_a_ready_server_and_fails_without_one(server):
    import yaml

    check = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["healthcheck"]["test"]
    assert check[0] == "CMD" and "/readyz" in check[-1]
    port = server.rsplit(":", 1)[1]
    ready = subprocess.run([sys.executable, *check[2:-1], check[-1].replace(":8000/", f":{port}/")],
                           capture_output=True, timeout=30)
    assert ready.returncode == 0, ready.stderr
    nobody = subprocess.run([sys.executable, *check[2:-1], check[-1].replace(":8000/", f":{free_port()}/")],
                            capture_output=True, timeout=30)
    assert nobody.returncode != 0



# --- access across workers: what one worker ends or counts, every worker honours --------------------------

class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def fetch(url: str, cookie: str | None = None, form: dict | None = None) -> tuple[int, dict, str]:
    """One request on a new connection (so gunicorn may hand it to any worker), carrying `cookie` by hand:
    production's session cookie is Secure, which a cookie jar would not send over plain HTTP."""
    from urllib.parse import urlencode

    request = urllib.request.Request(url, data=urlencode(form).encode() if form is not None else None)
    if cookie:
        request.add_header("Cookie", f"session={cookie}")
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def session_of(headers: dict, cookie: str | None) -> str | None:
    found = re.search(r"session=([^;]+)", headers.get("Set-Cookie", ""))
    return found.group(1) if found else cookie


def http_sign_in(base: str, password: str = AGENT_PASSWORD) -> tuple[int, str | None]:
    status, headers, html = fetch(f"{base}/login")
    cookie = session_of(headers, None)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    status, headers, _ = fetch(f"{base}/login", cookie, {"csrf_token": token, "email": AGENT_EMAIL, "password": password})
    return status, session_of(headers, cookie)


def opens_the_desk(base: str, cookie: str) -> bool:
    """Ten tries at a page and the API with the cookie, over new connections spread across the workers."""
    answers = {(fetch(f"{base}/", cookie)[0], fetch(f"{base}/api/tickets/", cookie)[0]) for _ in range(10)}
    assert len(answers) == 1, answers  # every worker agrees
    return answers == {(200, 200)}


def test_signing_out_and_a_password_change_end_sessions_in_every_worker(server, app, agent, runner):
    status, cookie = http_sign_in(server)
    assert status == 302 and opens_the_desk(server, cookie)
    copied = cookie
    _, headers, html = fetch(f"{server}/", cookie)
    cookie = session_of(headers, cookie)  # the page put its CSRF token in the session, as a browser keeps
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert fetch(f"{server}/logout", cookie, {"csrf_token": token})[0] == 302
    assert not opens_the_desk(server, copied)

    _, cookie = http_sign_in(server)
    assert opens_the_desk(server, cookie)
    assert runner.invoke(args=["users", "set-password", AGENT_EMAIL, "--password-stdin"],
                         input="an entirely new passphrase\n").exit_code == 0
    assert not opens_the_desk(server, cookie)

    _, cookie = http_sign_in(server, "an entirely new passphrase")
    assert runner.invoke(args=["users", "deactivate", AGENT_EMAIL]).exit_code == 0
    assert runner.invoke(args=["users", "activate", AGENT_EMAIL]).exit_code == 0
    assert not opens_the_desk(server, cookie)


def test_the_sign_in_limit_holds_across_workers(server, app, agent):
    """Forty wrong passwords on forty connections: the workers share one count, in the database."""
    import sqlalchemy as sa

    from ticketdesk.extensions import db
    from ticketdesk.models import SignInAttempt

    statuses = [http_sign_in(server, "not the password")[0] for _ in range(40)]
    with app.app_context():
        checked = db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt))
    assert checked <= 6, checked  # five, and at most one more once a short wait has passed
    assert statuses.count(429) >= 34 and set(statuses) == {400, 429}


def test_with_the_embedded_queue_gunicorn_runs_the_job_worker_itself(app, database_url_for_run, token):
    """`make run`'s set-up: no broker, so the master starts the job worker; a reply posted over HTTP reaches
    the mailbox, the customer's answer to it is fetched from IMAP into the same ticket, and the worker stops
    with the server."""
    from tests.fixtures.imapserver import ImapServer
    from tests.fixtures.mailbox import Mailbox
    from tests.mail_in.test_imap import answer
    mailbox, imap = Mailbox().start(), ImapServer().start()
    port = free_port()
    process, base = start_gunicorn(["-c", "gunicorn.conf.py"], {
        "DATABASE_URL": database_url_for_run, "PORT": str(port), "WEB_CONCURRENCY": "2",
        "SMTP_URL": mailbox.url, "MAIL_FROM": "support@example.com", "IMAP_URL": imap.url(),
        "MAIL_FETCH_SECONDS": "1", "JOB_TICK_SECONDS": "1"}, port)
    try:
        status, _, ticket = call("POST", f"{base}/api/tickets/", {
            "title": "Where is my parcel?", "description": "Order 1182 has not arrived.", "category": "general",
            "priority": "low", "requester": {"email": "ana@example.com"}}, token=token)
        assert status == 201
        status, _, posted = call("POST", f"{base}/api/tickets/{ticket['id']}/messages/",
                                 {"kind": "reply", "body": "It left our warehouse today."}, token=token)
        assert status == 201 and posted["delivery"]["state"] == "queued"
        deadline = time.monotonic() + 30
        while not mailbox.received and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [m["To"] for m in mailbox.received] == ["ana@example.com"]
        imap.deliver(answer(mailbox.received[0], "Found it at the neighbour's, thanks!").replace(
            b"anna.schmidt@example.org", b"ana@example.com"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            thread = call("GET", f"{base}/api/tickets/{ticket['id']}/messages/", token=token)[2]
            if len(thread) == 2:
                break
            time.sleep(0.3)
        assert [(m["kind"], m["body"]) for m in thread][1:] == [("customer", "Found it at the neighbour's, thanks!")]
        workers = subprocess.run(["pgrep", "-f", "flask --app wsgi worker", "-P", str(process.pid)],
                                 capture_output=True, text=True).stdout.split()
        assert len(workers) == 1
    finally:
        stop(process)
        mailbox.stop()
        imap.stop()
    assert subprocess.run(["pgrep", "-f", "flask --app wsgi worker", "-P", str(process.pid)]).returncode == 1
