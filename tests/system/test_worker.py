"""A real worker process (`flask worker`) against the machine's Redis, and against the embedded SQLite
queue, delivering replies to a real SMTP server on 127.0.0.1: the web app only queues; the worker sends,
retries after the server was down, and a mail whose worker was killed mid-send is delivered once by the
sweep in another worker. Both databases."""
import os
import signal
import subprocess
import sys
import time

import pytest
import redis

from tests.mail_out.test_mail_out import SUPPORT, TICKET, build_desk, reply, stored
from ticketdesk.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS = "redis://127.0.0.1:6379/15"  # a database of its own, emptied before each test


@pytest.fixture
def broker():
    redis.Redis.from_url(REDIS).flushdb()
    yield REDIS
    redis.Redis.from_url(REDIS).flushdb()


class Workers:
    """Starts `flask worker` processes with the test's settings; kills what is left at the end."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.running: list[subprocess.Popen] = []

    def start(self, **more) -> subprocess.Popen:
        env = {**os.environ, "TICKETDESK_ENV": "testing", "TICKETDESK_CLASSIFIER": "keyword",
               "SECRET_KEY": "test-secret-key-0123456789", "JOB_TICK_SECONDS": "1", "LOG_LEVEL": "INFO",
               **{k: str(v) for k, v in {**self.settings, **more}.items()}}
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--threads", "2"],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.running.append(process)
        return process

    def stop_all(self) -> str:
        said = []
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
            said.append(process.stdout.read().decode(errors="replace"))
        return "\n".join(said)


def until(condition, seconds=20.0, what="the condition"):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds:g} s")
        time.sleep(0.1)


@pytest.fixture
def desk(database_url_for_run, mailbox, broker):
    settings = {"TEST_DATABASE_URL": database_url_for_run, "JOB_BROKER_URL": broker, "SMTP_URL": mailbox.url,
                "MAIL_FROM": SUPPORT, "MAIL_RETRY_SECONDS": "1,60", "MAIL_SWEEP_SECONDS": "1",
                "MAIL_CLAIM_SECONDS": "3"}
    app, client = build_desk(database_url_for_run, **{k: v for k, v in settings.items() if k != "TEST_DATABASE_URL"})
    workers = Workers(settings)
    yield app, client, workers
    log = workers.stop_all()
    print(log[-4000:])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_worker_delivers_a_reply_the_web_app_queued(desk, mailbox):
    app, client, workers = desk
    workers.start()
    ticket = client.post("/api/tickets/", json=TICKET).json
    posted = reply(client, ticket["id"], "Sent by the worker.")
    until(lambda: stored(app, posted["id"]).delivery_state == "sent", what="delivery")
    [mail] = mailbox.received
    assert mail["Subject"] == f"Re: {TICKET['title']} [#{ticket['id']}]"
    assert mail["Message-ID"] == stored(app, posted["id"]).mail_message_id


def test_a_reply_posted_while_smtp_is_down_is_delivered_once_it_is_back(desk, mailbox):
    app, client, workers = desk
    mailbox.stop()
    workers.start()
    ticket = client.post("/api/tickets/", json=TICKET).json
    posted = reply(client, ticket["id"])
    until(lambda: stored(app, posted["id"]).delivery_attempts >= 1, what="the first attempt")
    assert stored(app, posted["id"]).delivery_state == "queued"
    mailbox.start()
    until(lambda: stored(app, posted["id"]).delivery_state == "sent", what="delivery after the server came back")
    time.sleep(2.5)  # sweeps run every second meanwhile: nothing is sent twice
    assert len(mailbox.received) == 1


def test_a_worker_killed_mid_send_leaves_the_mail_to_the_sweep_which_sends_it_once(desk, mailbox):
    app, client, workers = desk
    mailbox.hold.set()  # the server takes the mail's text and does not answer
    first = workers.start()
    ticket = client.post("/api/tickets/", json=TICKET).json
    posted = reply(client, ticket["id"])
    until(lambda: mailbox._released is not None, what="the worker reaching DATA")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    mailbox.release()  # the server answers a client that is gone: nothing was accepted
    assert stored(app, posted["id"]).delivery_state == "queued" and mailbox.received == []
    workers.start()  # the claim runs out after 3 s; this worker's sweep queues the mail again
    until(lambda: stored(app, posted["id"]).delivery_state == "sent", what="delivery by the second worker")
    time.sleep(2)
    assert len(mailbox.received) == 1


def test_the_embedded_queue_needs_no_broker(database_url_for_run, mailbox, tmp_path):
    queue = f"sqlite:///{tmp_path / 'jobs.db'}"
    app, client = build_desk(database_url_for_run, JOB_BROKER_URL=queue, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT)
    workers = Workers({"TEST_DATABASE_URL": database_url_for_run, "JOB_BROKER_URL": queue, "SMTP_URL": mailbox.url,
                       "MAIL_FROM": SUPPORT})
    try:
        workers.start()
        ticket = client.post("/api/tickets/", json=TICKET).json
        posted = reply(client, ticket["id"], "Through the SQLite queue.")
        until(lambda: stored(app, posted["id"]).delivery_state == "sent", what="delivery")
        assert len(mailbox.received) == 1
    finally:
        print(workers.stop_all()[-3000:])
        with app.app_context():
            db.engine.dispose()
