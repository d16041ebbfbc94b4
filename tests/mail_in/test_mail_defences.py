"""What a sender cannot do with nothing but the support address, on both databases, with the desk's mail
received by a real SMTP server on 127.0.0.1: inject headers through a name, write into someone else's
ticket with a forged From, read stored mail it should not, keep its junk forever, or make the desk flood
or loop with acknowledgements."""
import re
from email.utils import make_msgid

import pytest
import sqlalchemy as sa

from tests.conftest import add_token
from tests.mail_in.test_mail_in import eml, new_ticket, signed_in_as, take
from tests.mail_out.test_mail_out import SUPPORT, build_desk, run_jobs
from ticketdesk.extensions import db
from ticketdesk.models import IncomingMail, Message, Requester, Ticket

MX = "mx.example.com"
EXPECTED_REPLY_HEADERS = {"From", "Reply-To", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
                          "X-TicketDesk-Ticket", "MIME-Version", "Content-Type", "X-Envelope-To"}


def mail_from(sender: str, subject: str, *, headers: str = "", body: str = "Please look at this again.") -> bytes:
    return (f"{headers}From: {sender}\r\nTo: support@example.com\r\nSubject: {subject}\r\n"
            f"Message-ID: {make_msgid(domain='example.org')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body}\r\n").encode()


def results(verdicts: str, server: str = MX) -> str:
    return f"Authentication-Results: {server};\r\n {verdicts}\r\n"


def customer_messages(client, ticket_id: int) -> list[dict]:
    return [m for m in client.get(f"/api/tickets/{ticket_id}/messages/").json if m["kind"] == "customer"]


RECEIVED = "Received: from mail.attacker.test by {server} with ESMTPS; Fri, 4 Dec 2026 10:00:00 +0000\r\n"


@pytest.fixture
def guarded(database_url_for_run, mailbox):
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT, MAIL_AUTHSERV_ID=MX,
                             MAIL_ACKNOWLEDGE=True)
    yield app, client
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# 2. header injection

def test_a_name_with_line_breaks_from_mail_becomes_one_line_and_the_reply_carries_only_the_desks_headers(guarded, mailbox):
    app, client = guarded
    raw = mail_from("=?utf-8?q?Eve=0D=0ABcc=3A_victim=40evil=2Etest?= <eve@example.org>", "Help",
                    headers=results("dmarc=pass"))
    ticket_id = int(take(app, raw).removeprefix("created ticket #"))
    with app.app_context():
        assert db.session.scalars(sa.select(Requester.name)).one() == "Eve Bcc: victim@evil.test"
    client.post(f"/api/tickets/{ticket_id}/messages/", json={"kind": "reply", "body": "On it."})
    run_jobs(app)
    reply = mailbox.received[-1]
    assert reply["X-Envelope-To"] == "eve@example.org" and "Bcc" not in reply
    assert set(reply.keys()) == EXPECTED_REPLY_HEADERS


def test_a_stored_name_with_line_breaks_never_writes_a_header(guarded, mailbox):
    """A requester stored before names were checked: the reply still goes, to that one address, with the
    desk's headers only (before Python 3.11.10 the email package wrote such a name out as it was)."""
    app, client = guarded
    ticket = client.post("/api/tickets/", json={"title": "Refund", "description": "Please.", "category": "billing",
                                                "priority": "low", "requester": {"email": "eve@example.org"}}).json
    with app.app_context():
        db.session.scalars(sa.select(Requester)).one().name = "Eve\r\nBcc: victim@evil.test\r\nX-Evil: 1"
        db.session.commit()
    client.post(f"/api/tickets/{ticket['id']}/messages/", json={"kind": "reply", "body": "Done."})
    run_jobs(app)
    (reply,) = mailbox.received
    assert reply["X-Envelope-To"] == "eve@example.org"
    assert set(reply.keys()) == EXPECTED_REPLY_HEADERS - {"In-Reply-To", "References"}
    assert "victim" not in reply["To"].addresses[0].addr_spec and reply["To"].addresses[0].addr_spec == "eve@example.org"


# 3. spoofed senders

