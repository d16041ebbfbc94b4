"""Replies leave as email: composed and threaded, delivered by the job (run here in the test process through
the same Huey task the worker runs; tests/system/test_worker.py runs a real worker process), retried after
temporary failures, stopped by permanent ones, swept up when their job was lost, never sent twice.
A real SMTP server on 127.0.0.1 receives them; both databases."""
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import add_token, empty_tables, make_app
from ticketdesk.extensions import db
from ticketdesk.jobs.periods import claim
from ticketdesk.mail_out.delivery import deliver, sweep
from ticketdesk.models import Message, utcnow

SUPPORT = "Example Support <support@example.com>"
ANA = {"email": "ana@example.com", "name": "Ana Lima"}
TICKET = {"title": "Invoice shows the wrong VAT", "description": "My invoice INV-7 has 19% instead of 7%.",
          "category": "billing", "priority": "medium", "requester": ANA}


def build_desk(url, **settings):
    app = make_app(url, **settings)
    with app.app_context():
        empty_tables()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {add_token(app, 'mailer')}"
    return app, client


@pytest.fixture
def desk(database_url_for_run, mailbox):
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT,
                             MAIL_RETRY_SECONDS="30,120")
    yield app, client
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run_jobs(app) -> int:
    with app.app_context():
        return app.extensions["jobs"].run_pending()


def run_due(app) -> None:
    """What the worker's scheduler does each second: run the delayed jobs now due, then whatever they queued."""
    huey = app.extensions["jobs"].huey
    with app.app_context():
        for job in huey.read_schedule(huey._get_timestamp()):
            huey.execute(job)
    run_jobs(app)


def reply(client, ticket_id, body="We have corrected the invoice."):
    answer = client.post(f"/api/tickets/{ticket_id}/messages/", json={"kind": "reply", "body": body})
    assert answer.status_code == 201, answer.json
    return answer.json


def stored(app, message_id) -> Message:
    with app.app_context():
        return db.session.get(Message, message_id)


def test_a_reply_reaches_the_requester_as_a_threaded_mail_after_the_request(desk, mailbox):
    app, client = desk
    ticket = client.post("/api/tickets/", json=TICKET).json
    first = reply(client, ticket["id"], "Hello Ana,\n\nwe have corrected the invoice.\n\n<b>Thanks</b>")
    assert first["delivery"] == {"state": "queued", "detail": None}
    assert mailbox.received == []  # the request queued the mail and answered; the job sends it
    assert run_jobs(app) == 1
    [mail] = mailbox.received
    assert mail["From"] == SUPPORT and mail["Reply-To"] == SUPPORT
    assert mail["To"] == "Ana Lima <ana@example.com>" and mail["X-Envelope-To"] == "ana@example.com"
    assert mail["Subject"] == f"Re: Invoice shows the wrong VAT [#{ticket['id']}]"
    message_id = stored(app, first["id"]).mail_message_id
    assert mail["Message-ID"] == message_id and message_id.endswith("@example.com>")
    assert len(message_id.split(".")[2].split("@")[0]) == 24  # the unguessable part
    assert mail["In-Reply-To"] is None
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "we have corrected the invoice." in text and "<b>Thanks</b>" in text
    assert "&lt;b&gt;Thanks&lt;/b&gt;" in html and "<b>Thanks</b>" not in html  # the agent's text, never markup
    thread = client.get(f"/api/tickets/{ticket['id']}/messages/").json
    assert thread[0]["delivery"] == {"state": "sent", "detail": None}

    second = reply(client, ticket["id"], "Anything else?")
    run_jobs(app)
    later = mailbox.received[1]
    assert later["In-Reply-To"] == message_id and later["References"] == message_id
    assert later["Message-ID"] == stored(app, second["id"]).mail_message_id != message_id
    third = reply(client, ticket["id"], "Closing this now.")
    run_jobs(app)
    assert mailbox.received[2]["References"].split() == [message_id, stored(app, second["id"]).mail_message_id]
    assert stored(app, third["id"]).delivery_state == "sent"


