"""Fetching mail from a real IMAP server (Debian's Dovecot, started here on its own port and mail directory):
unseen mail is taken in and only then marked seen or moved; a fetch after a crash creates nothing twice;
a wrong password or a server that is down is said plainly. And the whole round trip, on both databases:
a mail in becomes a ticket, the agent's reply leaves by SMTP, the customer's answer to that reply comes
back by IMAP into the same ticket, in the test process, with a separate worker process on Redis, and with
the worker on the embedded SQLite queue."""
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.fixtures import hostile
from tests.fixtures.imapserver import PASSWORD, ImapServer
from tests.mail_in.test_mail_in import eml
from tests.mail_out.test_mail_out import SUPPORT, build_desk, run_jobs
from tests.system.test_worker import REDIS, Workers, until
from ticketdesk.extensions import db
from ticketdesk.mail_in.imap import FetchFailed, fetch
from ticketdesk.models import IncomingMail, Message, Ticket


@pytest.fixture(scope="module")
def dovecot():
    server = ImapServer().start()
    yield server
    server.stop()


@pytest.fixture
def imap(dovecot):
    """The mailbox, emptied: every folder's mail deleted."""
    with dovecot.client() as client:
        for folder in ("INBOX", "Done"):
            client.select_folder(folder)
            uids = client.search("ALL")
            if uids:
                client.delete_messages(uids)
                client.expunge()
    return dovecot


def tickets(app) -> list[Ticket]:
    with app.app_context():
        return db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()


def take(app, url, move_to=None):
    with app.app_context():
        return fetch(url, move_to)


def test_unseen_mail_becomes_tickets_and_is_marked_seen_only_once_taken(database_url_for_run, imap):
    app, _ = build_desk(database_url_for_run)
    imap.deliver(eml("new-plain.eml"), eml("latin1.eml"), eml("auto-reply.eml", desk_id="<x@y>", subject="x"))
    fetched = take(app, imap.url())
    assert [o.said.split(" #")[0] for o in fetched.outcomes] == ["created ticket", "created ticket",
                                                                 "ignored: automatic mail (Auto-Submitted: auto-replied)"]
    assert fetched.summary() == "3 mails: 2 created, 1 ignored"
    assert [t.title for t in tickets(app)] == ["Invoice charged twice this month", "Problème de facturation"]
    assert all(b"\\Seen" in flags for flags in imap.flags())
    assert take(app, imap.url()).outcomes == []  # nothing unseen is left


def test_a_fetch_after_a_crash_before_marking_seen_creates_nothing_twice(database_url_for_run, imap):
    app, _ = build_desk(database_url_for_run)
    imap.deliver(eml("new-plain.eml"), eml("no-message-id.eml"))
    take(app, imap.url())
    with imap.client() as client:  # as if the desk had died between its commit and marking the mail seen
        client.select_folder("INBOX")
        client.remove_flags(client.search("ALL"), [b"\\Seen"])
    again = take(app, imap.url())
    assert [o.said.split(" #")[0] for o in again.outcomes] == ["duplicate of ticket"] * 2
    assert len(tickets(app)) == 2 and all(b"\\Seen" in flags for flags in imap.flags())


def test_fetched_mail_can_be_moved_to_another_folder_instead(database_url_for_run, imap):
    app, _ = build_desk(database_url_for_run)
    imap.deliver(eml("new-plain.eml"), eml("malformed-mime.eml"))
    outcomes = take(app, imap.url(), move_to="Done").outcomes
    assert [o.said.split(":")[0].split(" #")[0] for o in outcomes] == ["created ticket", "quarantined"]
    assert imap.flags("INBOX") == [] and len(imap.flags("Done")) == 2  # the quarantined mail is kept by the desk


def test_a_large_mailbox_is_fetched_in_batches(database_url_for_run, imap):
    app, _ = build_desk(database_url_for_run)
    raw = eml("new-plain.eml")
    imap.deliver(*(raw.replace(b"<CAF7a9b1c2d3e4f5@", f"<many-{i}@".encode()) for i in range(120)))
    assert len(take(app, imap.url()).outcomes) == 120  # three batches of at most 50
    assert len(tickets(app)) == 120 and len(imap.flags()) == 120


