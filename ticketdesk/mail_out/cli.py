"""`flask mail test ADDRESS` sends one mail now and says what the server answered."""
from email.message import EmailMessage
from email.utils import make_msgid

import click
from flask import current_app

from . import bp, configured
from .settings import sender
from .smtp import Permanent, Temporary, send


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