def test_notes_never_leave_the_desk(desk, mailbox):
    app, client = desk
    ticket = client.post("/api/tickets/", json=TICKET).json
    note = client.post(f"/api/tickets/{ticket['id']}/messages/", json={"kind": "note", "body": "VAT bug, see #12"})
    assert note.json["delivery"] is None
    client.post(f"/api/tickets/{ticket['id']}/messages/", json={"kind": "customer", "body": "Any news?"})
    assert run_jobs(app) == 0
    with app.app_context():
        deliver(note.json["id"])  # even asked to, a note is not mail
    assert mailbox.received == []
    assert stored(app, note.json["id"]).mail_message_id is None


def test_a_reply_posted_while_smtp_is_down_is_delivered_once_when_it_is_back(database_url_for_run, mailbox):
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT, MAIL_RETRY_SECONDS="0.3,60")
    mailbox.stop()
    ticket = client.post("/api/tickets/", json=TICKET).json
    posted = reply(client, ticket["id"])
    assert posted["delivery"]["state"] == "queued"
    run_jobs(app)
    message = stored(app, posted["id"])
    assert (message.delivery_state, message.delivery_attempts) == ("queued", 1)
    assert message.delivery_detail == ("attempt 1 failed: the mail server refused the connection; "
                                       "trying again in 0.3 s")
    page = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert "not delivered yet: attempt 1 failed: the mail server refused the connection" in page
    mailbox.start()
    time.sleep(0.4)
    assert app.extensions["jobs"].huey.scheduled_count() == 1
    run_due(app)
    with app.app_context():
        deliver(posted["id"])  # a second job for the same mail (a sweep, a duplicate) sends nothing more
        sweep()
        app.extensions["jobs"].run_pending()
    assert len(mailbox.received) == 1
    assert stored(app, posted["id"]).delivery_state == "sent"


def test_a_permanent_refusal_stops_and_is_shown_until_sent_again(desk, mailbox):
    app, client = desk
    ticket = client.post("/api/tickets/", json=TICKET).json
    posted = reply(client, ticket["id"])
    mailbox.answer = "550 5.1.1 <ana@example.com>: no such user"
    run_jobs(app)
    message = stored(app, posted["id"])
    assert message.delivery_state == "failed" and message.delivery_attempts == 1
    assert message.delivery_detail == "550 5.1.1 <ana@example.com>: no such user"
    assert app.extensions["jobs"].huey.scheduled_count() == 0  # no retry of a permanent refusal
    page = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert "not delivered: 550 5.1.1 &lt;ana@example.com&gt;: no such user" in page and "Send again" in page

    mailbox.answer = None
    again = client.post(f"/api/tickets/{ticket['id']}/messages/{posted['id']}/send/")
    assert again.status_code == 202 and again.json["delivery"] == {"state": "queued", "detail": None}
    assert client.post(f"/api/tickets/{ticket['id']}/messages/{posted['id']}/send/").status_code == 409
    run_jobs(app)
    [mail] = mailbox.received
    assert mail["Message-ID"] == message.mail_message_id  # the same mail, so it threads as before
    assert client.post(f"/api/tickets/{ticket['id']}/messages/{posted['id']}/send/").json == {
        "detail": "This reply is already sent."}


def test_temporary_failures_retry_with_growing_waits_then_give_up(database_url_for_run, mailbox):
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT, MAIL_RETRY_SECONDS="0.05,0.1")
    mailbox.answer = "451 4.3.0 mailbox busy"
    ticket = client.post("/api/tickets/", json=TICKET).json
    posted = reply(client, ticket["id"])
    details = []
    run_jobs(app)
    for _ in range(2):
        details.append(stored(app, posted["id"]).delivery_detail)
        time.sleep(0.15)
        run_due(app)
    assert details == ["attempt 1 failed: 451 4.3.0 mailbox busy; trying again in 0.05 s",
                       "attempt 2 failed: 451 4.3.0 mailbox busy; trying again in 0.1 s"]
    message = stored(app, posted["id"])
    assert message.delivery_state == "failed" and message.delivery_attempts == 3
    assert message.delivery_detail == "gave up after 3 attempts: 451 4.3.0 mailbox busy"
    assert mailbox.received == []


