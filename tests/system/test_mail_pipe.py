"""`flask mail ingest` as an MTA runs it (Postfix's `support: "|flask --app wsgi mail ingest"`): a process
reading one mail on standard input, saying what it became, exiting 0 for each outcome and 75 (EX_TEMPFAIL)
when the database is unavailable, so the mail server keeps the mail and tries again instead of bouncing
it to the customer. Both databases, and both kinds of unavailable database."""
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests.fixtures import hostile
from tests.mail_in.test_mail_in import eml
from tests.mail_out.test_mail_out import build_desk
from ticketdesk.extensions import db
from ticketdesk.models import IncomingMail

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pipe(database_url: str, raw: bytes) -> subprocess.CompletedProcess:
    env = {**os.environ, "TICKETDESK_ENV": "testing", "TEST_DATABASE_URL": database_url,
           "TICKETDESK_CLASSIFIER": "keyword", "MAIL_FROM": "Example Support <support@example.com>"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "ingest"], input=raw, cwd=ROOT,
                          env=env, capture_output=True, timeout=60)


def test_each_outcome_is_printed_and_exits_zero(database_url_for_run):
    build_desk(database_url_for_run)  # empties the tables
    said = []
    for raw in (eml("new-plain.eml"), eml("new-plain.eml"), eml("html-newsletter.eml"), eml("no-sender.eml"),
                eml("reply-by-token.eml", subject="Invoice charged twice this month [#1]")):
        done = pipe(database_url_for_run, raw)
        assert done.returncode == 0, done.stderr.decode()
        said.append(done.stdout.decode().strip())
    assert said == ["created ticket #1", "duplicate of ticket #1", "ignored: bulk mail (Precedence: bulk)",
                    "quarantined: it names no sender address (From), so there is nobody to answer",
                    "added to ticket #1"]


@pytest.mark.parametrize("down", ["postgresql://postgres@127.0.0.1:1/ticketdesk", "sqlite:////nonexistent/dir/desk.db"])
def test_an_unavailable_database_exits_75_so_the_mail_server_retries(down):
    done = pipe(down, eml("new-plain.eml"))
    assert done.returncode == 75, (done.stdout, done.stderr)
    assert done.stdout == b""
    assert b"not taken, try again later: the database is unavailable" in done.stderr


@pytest.mark.parametrize("name", sorted(hostile.ALL))
def test_every_hostile_mail_is_answered_and_exits_zero(database_url_for_run, name):
    build_desk(database_url_for_run)
    done = pipe(database_url_for_run, hostile.ALL[name]())
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith(("quarantined: ", "created ticket #")), done.stdout


def test_a_mail_over_the_size_limit_is_read_only_up_to_it_kept_cut_and_quarantined(database_url_for_run):
    app, _ = build_desk(database_url_for_run)
    raw = eml("new-plain.eml") + b"x" * 5000
    env_limit = {"MAIL_MAX_MESSAGE_BYTES": "2000"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "ingest"], input=raw, cwd=ROOT,
                          env={**os.environ, "TICKETDESK_ENV": "testing", "TEST_DATABASE_URL": database_url_for_run,
                               "TICKETDESK_CLASSIFIER": "keyword", **env_limit}, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == (f"quarantined: it is larger ({len(raw):,} bytes) than the 2,000 bytes allowed "
                                            "(MAIL_MAX_MESSAGE_BYTES); only its first 2,000 bytes are kept")
    with app.app_context():
        kept = db.session.scalars(sa.select(IncomingMail)).one()
        assert (kept.size, kept.raw, kept.sender) == (len(raw), raw[:2000], "anna.schmidt@example.org")