def test_a_forged_sender_that_fails_dmarc_opens_a_flagged_ticket_instead_of_writing_into_the_customers(guarded, mailbox):
    app, client = guarded
    ticket_id = new_ticket(app)  # Anna's (no MAIL_AUTHSERV_ID results in that mail: trusted as before)
    forged = mail_from("Anna Schmidt <anna.schmidt@example.org>", f"Re: invoice [#{ticket_id}]",
                       headers=results("spf=fail smtp.mailfrom=attacker.test; dkim=none; dmarc=fail header.from=example.org"),
                       body="Please send the refund to IBAN XX00 EVIL instead.")
    said = take(app, forged)
    assert said.startswith("created ticket #") and said != f"created ticket #{ticket_id}"
    flagged = int(said.removeprefix("created ticket #"))
    assert customer_messages(client, ticket_id) == []  # Anna's thread untouched
    with app.app_context():
        row = db.session.scalars(sa.select(IncomingMail).where(IncomingMail.ticket_id == flagged)).one()
        assert row.unverified == "DMARC failed"
    page = signed_in_as(app).get(f"/tickets/{flagged}")
    assert "Sender not verified" in page.text and "DMARC failed" in page.text
    run_jobs(app)
    assert [m["X-Envelope-To"] for m in mailbox.received] == ["anna.schmidt@example.org"]  # only Anna's own ack


@pytest.mark.parametrize("headers", [
    # the operator's server says fail; a pass in the operator's name sits below its Received headers (forged)
    results("dmarc=fail") + RECEIVED.format(server=MX) + RECEIVED.format(server="relay.attacker.test")
    + results("dmarc=pass"),
    # a pass under another server's id, beside the operator's fail
    results("dmarc=pass", server="mx.attacker.test") + results("dmarc=fail"),
    # SPF fails and no DKIM signature passes
    results("spf=fail smtp.mailfrom=example.org; dkim=fail header.d=example.org"),
])
def test_forged_or_failing_results_do_not_verify_a_sender(guarded, headers):
    app, client = guarded
    ticket_id = new_ticket(app)
    said = take(app, mail_from("anna.schmidt@example.org", f"Re: [#{ticket_id}]", headers=headers))
    assert said.startswith("created ticket #") and said != f"created ticket #{ticket_id}"
    assert customer_messages(client, ticket_id) == []


def test_a_pass_forged_below_the_operators_server_is_ignored():
    """Only results above the second Received header count: one lower down was in the mail when it arrived."""
    from email import message_from_bytes, policy

    from ticketdesk.mail_in.reading import _unverified
    forged = RECEIVED.format(server=MX) + RECEIVED.format(server="relay.attacker.test") + results("dmarc=fail")
    message = message_from_bytes(mail_from("a@example.org", "x", headers=forged), policy=policy.default)
    assert _unverified(message, MX) is None
    ours = results("dmarc=fail") + forged
    assert _unverified(message_from_bytes(mail_from("a@example.org", "x", headers=ours), policy=policy.default), MX) == "DMARC failed"


def test_a_pass_from_the_operators_server_threads_as_before(guarded):
    app, _ = guarded
    ticket_id = new_ticket(app)
    ok = mail_from("anna.schmidt@example.org", f"Re: [#{ticket_id}]",
                   headers=results("spf=fail smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass"))
    assert take(app, ok) == f"added to ticket #{ticket_id}"


# 4. who reads stored mail, and for how long

def test_mail_that_became_no_ticket_is_for_admins_and_a_tickets_mail_for_its_readers(guarded):
    app, _ = guarded
    ticket_id = new_ticket(app)
    take(app, eml("malformed-mime.eml"))
    with app.app_context():
        quarantined = db.session.scalars(sa.select(IncomingMail.id).where(IncomingMail.outcome == "quarantined")).one()
        ticket_mail = db.session.scalars(sa.select(IncomingMail.id).where(IncomingMail.ticket_id == ticket_id)).one()
    reader = app.test_client()
    reader.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {add_token(app, 'reader', 'read')}"
    assert reader.get(f"/mail/{quarantined}/raw").status_code == 403
    assert reader.get(f"/mail/{ticket_mail}/raw").status_code == 200
    viewer, admin = signed_in_as(app, "viewer"), signed_in_as(app, "admin")
    assert viewer.get(f"/mail/{quarantined}").status_code == 403
    assert viewer.get(f"/mail/{ticket_mail}").status_code == 200
    assert admin.get(f"/mail/{quarantined}").status_code == 200
    assert admin.get(f"/mail/{quarantined}/raw").data == eml("malformed-mime.eml")