def test_the_sweep_sends_mail_whose_job_was_lost_and_leaves_held_mail_alone(desk, mailbox):
    app, client = desk
    ticket = client.post("/api/tickets/", json=TICKET).json
    lost, held = reply(client, ticket["id"], "lost job"), reply(client, ticket["id"], "held by a worker")
    jobs = app.extensions["jobs"]
    jobs.huey.flush()  # the queue restarted empty
    with app.app_context():
        assert sweep() == 0  # just queued: their jobs may still come
        long_ago = utcnow() - timedelta(minutes=5)
        db.session.execute(sa.update(Message).values(next_attempt_at=long_ago))
        db.session.execute(sa.update(Message).where(Message.id == held["id"])
                           .values(claimed_until=utcnow() + timedelta(minutes=1)))
        db.session.commit()
        assert sweep() == 1
        jobs.run_pending()
    assert [m.get_body(("plain",)).get_content().splitlines()[0] for m in mailbox.received] == ["lost job"]
    with app.app_context():  # the worker holding it died: its claim runs out, and the sweep takes it
        db.session.execute(sa.update(Message).where(Message.id == held["id"])
                           .values(claimed_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert sweep() == 1
        jobs.run_pending()
    assert len(mailbox.received) == 2 and stored(app, held["id"]).delivery_state == "sent"


def test_periodic_work_runs_once_per_period_however_many_workers_tick(desk):
    app, _ = desk
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SMTP_URL=app.config["SMTP_URL"], MAIL_FROM=SUPPORT)
    with app.app_context():
        first = app.extensions["jobs"].tick()
    with other.app_context():  # another worker, with its own connections and queue, in the same period
        second = other.extensions["jobs"].tick()
        db.engine.dispose()
    assert sorted(first) == ["mail.purge", "mail.sweep", "ownership.notification_sweep", "sla.scan",
                             "triage.retrain"] and second == []
    with app.app_context():
        assert (claim("report", 3600), claim("report", 3600), claim("report", 0.01)) == (True, False, True)


def test_a_title_cannot_add_headers_and_unicode_survives(desk, mailbox):
    app, client = desk
    ticket = client.post("/api/tickets/", json={**TICKET, "title": "Fatura errada\nBcc: evil@example.net — ação",
                                                "requester": {"email": "joao@example.com", "name": "João Ç"}}).json
    reply(client, ticket["id"], "Olá João, já corrigimos.")
    run_jobs(app)
    [mail] = mailbox.received
    assert mail["Bcc"] is None and mail["X-Envelope-To"] == "joao@example.com"
    assert mail["Subject"] == f"Re: Fatura errada Bcc: evil@example.net — ação [#{ticket['id']}]"
    assert mail["To"].addresses[0].display_name == "João Ç"
    assert "Olá João" in mail.get_body(("plain",)).get_content()


def test_an_address_mail_headers_cannot_carry_fails_with_the_reason_instead_of_retrying(desk, mailbox):
    app, client = desk
    ticket = client.post("/api/tickets/", json={**TICKET, "requester": {"email": "joão@example.com"}}).json
    posted = reply(client, ticket["id"])
    run_jobs(app)
    message = stored(app, posted["id"])
    assert message.delivery_state == "failed" and mailbox.received == []
    assert message.delivery_detail.startswith("the requester's address cannot be written in a mail header")


def test_without_smtp_a_reply_is_kept_unsent_and_cannot_be_sent_again(client, make_ticket):
    ticket = make_ticket(requester=ANA)
    posted = reply(client, ticket["id"])
    assert posted["delivery"] == {"state": "unsent", "detail": "mail is not configured"}
    again = client.post(f"/api/tickets/{ticket['id']}/messages/{posted['id']}/send/")
    assert again.status_code == 409 and "Mail is not configured" in again.json["detail"]
    assert client.post(f"/api/tickets/{ticket['id']}/messages/999/send/").status_code == 404


def test_an_unsent_reply_is_sent_once_mail_is_configured(database_url_for_run, mailbox):
    app, client = build_desk(database_url_for_run)
    ticket = client.post("/api/tickets/", json=TICKET).json
    posted = reply(client, ticket["id"])
    configured = make_app(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT)
    resend = configured.test_client()
    resend.environ_base = client.environ_base
    assert resend.post(f"/api/tickets/{ticket['id']}/messages/{posted['id']}/send/").status_code == 202
    run_jobs(configured)
    assert len(mailbox.received) == 1 and stored(configured, posted["id"]).delivery_state == "sent"


@pytest.mark.parametrize("settings, problem", [
    ({"SMTP_URL": "http://mail.example.com"}, "SMTP_URL must start with smtp:// or smtps://"),
    ({"SMTP_URL": "smtp://mail.example.com"}, "SMTP_URL is set but MAIL_FROM is not"),
    ({"SMTP_URL": "smtps://mail.example.com?starttls=1", "MAIL_FROM": SUPPORT}, "smtps:// is already encrypted"),
    ({"SMTP_URL": "smtp://mail.example.com:99999", "MAIL_FROM": SUPPORT}, "port is not a number"),
    ({"MAIL_FROM": "support"}, "MAIL_FROM must be one address"),
    ({"MAIL_RETRY_SECONDS": "30,soon"}, "MAIL_RETRY_SECONDS must be positive seconds"),
    ({"JOB_BROKER_URL": "amqp://localhost"}, "JOB_BROKER_URL must be redis://"),
])
def test_mail_and_job_settings_that_cannot_work_stop_start_up(settings, problem):
    with pytest.raises(RuntimeError, match=problem):
        make_app("sqlite://", **settings)


def test_smtp_urls_mean_what_they_say():
    from ticketdesk.mail_out.settings import smtp
    server = smtp("smtp://support%40example.com:p%3Ass@mail.example.com:587?starttls=1")
    assert (server.host, server.port, server.starttls, server.ssl) == ("mail.example.com", 587, True, False)
    assert (server.user, server.password) == ("support@example.com", "p:ss")
    assert smtp("smtps://mail.example.com").port == 465 and smtp("smtp://mail.example.com").port == 25


def test_an_agent_replies_from_the_page_and_sends_a_refused_reply_again(database_url_for_run, mailbox):
    from tests.conftest import add_agent, sign_in
    from tests.conversations.test_messages import csrf
    app, api = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT)
    agent = app.test_client()
    sign_in(agent, add_agent(app))
    ticket = api.post("/api/tickets/", json=TICKET).json
    page = agent.post(f"/tickets/{ticket['id']}/messages", data={
        "csrf_token": csrf(agent, ticket["id"]), "kind": "reply", "body": "Corrected, Ana.",
        "then_status": "resolved"}, follow_redirects=True).get_data(as_text=True)
    assert "Reply queued to be sent and status set to resolved." in page and "sending…" in page
    mailbox.answer = "554 5.7.1 rejected as spam"
    run_jobs(app)
    page = agent.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert "not delivered: 554 5.7.1 rejected as spam" in page
    [message_id] = re.findall(rf'action="/tickets/{ticket["id"]}/messages/(\d+)/send"', page)
    mailbox.answer = None
    again = agent.post(f"/tickets/{ticket['id']}/messages/{message_id}/send",
                       data={"csrf_token": csrf(agent, ticket["id"])}, follow_redirects=True)
    assert "Reply queued to be sent again." in again.get_data(as_text=True)
    run_jobs(app)
    assert [m["To"] for m in mailbox.received] == ["Ana Lima <ana@example.com>"]
    assert "Send again" not in agent.get(f"/tickets/{ticket['id']}").get_data(as_text=True)


def test_a_reply_posted_while_the_queue_is_down_is_kept_and_the_sweep_sends_it(database_url_for_run, mailbox):
    from tests.fixtures.servers import free_port
    down = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app, client = build_desk(database_url_for_run, JOB_BROKER_URL=down, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT)
    ticket = client.post("/api/tickets/", json=TICKET).json
    posted = reply(client, ticket["id"])
    assert posted["delivery"]["state"] == "queued"  # the request succeeded; the mail waits in the database
    up = make_app(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT)  # the queue is back
    with up.app_context():
        db.session.execute(sa.update(Message).values(next_attempt_at=utcnow() - timedelta(minutes=2)))
        db.session.commit()
        assert sweep() == 1
    run_jobs(up)
    assert len(mailbox.received) == 1 and stored(up, posted["id"]).delivery_state == "sent"