def test_a_mail_over_the_size_limit_is_downloaded_only_up_to_it_and_a_slow_one_never_again(database_url_for_run, imap):
    """IMAP asks the sizes first: a larger mail is fetched in part (its first MAIL_MAX_MESSAGE_BYTES), kept
    cut and quarantined; a mail that hits MAIL_PARSE_SECONDS is quarantined; both are marked seen, so the
    next fetch takes neither again."""
    limit = 2 * 1024 * 1024  # the slow mail (1.6 MB) is within it
    app, _ = build_desk(database_url_for_run, MAIL_MAX_MESSAGE_BYTES=limit, MAIL_PARSE_SECONDS=0.5,
                        MAIL_MAX_ATTACHMENTS=1000)
    big = eml("new-plain.eml").replace(b"<CAF7a9b1c2d3e4f5@", b"<big@").replace(b"\n", b"\r\n") + b"x" * 3_000_000
    imap.deliver(big, hostile.slow_within_limits(), eml("new-plain.eml"))
    outcomes = take(app, imap.url()).outcomes
    assert sorted(o.kind for o in outcomes) == ["created", "quarantined", "quarantined"]
    assert len([o for o in outcomes if o.said.endswith("allowed (MAIL_PARSE_SECONDS)")]) == 1
    (cut_one,) = [o for o in outcomes if o.said.endswith("only its first 2.0 MiB are kept")]
    with app.app_context():
        cut = db.session.get(IncomingMail, cut_one.mail_id)
        assert (cut.size, len(cut.raw), cut.raw) == (len(big), limit, big[:limit])
    assert all(b"\\Seen" in flags for flags in imap.flags())
    assert take(app, imap.url()).outcomes == []


def test_a_wrong_password_or_a_server_that_is_down_is_said_and_leaves_the_mail(database_url_for_run, imap):
    app, _ = build_desk(database_url_for_run)
    imap.deliver(eml("new-plain.eml"))
    with pytest.raises(FetchFailed, match="AUTHENTICATIONFAILED|Authentication failed"):
        take(app, imap.url().replace(quote(PASSWORD, safe=""), "wrong"))
    with pytest.raises(FetchFailed, match="refused the connection"):
        take(app, "imap://a:b@127.0.0.1:1/INBOX")
    assert tickets(app) == [] and len(imap.flags()) == 1 and b"\\Seen" not in imap.flags()[0]


def test_flask_mail_fetch_says_what_each_mail_became(database_url_for_run, imap):
    app, _ = build_desk(database_url_for_run, IMAP_URL=imap.url())
    imap.deliver(eml("new-plain.eml"), eml("html-newsletter.eml"))
    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 0, result.output
    ticket_id = tickets(app)[0].id
    assert result.output.splitlines()[-3:] == [f"created ticket #{ticket_id}", "ignored: bulk mail (Precedence: bulk)",
                                          "2 mails: 1 created, 1 ignored"]
    down = build_desk(database_url_for_run, IMAP_URL="imap://a:b@127.0.0.1:1/INBOX")[0]
    result = down.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 1 and "not fetched: 127.0.0.1:1: the IMAP server refused the connection" in result.output


def answer(sent: EmailMessage, text: str) -> bytes:
    """The customer's mail program answering the desk's mail `sent`: threaded, quoting it."""
    mail = EmailMessage()
    mail["From"] = "Anna Schmidt <anna.schmidt@example.org>"
    mail["To"] = sent["Reply-To"]
    mail["Subject"] = f"Re: {sent['Subject']}"
    mail["Message-ID"] = make_msgid(domain="example.org")
    mail["In-Reply-To"] = sent["Message-ID"]
    mail["References"] = f"{sent.get('References', '')} {sent['Message-ID']}".strip()
    quoted = "\n".join(f"> {line}" for line in sent.get_body(("plain",)).get_content().splitlines())
    mail.set_content(f"{text}\n\nOn Wed, 2 Dec 2026, Example Support wrote:\n{quoted}\n")
    return mail.as_bytes()


