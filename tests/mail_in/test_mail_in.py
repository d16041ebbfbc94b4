"""Mail in: every .eml in tests/fixtures/mail/ through `ingest`, the one way in behind IMAP and the pipe, on both
databases, with the desk's replies sent to a real SMTP server on 127.0.0.1 (tests/mail_in/test_imap.py fetches
from a real IMAP server; tests/system/test_mail_pipe.py runs `flask mail ingest` as a process).

Each fixture is a real-world shape: Gmail, Outlook and Apple Mail replies, a forwarded mail, a calendar
invitation, an HTML-only mail and newsletter, auto-replies, a bounce, and mail in seven charsets. Those
that answer the desk carry placeholders ({{DESK_ID}}, {{REFERENCES}}, {{SUBJECT}}) filled with the
Message-ID and subject of a reply the desk really sent."""

import threading

import pytest
import sqlalchemy as sa

from tests.conftest import add_agent, make_app, sign_in
from tests.fixtures import FIXTURES
from tests.mail_out.test_mail_out import SUPPORT, build_desk, run_jobs
from ticketdesk.extensions import db
from ticketdesk.mail_in import intake
from ticketdesk.mail_in.intake import ingest, ingest_all
from ticketdesk.models import Attachment, IncomingMail, Message, Requester, Ticket, User

MAIL = FIXTURES / "mail"
LOOPS = ["auto-reply.eml", "out-of-office.eml", "x-autoreply.eml", "precedence-junk.eml", "mailing-list.eml",
         "html-newsletter.eml", "from-desk.eml"]


def eml(name: str, **values) -> bytes:
    raw = (MAIL / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{{" + key.upper().encode() + b"}}", value.encode())
    return raw


@pytest.fixture
def desk(database_url_for_run, mailbox):
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT, MAIL_RETRY_SECONDS="30",
                             TICKETDESK_AUTH="required")
    yield app, client
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def take(app, raw: bytes) -> str:
    with app.app_context():
        return ingest(raw).said


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def ticket_of(app, ticket_id: int) -> Ticket:
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        ticket.requester  # loaded while the session is open
        return ticket


def new_ticket(app, name="new-plain.eml") -> int:
    said = take(app, eml(name))
    assert said.startswith("created ticket #"), said
    return int(said.removeprefix("created ticket #").split()[0])


def desk_reply(app, client, mailbox, ticket_id: int) -> dict:
    """An agent's reply, sent through SMTP; the values a customer's answer to it carries."""
    answer = client.post(f"/api/tickets/{ticket_id}/messages/", json={"kind": "reply", "body": "We refunded it."})
    assert answer.status_code == 201, answer.json
    run_jobs(app)
    sent = mailbox.received[-1]
    return {"desk_id": sent["Message-ID"], "references": sent.get("References", "") + " " + sent["Message-ID"],
            "subject": sent["Subject"].removeprefix("Re: ")}


def thread(client, ticket_id: int) -> list[dict]:
    return client.get(f"/api/tickets/{ticket_id}/messages/").json


def signed_in_as(app, role: str = "agent"):
    """A browser signed in as a new agent with `role`."""
    client = app.test_client()
    user_id = add_agent(app, f"{role}@example.com")
    with app.app_context():
        db.session.get(User, user_id).role = role
        db.session.commit()
    sign_in(client, user_id)
    return client


def test_a_new_mail_becomes_a_ticket_from_its_sender_triaged_on_arrival(desk):
    app, client = desk
    ticket = client.get(f"/api/tickets/{new_ticket(app)}/").json
    assert ticket["title"] == "Invoice charged twice this month"
    assert ticket["description"].startswith("Hello,\n\nmy credit card was charged twice")
    assert ticket["description"].endswith("Thanks,\nAnna")  # a new ticket keeps the whole text
    assert ticket["requester"] == {"email": "anna.schmidt@example.org", "name": "Anna Schmidt"}
    assert ticket["created_by"] == "mail" and ticket["status"] == "open"
    assert ticket["updated_at"] == ticket["created_at"]  # written once: no second UPDATE of the new ticket
    assert ticket["category"] == "billing" and ticket["triaged_by"]  # the local classifiers, at once
    stored = ticket_of(app, ticket["id"])
    assert stored.category_set_by == stored.priority_set_by == "desk" and stored.waiting_since is not None


