"""A reply as the customer receives it: built with the standard library's `email` package (plain text and a
simple HTML part), from the support address, and threaded: `In-Reply-To` and `References` chain the
ticket's earlier mails, so the customer's mail program shows one conversation."""
import secrets
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from markupsafe import escape

from .settings import sender

REFERENCES_KEPT = 20  # the newest earlier mails named in References (RFC 5322 allows trimming the middle)


def new_message_id(mail_from: str, ticket_id: int) -> str:
    """A Message-ID the desk recognises later as its own: the ticket's number and a random part, so nobody
    can forge a reply into a ticket by guessing one."""
    return f"<ticket.{ticket_id}.{secrets.token_hex(12)}@{sender(mail_from).domain}>"


def subject(ticket) -> str:
    title = " ".join(ticket.title.split())  # no line breaks reach a header
    return f"Re: {title} [#{ticket.id}]"


def compose(message, ticket, earlier: list[str], mail_from: str) -> EmailMessage:
    """`message` (a reply) to `ticket`'s requester; `earlier` are the ticket's earlier Message-IDs, oldest first."""
    support = sender(mail_from)
    requester = ticket.requester
    mail = EmailMessage()
    mail["From"] = support
    mail["Reply-To"] = support
    mail["To"] = Address(display_name=requester.name or "", addr_spec=requester.email)
    mail["Subject"] = subject(ticket)
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = message.mail_message_id
    if earlier:
        mail["In-Reply-To"] = earlier[-1]
        mail["References"] = " ".join(earlier[-REFERENCES_KEPT:])
    mail["X-TicketDesk-Ticket"] = str(ticket.id)
    footer = f"Your request #{ticket.id}: {' '.join(ticket.title.split())}"
    mail.set_content(f"{message.body}\n\n-- \n{support.display_name or support.addr_spec}\n{footer}\n")
    mail.add_alternative(_html(message.body, support.display_name or support.addr_spec, footer), subtype="html")
    return mail


def _html(body: str, signature: str, footer: str) -> str:
    paragraphs = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n") if p.strip())
    return (f'<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">{paragraphs}'
            f'<p style="color:#555">{escape(signature)}<br><small>{escape(footer)}</small></p></body></html>')