@pytest.mark.parametrize("worker", ["in the test process", "a worker process on Redis", "a worker process on the embedded queue"])
def test_round_trip_mail_in_reply_out_answer_in_lands_in_the_same_ticket(database_url_for_run, imap, mailbox,
                                                                         tmp_path, worker):
    settings = {"SMTP_URL": mailbox.url, "MAIL_FROM": SUPPORT, "IMAP_URL": imap.url(), "MAIL_FETCH_SECONDS": "1",
                "MAIL_RETRY_SECONDS": "1,60", "MAIL_SWEEP_SECONDS": "1", "TICKETDESK_AUTH": "required"}
    if worker != "in the test process":
        settings["JOB_BROKER_URL"] = REDIS if "Redis" in worker else f"sqlite:///{tmp_path / 'jobs.db'}"
        if "Redis" in worker:
            import redis
            redis.Redis.from_url(REDIS).flushdb()
    app, client = build_desk(database_url_for_run, **settings)
    workers = Workers({**settings, "TEST_DATABASE_URL": database_url_for_run})
    try:
        if worker != "in the test process":
            workers.start()

        def step():  # what the worker does by itself: fetch, then send what is queued
            if worker == "in the test process":
                take(app, imap.url())
                run_jobs(app)

        imap.deliver(eml("new-plain.eml"))
        until(lambda: step() or tickets(app), 30, "the mail's ticket")
        (ticket,) = tickets(app)
        assert ticket.requester.email == "anna.schmidt@example.org" and ticket.created_by == "mail"

        posted = client.post(f"/api/tickets/{ticket.id}/messages/", json={"kind": "reply", "body": "We refunded it."})
        assert posted.status_code == 201
        until(lambda: step() or mailbox.received, 30, "the reply's delivery")
        (sent,) = mailbox.received
        assert sent["To"] == "Anna Schmidt <anna.schmidt@example.org>"
        assert sent["In-Reply-To"] == "<CAF7a9b1c2d3e4f5@mail.example.org>"  # it answers her mail

        imap.deliver(answer(sent, "It is there now, thank you!"))
        with app.app_context():
            def answered():
                step()
                db.session.rollback()
                return db.session.scalars(sa.select(Message).where(Message.kind == "customer")).all()
            until(answered, 30, "the customer's answer")
            (said,) = answered()
            assert said.ticket_id == ticket.id and said.body == "It is there now, thank you!"
            assert db.session.scalar(sa.select(sa.func.count()).select_from(IncomingMail)) == 2
        assert len(tickets(app)) == 1
    finally:
        said = workers.stop_all()
    assert "Traceback" not in said, said


def test_one_fetch_at_a_time_across_workers_and_a_dead_workers_lease_runs_out(database_url_for_run, imap):
    """A fetch that outlasts its period (a backlog) is not joined by another downloading the same mail; a
    worker that died mid-fetch holds the mailbox only until its lease runs out."""
    from datetime import timedelta

    from ticketdesk.jobs.periods import hold
    from ticketdesk.mail_in.imap import LEASE, fetch_alone
    from ticketdesk.models import PeriodicRun
    app, _ = build_desk(database_url_for_run, IMAP_URL=imap.url())
    imap.deliver(eml("new-plain.eml"))
    with app.app_context():
        assert hold(LEASE, 120)  # another worker, fetching now
        with pytest.raises(FetchFailed, match="another worker is fetching the mailbox now"):
            fetch_alone(imap.url())
        result = app.test_cli_runner().invoke(args=["mail", "fetch"])
        assert result.exit_code == 1 and "another worker is fetching" in result.output
        assert tickets(app) == []
        lease = db.session.get(PeriodicRun, LEASE)  # that worker died: its lease runs out
        lease.period_start -= timedelta(seconds=121)
        db.session.commit()
        assert [o.said.split(" #")[0] for o in fetch_alone(imap.url()).outcomes] == ["created ticket"]
        assert hold(LEASE, 120)  # released at the end of the fetch