def test_the_same_mail_twice_is_a_duplicate_by_message_id_or_by_its_bytes(desk):
    app, client = desk
    ticket_id = new_ticket(app)
    assert take(app, eml("new-plain.eml")) == f"duplicate of ticket #{ticket_id}"
    no_id = new_ticket(app, "no-message-id.eml")
    assert take(app, eml("no-message-id.eml")) == f"duplicate of ticket #{no_id}"
    changed = eml("no-message-id.eml").replace(b"is broken", b"is broken again")
    assert take(app, changed).startswith("created ticket #")
    assert count(app, Ticket) == 3 and count(app, IncomingMail) == 3


@pytest.mark.parametrize("name, said, gone", [
    ("gmail-reply.eml", "Thanks, the refund arrived this morning. All good now!", "we have refunded"),
    ("outlook-reply.eml", "I still cannot sign in after the password reset – the page says “account locked”.",
     "Please try resetting"),
    ("apple-mail-reply.eml", "Here is a screenshot of the error.", "Could you send us a screenshot"),
])
def test_a_reply_to_the_desks_mail_lands_in_its_thread_without_the_quoted_mail(desk, mailbox, name, said, gone):
    app, client = desk
    ticket_id = new_ticket(app)
    values = desk_reply(app, client, mailbox, ticket_id)
    assert take(app, eml(name, **values)) == f"added to ticket #{ticket_id}"
    customer = thread(client, ticket_id)[-1]
    assert customer["kind"] == "customer" and said in customer["body"]
    assert gone not in customer["body"] and "wrote:" not in customer["body"] and "Sent from my iPhone" not in customer["body"]
    with app.app_context():  # the original, quotes and all, is kept and viewable
        mail_id = db.session.scalar(sa.select(IncomingMail.id).where(IncomingMail.message_id == customer["id"]))
    assert ticket_of(app, ticket_id).waiting_since is not None
    signed_in = signed_in_as(app)
    assert f'href="/mail/{mail_id}"' in signed_in.get(f"/tickets/{ticket_id}").get_data(as_text=True)


def test_a_reply_reads_its_ticket_and_the_settings_generation_once_with_the_message_it_answers(desk, mailbox):
    app, client = desk
    ticket_id = new_ticket(app)
    values = desk_reply(app, client, mailbox, ticket_id)
    statements = []
    note = lambda _conn, _cursor, statement, *_args: statements.append(" ".join(statement.split()))  # noqa: E731
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            said = ingest(eml("gmail-reply.eml", **values)).said
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
    assert said == f"added to ticket #{ticket_id}"
    reads = [sql for sql in statements if sql.startswith("SELECT") and "tickets" in sql.split(" WHERE ")[0]]
    assert len(reads) == 1 and "FROM messages JOIN tickets" in reads[0], reads
    assert "desk_generation" in reads[0]  # the settings generation rides in the same query:
    assert not [sql for sql in statements if sql.startswith("SELECT (SELECT desk_generation")]  # no read of its own
    writes = [sql.split(" SET ")[0].split(" (")[0] for sql in statements if not sql.startswith("SELECT")]
    assert writes == ["INSERT INTO messages", "UPDATE tickets", "INSERT INTO incoming_mails"], writes


def test_the_original_mail_shows_everything_and_downloads_as_it_came(desk, mailbox):
    app, client = desk
    ticket_id = new_ticket(app)
    raw = eml("gmail-reply.eml", **desk_reply(app, client, mailbox, ticket_id))
    take(app, raw)
    with app.app_context():
        mail_id = db.session.scalar(sa.select(IncomingMail.id).where(IncomingMail.outcome == "message"))
    signed_in = signed_in_as(app)
    page = signed_in.get(f"/mail/{mail_id}").get_data(as_text=True)
    assert "Hello Anna, we have refunded the second payment." in page and "Anna Schmidt" in page
    download = client.get(f"/mail/{mail_id}/raw")
    assert download.data == raw and download.headers["Content-Disposition"].startswith("attachment")


def test_a_reply_from_someone_else_is_kept_and_shows_its_sender(desk, mailbox):
    app, client = desk
    ticket_id = new_ticket(app)  # Anna's; Jean-François answers the desk's mail to her
    assert take(app, eml("outlook-reply.eml", **desk_reply(app, client, mailbox, ticket_id))) == \
        f"added to ticket #{ticket_id}"
    assert thread(client, ticket_id)[-1]["author"] == "jf.dupont@acme.example"
    signed_in = signed_in_as(app)
    assert "not the requester" in signed_in.get(f"/tickets/{ticket_id}").get_data(as_text=True)


