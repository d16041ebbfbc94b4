"""Mail as an attacker sends it, through `ingest` (the one way in behind IMAP and the pipe), on both
databases: every mail is answered and kept, over a limit it is quarantined with the reason, too slow to
read it is stopped by the time limit, and no page of it ever parses it again or answers 500."""
import threading
import time

import pytest
import sqlalchemy as sa

from tests.fixtures import hostile
from tests.mail_in.test_mail_in import eml, signed_in_as, take
from tests.mail_out.test_mail_out import build_desk
from ticketdesk.extensions import db
from ticketdesk.mail_in.intake import ingest
from ticketdesk.models import Attachment, IncomingMail, Message, Ticket

OVER = {
    "many parameters": "a Content-Type header has 4,000 parameters, more than the 100 allowed (MAIL_MAX_HEADER_PARAMS)",
    "many parts": "it has 20,001 MIME parts, more than the 500 allowed (MAIL_MAX_PARTS)",
    "deep": "its MIME tree is more than 20 levels deep (MAIL_MAX_DEPTH)",
}


@pytest.fixture
def desk(database_url_for_run):
    app, client = build_desk(database_url_for_run)
    yield app, client
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def stored(app, mail_id: int) -> IncomingMail:
    with app.app_context():
        row = db.session.get(IncomingMail, mail_id)
        row.raw  # noqa: B018  (deferred: loaded before the session closes)
        db.session.expunge(row)
        return row


@pytest.mark.parametrize("name", sorted(OVER))
def test_a_mail_over_a_limit_is_kept_quarantined_with_the_reason_and_its_page_answers(desk, name):
    app, _ = desk
    raw = hostile.ALL[name]()
    with app.app_context():
        outcome = ingest(raw)
    assert outcome.kind == "quarantined" and outcome.said == f"quarantined: {OVER[name]}"
    with app.app_context():
        row = db.session.get(IncomingMail, outcome.mail_id)
        assert row.raw == raw and row.detail == OVER[name]  # kept whole, for an admin
        assert (row.sender, row.subject) == ("mallory@evil.test", name.replace("many ", ""))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0
    admin = signed_in_as(app, "admin")
    page = admin.get(f"/mail/{outcome.mail_id}")
    assert page.status_code == 200 and "mallory@evil.test" in page.text
    assert "cannot be read as mail" in page.text
    assert admin.get("/admin/mail").status_code == 200


def test_a_quote_bomb_from_a_customer_is_read_at_once_and_keeps_only_what_they_wrote(desk):
    app, _ = desk
    said = take(app, hostile.quote_bomb(sender="Ana <ana@example.com>"))
    assert said.startswith("created ticket #")
    ticket_id = int(said.removeprefix("created ticket #"))
    raw = hostile.quote_bomb(sender="Ana <ana@example.com>", subject=f"Re: quotes [#{ticket_id}]")
    assert take(app, raw) == f"added to ticket #{ticket_id}"
    with app.app_context():
        message = db.session.scalars(sa.select(Message).where(Message.ticket_id == ticket_id)).one()
        assert message.body == "The export fails again."


def test_a_mail_within_the_counts_but_slow_to_read_is_stopped_by_the_time_limit_and_never_read_again(database_url_for_run):
    app, client = build_desk(database_url_for_run, MAIL_PARSE_SECONDS=0.5, MAIL_MAX_ATTACHMENTS=1000)
    raw = hostile.slow_within_limits()
    started = time.monotonic()
    with app.app_context():
        outcome = ingest(raw)
    assert time.monotonic() - started < 5  # the read is cut at 0.5 s (the mail would take over 10 s)
    assert outcome.said == "quarantined: reading it took longer than the 0.5 s allowed (MAIL_PARSE_SECONDS)"
    with app.app_context():  # taken again, it is a duplicate: never read twice
        assert ingest(raw).kind == "duplicate"
    assert stored(app, outcome.mail_id).raw == raw


def test_the_database_is_free_while_a_mail_is_read(database_url_for_run):
    """The read runs before any transaction opens: a ticket created through the API meanwhile is not kept waiting
    (on SQLite, a write transaction held across the read would make it wait, then fail as locked)."""
    app, client = build_desk(database_url_for_run, MAIL_PARSE_SECONDS=2, MAIL_MAX_ATTACHMENTS=1000)
    done = {}

    def read_slowly():
        with app.app_context():
            done["outcome"] = ingest(hostile.slow_within_limits())

    reader = threading.Thread(target=read_slowly)
    reader.start()
    time.sleep(0.5)  # the child is reading by now
    started = time.monotonic()
    created = client.post("/api/tickets/", json={"title": "Meanwhile", "description": "Still writable?",
                                                 "category": "general", "priority": "low"})
    waited = time.monotonic() - started
    reader.join()
    assert created.status_code == 201 and "outcome" in done
    assert done["outcome"].kind == "quarantined"
    assert waited < 1.5  # not the 2 s the read took