def test_retention_empties_mail_that_became_nothing_and_keeps_the_record_and_the_tickets_mail(guarded):
    app, _ = guarded
    ticket_id = new_ticket(app)
    take(app, eml("malformed-mime.eml"))
    take(app, eml("auto-reply.eml", desk_id="<x@example.com>", references="", subject="x"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["mail", "purge"]).output.endswith("\npurged 0 mails received more than 90 days ago\n")
    assert runner.invoke(args=["mail", "purge", "--older-than", "0"]).output.endswith("\npurged 2 mails received more than 0 days ago\n")
    with app.app_context():
        rows = {r.outcome: r for r in db.session.scalars(sa.select(IncomingMail))}
        assert rows["quarantined"].raw == b"" and rows["ignored"].raw == b"" and rows["ignored"].purged_at is not None
        assert rows["quarantined"].sender and rows["quarantined"].detail  # the record stays
        assert rows["ticket"].raw == eml("new-plain.eml") and rows["ticket"].purged_at is None
        purged = rows["quarantined"].id
    admin = signed_in_as(app, "admin")
    assert "Emptied by retention" in admin.get(f"/mail/{purged}").text
    assert admin.get(f"/mail/{purged}/raw").status_code == 404
    assert "\npurged 0 " in runner.invoke(args=["mail", "purge", "--older-than", "0"]).output
    assert ticket_id


def test_an_admin_deletes_an_ignored_mail_but_not_a_tickets(guarded):
    app, _ = guarded
    ticket_id = new_ticket(app)
    take(app, eml("auto-reply.eml", desk_id="<x@example.com>", references="", subject="x"))
    with app.app_context():
        ids = {r.outcome: r.id for r in db.session.scalars(sa.select(IncomingMail))}
    admin = signed_in_as(app, "admin")
    page = admin.get(f"/mail/{ids['ignored']}")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    admin.post(f"/admin/mail/{ids['ignored']}/delete", data={"csrf_token": token})
    admin.post(f"/admin/mail/{ids['ticket']}/delete", data={"csrf_token": token})
    with app.app_context():
        assert [r.outcome for r in db.session.scalars(sa.select(IncomingMail))] == ["ticket"]
    assert ticket_id


# 5. acknowledgements

def test_acknowledgements_say_they_are_automatic_repeat_no_links_and_stop_at_the_hourly_limit(guarded, mailbox):
    app, _ = guarded
    subject = "Urgent: verify at http://evil.test/login and www.evil.test now or your account " + "x" * 100
    for _ in range(6):
        assert take(app, mail_from("ana@example.org", subject)).startswith("created ticket #")
    run_jobs(app)
    acks = mailbox.received
    assert len(acks) == 3  # MAIL_ACK_LIMIT
    for ack in acks:
        assert ack["Auto-Submitted"] == "auto-replied" and ack["X-Auto-Response-Suppress"] == "All"
        assert "evil.test" not in ack.as_string() and len(ack["Subject"]) < 80
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 6  # every mail is a ticket


@pytest.mark.parametrize("header", ["Return-Path: <>\r\n", "Auto-Submitted: auto-generated\r\n",
                                    "Precedence: bulk\r\n", "List-Unsubscribe: <mailto:u@example.org>\r\n"])
def test_no_acknowledgement_answers_mail_that_must_not_be_answered_automatically(guarded, mailbox, header):
    app, _ = guarded
    said = take(app, mail_from("ana@example.org", "Invoice question", headers=header))
    run_jobs(app)
    assert mailbox.received == []
    assert said.startswith(("created ticket #", "ignored: "))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