def test_a_subject_token_counts_only_from_the_tickets_requester(desk):
    app, client = desk
    ticket_id = new_ticket(app)
    subject = f"Invoice charged twice this month [#{ticket_id}]"
    assert take(app, eml("reply-by-token.eml", subject=subject)) == f"added to ticket #{ticket_id}"
    stranger = eml("reply-by-token.eml", subject=subject).replace(b"anna.schmidt@example.org", b"mallory@evil.example") \
        .replace(b"token-reply-1", b"token-reply-2")
    said = take(app, stranger)
    assert said.startswith("created ticket #") and said != f"added to ticket #{ticket_id}"
    assert [m["author"] for m in thread(client, ticket_id)] == ["anna.schmidt@example.org"]


def test_a_guessed_desk_message_id_writes_into_no_ticket(desk, mailbox):
    app, client = desk
    ticket_id = new_ticket(app)
    real = desk_reply(app, client, mailbox, ticket_id)["desk_id"]
    guessed = real[:real.index(".", 8) + 1] + "0" * 24 + real[real.index("@"):]  # the right ticket, a guessed random part
    forged = eml("gmail-reply.eml", desk_id=guessed, references=guessed, subject="anything") \
        .replace(b"anna.schmidt@example.org", b"mallory@evil.example")
    assert take(app, forged).startswith("created ticket #")
    assert [m["kind"] for m in thread(client, ticket_id)] == ["reply"]


def test_a_reply_reopens_a_resolved_ticket_and_one_to_a_closed_ticket_starts_a_follow_up(desk, mailbox):
    app, client = desk
    ticket_id = new_ticket(app)
    values = desk_reply(app, client, mailbox, ticket_id)
    client.patch(f"/api/tickets/{ticket_id}/", json={"status": "resolved"})
    take(app, eml("gmail-reply.eml", **values))
    assert client.get(f"/api/tickets/{ticket_id}/").json["status"] == "open"
    client.patch(f"/api/tickets/{ticket_id}/", json={"status": "closed"})
    later = eml("gmail-reply.eml", **values).replace(b"CAGmail-reply-8d7f", b"CAGmail-reply-later")
    said = take(app, later)
    assert said.startswith("created ticket #") and f"follows up closed ticket #{ticket_id}" in said
    follow_up = int(said.removeprefix("created ticket #").split()[0])
    assert client.get(f"/api/tickets/{ticket_id}/").json["status"] == "closed"
    assert client.get(f"/api/tickets/{follow_up}/").json["follows_up"] == ticket_id
    again = eml("gmail-reply.eml", **values).replace(b"CAGmail-reply-8d7f", b"CAGmail-reply-again")
    assert take(app, again) == f"added to ticket #{follow_up}"  # one follow-up, however often the old mail is answered
    assert ticket_of(app, follow_up).requester.email == "anna.schmidt@example.org"
    signed_in = signed_in_as(app)
    assert f'href="/tickets/{ticket_id}"' in signed_in.get(f"/tickets/{follow_up}").get_data(as_text=True)
    assert f'href="/tickets/{follow_up}"' in signed_in.get(f"/tickets/{ticket_id}").get_data(as_text=True)


def test_the_same_mail_taken_by_two_workers_at_once_becomes_one_ticket(desk, database_url_for_run):
    """Two workers (an IMAP fetch whose lease ran out, and the MTA's pipe) take one mail at the same moment:
    the one that commits second finds the first one's copy and rolls back what it wrote."""
    app, _client = desk
    workers = [app, make_app(database_url_for_run)]
    start, said = threading.Barrier(2), {}

    def take_now(worker):
        with worker.app_context():
            start.wait()
            said[worker] = ingest(eml("new-plain.eml")).kind
            db.session.remove()

    threads = [threading.Thread(target=take_now, args=(worker,)) for worker in workers]
    for thread_ in threads:
        thread_.start()
    for thread_ in threads:
        thread_.join(30)
    with workers[1].app_context():
        db.engine.dispose()
    assert sorted(said.values()) == ["created", "duplicate"]
    assert count(app, Ticket) == 1 and count(app, IncomingMail) == 1 and count(app, Requester) == 1


def test_a_batch_is_taken_in_its_order_and_a_copy_inside_it_is_a_duplicate(desk):
    app, _client = desk
    mails = [eml("new-plain.eml"), eml("new-plain.eml").replace(b"Message-ID: <", b"Message-ID: <other-"),
             eml("new-plain.eml"), b"not a mail at all"]
    with app.app_context():
        outcomes = list(ingest_all([(raw, None) for raw in mails]))
    assert [outcome.kind for outcome in outcomes] == ["created", "created", "duplicate", "quarantined"]
    assert outcomes[0].ticket_id < outcomes[1].ticket_id and outcomes[2].mail_id == outcomes[0].mail_id
    assert count(app, IncomingMail) == 3 and count(app, Ticket) == 2  # the unreadable one kept, and shown