def test_a_mail_with_more_files_than_allowed_is_quarantined_without_storing_any(database_url_for_run):
    app, _ = build_desk(database_url_for_run, MAIL_MAX_ATTACHMENTS=5)
    raw = hostile.many_parts(count=6)
    with app.app_context():
        outcome = ingest(raw)
        assert outcome.said == "quarantined: it has 6 attachments, more than the 5 allowed (MAIL_MAX_ATTACHMENTS)"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


def test_a_large_header_within_the_limit_is_read_and_one_over_it_is_quarantined(desk):
    app, _ = desk
    assert take(app, hostile.large_header()).startswith("created ticket #")
    said = take(app, hostile.large_header(size=300 * 1024))
    assert said.startswith("quarantined: its header block is ") and "MAIL_MAX_HEADER_BYTES" in said


def test_the_mail_page_shows_what_intake_stored_without_reading_the_mail_again(desk):
    app, _ = desk
    said = take(app, eml("new-plain.eml"))
    with app.app_context():
        row = db.session.scalars(sa.select(IncomingMail)).one()
        assert row.view["headers"][0] == ["From", "Anna Schmidt <Anna.Schmidt@Example.org>"]
        row.raw = b"this is no longer the mail"  # the page must not look at the bytes
        db.session.commit()
    page = signed_in_as(app, "viewer").get(f"/mail/{row.id}")
    assert page.status_code == 200 and said.startswith("created")
    assert "charged twice for the December invoice" in page.text and "no longer the mail" not in page.text


def test_long_attachment_lists_are_paged(database_url_for_run):
    app, _ = build_desk(database_url_for_run)
    with app.app_context():
        outcome = ingest(hostile.many_parts(count=60).replace(b"mallory@evil.test", b"ana@example.com"))
    assert outcome.kind == "created"
    viewer = signed_in_as(app, "viewer")
    first, second = viewer.get(f"/mail/{outcome.mail_id}"), viewer.get(f"/mail/{outcome.mail_id}?page=2")
    assert first.text.count('class="attachment"') == 50 and "More files" in first.text
    assert second.text.count('class="attachment"') == 10 and "Previous files" in second.text
    assert ">f59.bin<" in second.text and ">f59.bin<" not in first.text


def test_an_attachment_name_cannot_lie_about_its_type(desk):
    app, client = desk
    raw = eml("attachment.eml").replace(b"D%C3%A9claration%20sign%C3%A9e.pdf", b"invoice%E2%80%AEfdp.exe")
    ticket_id = int(take(app, raw).removeprefix("created ticket #"))
    files = client.get(f"/api/tickets/{ticket_id}/attachments/").json
    assert files[0]["filename"] == "invoicefdp.exe"
    download = client.get(files[0]["url"])
    assert "\u202e" not in download.headers["Content-Disposition"] and "invoicefdp.exe" in download.headers["Content-Disposition"]


def test_a_name_stored_before_names_were_cleaned_is_clean_where_shown_and_sent(desk):
    """A name stored before the desk cleaned names is cleaned where it is shown and sent."""
    app, client = desk
    ticket_id = int(take(app, eml("attachment.eml")).removeprefix("created ticket #"))
    with app.app_context():
        file = db.session.scalars(sa.select(Attachment)).first()
        file.filename = "report\u202excod.exe"
        db.session.commit()
    listed = client.get(f"/api/tickets/{ticket_id}/attachments/").json[0]
    assert listed["filename"] == "reportxcod.exe"
    assert "reportxcod.exe" in client.get(listed["url"]).headers["Content-Disposition"]
    assert "\u202e" not in signed_in_as(app, "viewer").get(f"/tickets/{ticket_id}").text


@pytest.mark.parametrize("where", [b"<attachment-1@", b"multipart/mixed", b"application/pdf", b"Subject: Con"])
@pytest.mark.parametrize("control", [b"\x00", b"\x01"])
def test_a_control_character_in_any_header_makes_a_ticket_not_a_failure(desk, where, control):
    """`make fuzz` found a NUL in a Message-ID, which no PostgreSQL text column can hold: the mail failed, and
    so did its quarantine. A Message-ID is printable ASCII or none; a file's type is a MIME type or
    application/octet-stream; text keeps no NUL."""
    app, client = desk
    raw = eml("attachment.eml").replace(where, where[:3] + control + where[3:], 1)
    with app.app_context():
        outcome = ingest(raw)
        assert outcome.kind == "created", outcome.said
        row = db.session.get(IncomingMail, outcome.mail_id)
        assert row.raw == raw and row.sender == "olga@example.ru"
    files = client.get(f"/api/tickets/{outcome.ticket_id}/attachments/").json
    assert all("/" in f["content_type"] and "\x00" not in f["content_type"] for f in files)
    assert signed_in_as(app, "admin").get(f"/mail/{outcome.mail_id}").status_code == 200
    with app.app_context():  # the same bytes again are a duplicate, whatever their Message-ID held
        assert ingest(raw).kind == "duplicate"
