"""`flask mail ingest` takes one mail from standard input (an MTA's pipe); `flask mail fetch` fetches the
IMAP mailbox once; `flask mail purge` empties what retention allows. They join mail out's `flask mail` group
(see __init__.py), so they are plain commands collected in `commands`."""
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .imap import FetchFailed, fetch_alone
from .intake import ingest
from .retention import purge

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the mail and tries again later, instead of bouncing it


@click.command("ingest", help="Take one mail (RFC 822) from standard input, as an MTA alias pipes it, and say "
                               "what it became. Exits 75 (EX_TEMPFAIL) when the database is unavailable, so the "
                               "mail server keeps the mail and tries again.")
@with_appcontext
def ingest_command() -> None:
    raw, size = read_at_most(sys.stdin.buffer, current_app.config["MAIL_MAX_MESSAGE_BYTES"])
    try:
        outcome = ingest(raw, size)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as down:
        click.echo(f"not taken, try again later: the database is unavailable ({_first_line(down)})", err=True)
        sys.exit(EX_TEMPFAIL)
    click.echo(outcome.said)


@click.command("fetch", help="Fetch the mailbox IMAP_URL names once: every unseen mail is taken in, then "
                              "marked seen (or moved to IMAP_MOVE_TO).")
@with_appcontext
def fetch_command() -> None:
    config = current_app.config
    if not config.get("IMAP_URL"):
        raise click.ClickException("IMAP_URL is not set: name the support mailbox, e.g. "
                                   "imaps://support%40example.com:password@imap.example.com/INBOX")
    try:
        fetched = fetch_alone(config["IMAP_URL"], config["IMAP_MOVE_TO"])
    except FetchFailed as failed:
        raise click.ClickException(f"not fetched: {failed}") from None
    for outcome in fetched.outcomes:
        click.echo(outcome.said)
    click.echo(fetched.summary())


@click.command("purge", help="Empty the bytes of ignored, bounced and quarantined mail received more than "
                              "--older-than days ago (default MAIL_RETENTION_DAYS; 0: all of it now). The rows stay; "
                              "tickets' own mail is kept.")
@click.option("--older-than", "days", type=click.FloatRange(min=0), default=None, help="days (default MAIL_RETENTION_DAYS)")
@with_appcontext
def purge_command(days: float | None) -> None:
    if days is None and not current_app.config["MAIL_RETENTION_DAYS"]:
        click.echo("MAIL_RETENTION_DAYS is 0: mail is kept forever; give --older-than DAYS to purge anyway")
        return
    days = current_app.config["MAIL_RETENTION_DAYS"] if days is None else days
    click.echo(f"purged {purge(days)} mails received more than {days:g} days ago")


def read_at_most(stream, limit: int) -> tuple[bytes, int | None]:
    """At most `limit` + 1 bytes of `stream`, the rest read and counted but not kept (the MTA must see the
    pipe drained). Returns the bytes and, when the mail was longer, its whole size (else None)."""
    raw = stream.read(limit + 1)
    if len(raw) <= limit:
        return raw, None
    size = len(raw)
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
    return raw[:limit], size


def _first_line(error: Exception) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


commands = {"ingest": ingest_command, "fetch": fetch_command, "purge": purge_command}