def numbered(i: int, subject: str = "Invoice charged twice this month") -> bytes:
    """new-plain.eml with a Message-ID, a sender and a subject of its own."""
    return (eml("new-plain.eml").replace(b"Message-ID: <", f"Message-ID: <{i}-".encode())
            .replace(b"Anna.Schmidt@Example.org", f"sender{i}@example.org".encode())
            .replace(b"Subject: Invoice charged twice this month", f"Subject: {subject}".encode()))


def test_a_batch_of_mails_is_committed_together(desk):
    app, client = desk
    commits = []

    def committed(connection):
        commits.append(connection)
    with app.app_context():
        sa.event.listen(db.engine, "commit", committed)
        outcomes = list(ingest_all([(numbered(i), None) for i in range(5)]))
        sa.event.remove(db.engine, "commit", committed)
    assert [outcome.kind for outcome in outcomes] == ["created"] * 5
    assert len(commits) == 2  # the copies already taken looked up, then the five mails with what they became
    assert [client.get(f"/api/tickets/{o.ticket_id}/").json["requester"]["email"] for o in outcomes] == \
        [f"sender{i}@example.org" for i in range(5)]


def test_a_batchs_mails_are_kept_by_one_insert_each_with_its_files(desk, database_url_for_run):
    app, client = desk
    statements = []
    note = lambda _conn, _cursor, statement, *_args: statements.append(statement)  # noqa: E731
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
        outcomes = list(ingest_all([(numbered(i), None) for i in range(3)] + [(eml("attachment.eml"), None)]))
        sa.event.remove(db.engine, "before_cursor_execute", note)
        kept = {mail.id: mail.ticket_id for mail in db.session.scalars(sa.select(IncomingMail))}
        files_of = set(db.session.scalars(sa.select(Attachment.mail_id)))
    assert [outcome.kind for outcome in outcomes] == ["created"] * 4
    inserts = len([sql for sql in statements if sql.startswith("INSERT INTO incoming_mails")])
    # SQLite's RETURNING promises no order of rows, so SQLAlchemy writes them one by one there (in process: cheap)
    assert inserts == (1 if database_url_for_run.startswith("postgresql") else 4)
    assert {outcome.mail_id: outcome.ticket_id for outcome in outcomes} == kept  # each outcome names its own mail
    files = client.get(f"/api/tickets/{outcomes[3].ticket_id}/attachments/").json
    assert sorted(f["filename"] for f in files) == ["Déclaration signée.pdf", "page.html"]
    assert files_of == {outcomes[3].mail_id}


def test_a_mail_answering_its_senders_earlier_mail_in_the_same_batch_joins_that_ticket(desk):
    """The earlier mail's row is written before the answer looks for it, as if each were written at once."""
    app, client = desk
    first = numbered(1, "Printer on fire")
    answer = (numbered(2, "Re: Printer on fire")
              .replace(b"Message-ID: <2-", b"In-Reply-To: <1-CAF7a9b1c2d3e4f5@mail.example.org>\nMessage-ID: <2-")
              .replace(b"sender2@example.org", b"sender1@example.org"))
    with app.app_context():
        outcomes = list(ingest_all([(first, None), (answer, None)]))
    assert [outcome.kind for outcome in outcomes] == ["created", "added"]
    assert outcomes[1].ticket_id == outcomes[0].ticket_id
    assert [m["author"] for m in thread(client, outcomes[0].ticket_id)] == ["sender1@example.org"]


def test_a_mail_that_fails_in_a_batch_is_quarantined_alone_and_the_others_go_in_once(database_url_for_run, mailbox,
                                                                                     monkeypatch):
    """The batch's transaction is rolled back and its mails taken again one at a time: nothing it wrote is
    kept twice, and no acknowledgement goes out for what was rolled back."""
    app, _client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT, MAIL_ACKNOWLEDGE=True)
    file_ticket = intake.file_ticket

    def fails_on_the_second(fields, **kwargs):
        if fields["title"] == "Second":
            raise RuntimeError("the classifier fell over")
        return file_ticket(fields, **kwargs)
    monkeypatch.setattr(intake, "file_ticket", fails_on_the_second)
    with app.app_context():
        mails = [(numbered(i, subject), None) for i, subject in enumerate(["First", "Second", "Third"])]
        outcomes = list(ingest_all(mails))
    assert [outcome.said for outcome in outcomes] == [
        f"created ticket #{outcomes[0].ticket_id}",
        "quarantined: the desk failed reading it (RuntimeError: the classifier fell over)",
        f"created ticket #{outcomes[2].ticket_id}"]
    assert count(app, Ticket) == 2 and count(app, IncomingMail) == 3 and count(app, Requester) == 2
    run_jobs(app)
    assert sorted(ack["To"].addresses[0].addr_spec for ack in mailbox.received) == ["sender0@example.org",
                                                                                  "sender2@example.org"]


