"""`flask mail ingest` as an MTA runs it (Postfix's `support: "|flask --app wsgi mail ingest"`): a process
reading one mail on standard input, saying what it became, exiting 0 for each outcome and 75 (EX_TEMPFAIL)
when the database is unavailable, so the mail server keeps the mail and tries again instead of bouncing
it to the customer. Both databases, and both kinds of unavailable database."""
import os
import subprocess
import sys

import pytest

from tests.test_mail_in import eml
from tests.test_mail_out import build_desk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
