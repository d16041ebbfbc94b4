"""`flask mail test ADDRESS` sends one mail now and says what the server answered; `flask mail ingest` takes
one mail from standard input (an MTA's pipe); `flask mail fetch` fetches the IMAP mailbox once."""
import sys
from email.message import EmailMessage
from email.utils import make_msgid

import click
import sqlalchemy as sa
from flask import current_app

from . import bp, configured
from .imap import FetchFailed, fetch_alone
from .intake import ingest
from .settings import sender
from .smtp import Permanent, Temporary, send

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the mail and tries again later, instead of bouncing it


@bp.cli.command("test", help="Send a test mail to ADDRESS through SMTP_URL now, and report the server's answer.")
@click.argument("address")
def test_command(address: str) -> None:
    config = current_app.config
    if not configured(config):
        raise click.ClickException("SMTP_URL is not set: replies are kept as unsent until it is")
    mail = EmailMessage()
    mail["From"] = sender(config["MAIL_FROM"])
    mail["To"] = address
    mail["Subject"] = "TicketDesk: test mail"
    mail["Message-ID"] = make_msgid(domain=sender(config["MAIL_FROM"]).domain)
    mail.set_content("This is a test mail from TicketDesk: replies to customers will be sent like this one.\n")
    try:
        send(mail, config["SMTP_URL"], config["SMTP_TIMEOUT"])
    except (Temporary, Permanent) as e:
        kind = "temporary: replies would be retried" if isinstance(e, Temporary) else "permanent"
        raise click.ClickException(f"not sent ({kind}): {e}") from None
    click.echo(f"sent to {address}; the server accepted it")


@bp.cli.command("ingest", help="Take one mail (RFC 822) from standard input, as an MTA alias pipes it, and say "
                               "what it became. Exits 75 (EX_TEMPFAIL) when the database is unavailable, so the "
                               "mail server keeps the mail and tries again.")
def ingest_command() -> None:
    raw = sys.stdin.buffer.read()
    try:
        outcome = ingest(raw)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as down:
        click.echo(f"not taken, try again later: the database is unavailable ({_first_line(down)})", err=True)
        sys.exit(EX_TEMPFAIL)
    click.echo(outcome.said)


@bp.cli.command("fetch", help="Fetch the mailbox IMAP_URL names once: every unseen mail is taken in, then "
                              "marked seen (or moved to IMAP_MOVE_TO).")
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


def _first_line(error: Exception) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