def test_a_mail_another_worker_takes_while_its_batch_is_written_is_a_duplicate_there(desk, database_url_for_run,
                                                                                      monkeypatch):
    app, _client = desk
    other, mails, meanwhile = make_app(database_url_for_run), [numbered(i) for i in range(3)], []
    begin_reading = intake._begin_reading

    def and_meanwhile(chunk):
        pending = begin_reading(chunk)  # none of the batch taken yet
        if not meanwhile:  # the MTA's pipe takes the second mail now, on another worker
            meanwhile.append(True)
            with other.app_context():
                meanwhile.append(ingest(mails[1]))
                db.session.remove()
                db.engine.dispose()
        return pending
    monkeypatch.setattr(intake, "_begin_reading", and_meanwhile)
    with app.app_context():
        outcomes = list(ingest_all([(raw, None) for raw in mails]))
    assert meanwhile[1].kind == "created"
    assert [outcome.kind for outcome in outcomes] == ["created", "duplicate", "created"]
    assert outcomes[1].ticket_id == meanwhile[1].ticket_id
    assert count(app, Ticket) == 3 and count(app, IncomingMail) == 3


@pytest.mark.parametrize("name", LOOPS)
def test_automatic_mail_creates_nothing_and_is_answered_with_nothing(database_url_for_run, mailbox, name):
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT, MAIL_ACKNOWLEDGE=True)
    ticket_id = new_ticket(app)
    values = desk_reply(app, client, mailbox, ticket_id)
    sent = len(mailbox.received)  # the acknowledgement and the reply
    said = take(app, eml(name, **values))
    assert said.startswith("ignored: "), said
    run_jobs(app)
    assert len(mailbox.received) == sent
    assert count(app, Ticket) == 1 and [m["kind"] for m in thread(client, ticket_id)] == ["reply", "reply"]
    assert take(app, eml(name, **values)).startswith("duplicate of mail #")


def test_a_bounce_of_a_desk_reply_marks_its_delivery_failed(desk, mailbox):
    app, client = desk
    ticket_id = new_ticket(app)
    values = desk_reply(app, client, mailbox, ticket_id)
    assert thread(client, ticket_id)[-1]["delivery"]["state"] == "sent"
    assert take(app, eml("bounce.eml", **values)) == f"bounce: marked the reply to ticket #{ticket_id} not delivered"
    delivery = thread(client, ticket_id)[-1]["delivery"]
    assert delivery["state"] == "failed" and "550 5.1.1" in delivery["detail"] and "User unknown" in delivery["detail"]
    assert count(app, Ticket) == 1 and len(thread(client, ticket_id)) == 1
    assert take(app, eml("bounce.eml", desk_id="<someone-elses@example.org>", subject="x")) \
        .startswith("duplicate of mail #")  # the same report again


@pytest.mark.parametrize("name, title, text", [
    ("latin1.eml", "Problème de facturation", "Bonjour, ma facture de décembre est erronée. Merci à vous !"),
    ("windows-1252.eml", "“Smart” quotes – and a € sign", "The price shows as “€ 49” — but I paid €39."),
    ("shift_jis.eml", "ログインできません", "パスワードを再設定してもログインできません。よろしくお願いします。"),
    ("gb2312.eml", "无法登录账户", "我重置密码后仍然无法登录，请帮忙。谢谢！"),
    ("koi8-r.eml", "Не приходит счёт", "Здравствуйте! Мне не пришёл счёт за ноябрь."),
    ("utf8-headers.eml", "Fakturan för november saknas", "Hej! Jag har inte fått fakturan för november."),
])
def test_declared_charsets_and_encoded_headers_decode_without_mojibake(desk, name, title, text):
    app, client = desk
    ticket = client.get(f"/api/tickets/{new_ticket(app, name)}/").json
    assert (ticket["title"], ticket["description"]) == (title, text)
    if name == "utf8-headers.eml":
        assert ticket["requester"]["name"] == "Zoë Ångström"


def test_a_wrong_declared_charset_degrades_to_replacement_characters(desk):
    app, client = desk
    ticket = client.get(f"/api/tickets/{new_ticket(app, 'wrong-charset.eml')}/").json
    assert ticket["description"] == "Caf\ufffd cr\ufffdme is on the bill twice."


def test_an_html_only_mail_becomes_readable_text_never_html(desk):
    app, client = desk
    description = client.get(f"/api/tickets/{new_ticket(app, 'html-only.eml')}/").json["description"]
    assert "The app crashes every time I upload a photo & the screen goes black." in description
    assert "Pixel 8" in description and "Open, upload, crash" in description
    assert "<" not in description and "alert" not in description and "color: red" not in description


def test_a_mail_without_a_subject_is_titled_so(desk):
    app, client = desk
    assert client.get(f"/api/tickets/{new_ticket(app, 'no-subject.eml')}/").json["title"] == "(no subject)"


def test_attachments_are_listed_and_download_only_as_attachments(desk):
    app, client = desk
    ticket_id = new_ticket(app, "attachment.eml")
    files = client.get(f"/api/tickets/{ticket_id}/attachments/").json
    assert [(f["filename"], f["content_type"], f["message_id"]) for f in files] == [
        ("Déclaration signée.pdf", "application/pdf", None), ("page.html", "text/html", None)]
    pdf = client.get(files[0]["url"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-1.4") and len(pdf.data) == files[0]["size"]
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get(files[1]["url"])
    assert page.data == b"<script>alert(document.cookie)</script>"
    assert page.headers["Content-Type"] == "application/octet-stream"  # never rendered as the HTML it is
    assert page.headers["Content-Disposition"].startswith("attachment;") and "sandbox" in page.headers["Content-Security-Policy"]
    assert app.test_client().get(files[0]["url"]).status_code == 401  # credentials are needed
    assert signed_in_as(app, "viewer").get(files[0]["url"]).data == pdf.data  # any signed-in role may download


def test_a_replys_attachments_are_in_the_thread_and_on_the_page(desk, mailbox):
    app, client = desk
    ticket_id = new_ticket(app)
    take(app, eml("apple-mail-reply.eml", **desk_reply(app, client, mailbox, ticket_id)))
    customer = thread(client, ticket_id)[-1]
    (screenshot,) = customer["attachments"]
    assert (screenshot["filename"], screenshot["content_type"], screenshot["message_id"]) == \
        ("screenshot.png", "image/png", customer["id"])
    assert client.get(screenshot["url"]).data.startswith(b"\x89PNG")
    signed_in = signed_in_as(app)
    assert f'href="/attachments/{screenshot["id"]}"' in signed_in.get(f"/tickets/{ticket_id}").get_data(as_text=True)


def test_an_attachment_over_the_limit_is_listed_and_kept_only_in_the_original(database_url_for_run):
    app, client = build_desk(database_url_for_run, MAIL_MAX_ATTACHMENT_BYTES=40)
    ticket_id = new_ticket(app, "attachment.eml")
    pdf, page = client.get(f"/api/tickets/{ticket_id}/attachments/").json
    assert pdf["url"] is None and pdf["size"] == 45 and page["url"] is not None
    with app.app_context():
        assert db.session.get(Attachment, pdf["id"]).data is None


def test_calendar_invitations_and_forwarded_mail_keep_their_parts_as_files(desk):
    app, client = desk
    invite = new_ticket(app, "calendar-invite.eml")
    assert client.get(f"/api/tickets/{invite}/").json["description"].startswith("You have been invited")
    assert "invite.ics" in [f["filename"] for f in client.get(f"/api/tickets/{invite}/attachments/").json]
    forwarded = new_ticket(app, "forwarded.eml")
    (attached,) = client.get(f"/api/tickets/{forwarded}/attachments/").json
    assert attached["filename"].endswith(".eml") and attached["content_type"] == "message/rfc822"
    assert b"my order #5521 is still not here" in client.get(attached["url"]).data


@pytest.mark.parametrize("name, reason", [
    ("malformed-mime.eml", "malformed MIME"),
    ("unknown-charset.eml", "charset the desk does not know ('x-klingon-8')"),
    ("no-sender.eml", "no sender address"),
])
def test_mail_the_desk_cannot_read_is_quarantined_whole_and_shown_to_admins(desk, name, reason):
    app, client = desk
    said = take(app, eml(name))
    assert said.startswith("quarantined: ") and reason in said
    assert count(app, Ticket) == 0 and count(app, Message) == 0
    with app.app_context():
        kept = db.session.scalars(sa.select(IncomingMail)).one()
        assert kept.raw == eml(name) and kept.outcome == "quarantined" and reason in kept.detail
    agent = signed_in_as(app, "admin")
    page = agent.get("/admin/mail").get_data(as_text=True)
    assert f'id="mail-{kept.id}"' in page and reason.replace("'", "&#39;") in page
    original = agent.get(f"/mail/{kept.id}")  # what cannot be read as mail is shown as text, never a 500
    assert original.status_code == 200 and "support@example.com" in original.get_data(as_text=True)


def test_a_mail_over_the_size_limit_is_quarantined_then_taken_when_retried_with_a_higher_limit(database_url_for_run):
    app, _ = build_desk(database_url_for_run, MAIL_MAX_MESSAGE_BYTES=300)
    said = take(app, eml("new-plain.eml"))
    assert said.startswith("quarantined: it is larger") and "MAIL_MAX_MESSAGE_BYTES" in said
    with app.app_context():
        mail_id = db.session.scalar(sa.select(IncomingMail.id))
    agent = signed_in_as(app, "admin")
    csrf = agent.get("/admin/mail").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    agent.post(f"/admin/mail/{mail_id}/retry", data={"csrf_token": csrf})
    assert count(app, Ticket) == 0  # the limit still holds
    app.config["MAIL_MAX_MESSAGE_BYTES"] = 25 * 1024 * 1024
    answer = agent.post(f"/admin/mail/{mail_id}/retry", data={"csrf_token": csrf}, follow_redirects=True)
    assert "created ticket #" in answer.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(IncomingMail, mail_id)
        assert row.outcome == "ticket" and row.ticket_id is not None and row.detail is None
    assert count(app, IncomingMail) == 1


def test_an_admin_deletes_a_quarantined_mail_but_never_one_that_became_a_ticket(desk):
    app, client = desk
    take(app, eml("no-sender.eml"))
    new_ticket(app)
    with app.app_context():
        quarantined, taken = db.session.execute(sa.select(IncomingMail.id).order_by(IncomingMail.id)).scalars().all()
    agent = signed_in_as(app, "admin")
    csrf = agent.get("/admin/mail").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    agent.post(f"/admin/mail/{taken}/delete", data={"csrf_token": csrf})
    agent.post(f"/admin/mail/{quarantined}/delete", data={"csrf_token": csrf})
    with app.app_context():
        assert db.session.scalars(sa.select(IncomingMail.id)).all() == [taken]
    assert count(app, Ticket) == 1


def test_a_failure_while_taking_a_mail_in_keeps_it_quarantined_with_nothing_half_written(desk, monkeypatch):
    app, client = desk

    def broken(*args, **kwargs):
        raise RuntimeError("the classifier fell over")
    monkeypatch.setattr("ticketdesk.mail_in.intake.file_ticket", broken)
    said = take(app, eml("new-plain.eml"))
    assert said == "quarantined: the desk failed reading it (RuntimeError: the classifier fell over)"
    assert count(app, Ticket) == 0 and count(app, IncomingMail) == 1
    with app.app_context():
        assert db.session.scalars(sa.select(sa.func.count()).select_from(sa.text("requesters"))).one() == 0


def test_the_acknowledgement_tells_the_requester_the_number_threaded_under_their_mail(database_url_for_run, mailbox):
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM=SUPPORT, MAIL_ACKNOWLEDGE=True)
    ticket_id = new_ticket(app)
    run_jobs(app)
    (ack,) = mailbox.received
    assert ack["To"] == "Anna Schmidt <anna.schmidt@example.org>" and ack["In-Reply-To"] == "<CAF7a9b1c2d3e4f5@mail.example.org>"
    assert f"#{ticket_id}" in ack["Subject"] and f"number #{ticket_id}" in ack.get_body(("plain",)).get_content()
    stored = ticket_of(app, ticket_id)
    assert stored.first_reply_at is None and stored.waiting_since is not None  # no agent has answered yet
    answer = eml("gmail-reply.eml", desk_id=ack["Message-ID"], references=ack["References"] + " " + ack["Message-ID"],
                 subject=ack["Subject"].removeprefix("Re: "))
    assert take(app, answer) == f"added to ticket #{ticket_id}"


@pytest.mark.parametrize("settings, problem", [
    ({"IMAP_URL": "pop3://mail.example.com"}, "IMAP_URL must start with imap:// or imaps://"),
    ({"IMAP_URL": "imaps://mail.example.com/INBOX"}, "IMAP_URL needs the mailbox's user and password"),
    ({"IMAP_URL": "imaps://u:p@/INBOX"}, "IMAP_URL names no host"),
    ({"IMAP_URL": "imaps://u:p@mail.example.com?starttls=1"}, "imaps:// is already encrypted"),
    ({"IMAP_URL": "imap://u:p@mail.example.com?folder=x"}, "IMAP_URL takes only"),
    ({"IMAP_URL": "imaps://u:p@mail.example.com/INBOX", "IMAP_MOVE_TO": "INBOX"}, "IMAP_MOVE_TO is the folder"),
    ({"MAIL_MAX_MESSAGE_BYTES": 0}, "MAIL_MAX_MESSAGE_BYTES must be a positive number"),
])
def test_mail_in_settings_that_cannot_work_stop_start_up(settings, problem):
    from tests.conftest import make_app
    with pytest.raises(RuntimeError, match=problem):
        make_app("sqlite://", **settings)


def test_imap_urls_mean_what_they_say():
    from ticketdesk.mail_in.settings import imap
    box = imap("imaps://support%40example.com:p%2F%40ss@imap.example.com/Support%2FIn")
    assert (box.host, box.port, box.ssl, box.starttls, box.user, box.password, box.folder) == (
        "imap.example.com", 993, True, False, "support@example.com", "p/@ss", "Support/In")
    plain = imap("imap://u:p@localhost?starttls=1")
    assert (plain.port, plain.ssl, plain.starttls, plain.folder) == (143, False, True, "INBOX")


@pytest.fixture
def llm():
    from tests.fixtures.llm_stub import StubLLM
    with StubLLM() as stub:
        yield stub


def test_an_llm_refines_a_mailed_tickets_labels_in_the_background_unless_an_agent_set_them_first(
        database_url_for_run, llm):
    app, client = build_desk(database_url_for_run, TICKETDESK_CLASSIFIER="openai,keyword", OPENAI_API_KEY="sk-test",
                             OPENAI_BASE_URL=f"{llm.url}/v1")
    ticket_id = new_ticket(app)
    at_once = client.get(f"/api/tickets/{ticket_id}/").json
    assert (at_once["category"], at_once["triaged_by"]) == ("billing", "keyword") and llm.requests == []
    run_jobs(app)  # the worker asks the LLM (the stub answers account/critical)
    refined = client.get(f"/api/tickets/{ticket_id}/").json
    assert (refined["category"], refined["priority"], refined["triaged_by"]) == ("account", "critical", "openai")
    assert ticket_of(app, ticket_id).category_set_by == "desk"  # still the desk's until an agent confirms it

    second = new_ticket(app, "latin1.eml")
    client.patch(f"/api/tickets/{second}/", json={"category": "general"})  # an agent (a client) was first
    run_jobs(app)
    kept = client.get(f"/api/tickets/{second}/").json
    assert kept["category"] == "general" and kept["priority"] == "critical"  # the priority was still the desk's


def test_the_same_mail_taken_by_two_workers_at_once_is_one_ticket(desk):
    """Two fetches overlapping (one ran longer than MAIL_FETCH_SECONDS) take each mail once."""
    import threading
    app, client = desk
    raw, said, start = eml("new-plain.eml"), [], threading.Barrier(2)

    def worker():
        with app.app_context():
            start.wait()
            said.append(ingest(raw).said)
            db.session.remove()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(s.split(" #")[0] for s in said) == ["created ticket", "duplicate of ticket"], said
    assert count(app, Ticket) == 1 and count(app, IncomingMail) == 1


def test_the_quarantine_lists_the_newest_and_says_how_many_there_are(desk, monkeypatch):
    app, _ = desk
    monkeypatch.setattr("ticketdesk.mail_in.views.SHOWN", 2)
    for n in range(3):
        take(app, eml("no-sender.eml").replace(b"no-sender-1@", f"no-sender-{n}@".encode()))
    with app.app_context():
        oldest, *newest = db.session.scalars(sa.select(IncomingMail.id).order_by(IncomingMail.id)).all()
    page = signed_in_as(app, "admin").get("/admin/mail").get_data(as_text=True)
    assert "3 mails are in quarantine; the newest 2 are listed." in page
    assert all(f'id="mail-{i}"' in page for i in newest) and f'id="mail-{oldest}"' not in page
