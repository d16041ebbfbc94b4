"""A reply as the customer receives it: built with the standard library's `email` package (plain text and a
simple HTML part), from the support address, and threaded: `In-Reply-To` and `References` chain the
ticket's earlier mails, so the customer's mail program shows one conversation.

Every header value goes through `visible()` and the email package's header classes: no control character
(CR or LF above all) from a name, a title or an address reaches a header, whatever Python release runs the
desk (before 3.11.10 the email package wrote such a name out as it was, injecting headers). Automatic mail
(the acknowledgement) says so (RFC 3834), so mail programs and other desks do not answer it."""
import re
import secrets
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from markupsafe import escape

from ..text import visible
from .settings import sender

REFERENCES_KEPT = 20  # the newest earlier mails named in References (RFC 5322 allows trimming the middle)
AUTOMATIC = "desk"  # the author of the replies the desk writes by itself (the acknowledgement)
ECHOED = 60  # characters of a customer's subject an automatic mail repeats
LINKISH = re.compile(r"\S*(?:://|www\.|@|\.[a-z]{2,})\S*", re.IGNORECASE)  # what a mail program would make a link of


def new_message_id(mail_from: str, ticket_id: int) -> str:
    """A Message-ID the desk recognises later as its own: the ticket's number and a random part, so nobody
    can forge a reply into a ticket by guessing one."""
    return f"<ticket.{ticket_id}.{secrets.token_hex(12)}@{sender(mail_from).domain}>"


def subject(ticket, automatic: bool = False) -> str:
    title = _one_line(ticket.title)
    if automatic:  # a sender may write anything in a subject; an automatic answer repeats little of it
        title = " ".join(LINKISH.sub("", title).split())
        title = title if len(title) <= ECHOED else title[:ECHOED - 1].rstrip() + "…"
    return f"Re: {title} [#{ticket.id}]" if title else f"Your request [#{ticket.id}]"


def is_automatic(message) -> bool:
    return message.author == AUTOMATIC


def compose(message, ticket, earlier: list[str], mail_from: str) -> EmailMessage:
    """`message` (a reply) to `ticket`'s requester; `earlier` are the ticket's earlier Message-IDs, oldest first."""
    support = sender(mail_from)
    requester = ticket.requester
    address = visible(requester.email)
    if address != requester.email or any(c.isspace() for c in address):
        raise ValueError(f"the address {address!r} holds spaces or control characters")
    automatic = is_automatic(message)
    mail = EmailMessage()
    mail["From"] = support
    mail["Reply-To"] = support
    mail["To"] = Address(display_name=_one_line(requester.name or ""), addr_spec=address)
    mail["Subject"] = subject(ticket, automatic)
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = message.mail_message_id
    if earlier:
        mail["In-Reply-To"] = earlier[-1]
        mail["References"] = " ".join(earlier[-REFERENCES_KEPT:])
    mail["X-TicketDesk-Ticket"] = str(ticket.id)
    if automatic:
        mail["Auto-Submitted"] = "auto-replied"
        mail["X-Auto-Response-Suppress"] = "All"
    footer = f"Your request #{ticket.id}" if automatic else f"Your request #{ticket.id}: {_one_line(ticket.title)}"
    mail.set_content(f"{message.body}\n\n-- \n{support.display_name or support.addr_spec}\n{footer}\n")
    mail.add_alternative(_html(message.body, support.display_name or support.addr_spec, footer), subtype="html")
    return mail


def _one_line(text: str) -> str:
    return " ".join(visible(text.replace("\r", " ").replace("\n", " ")).split())


def _html(body: str, signature: str, footer: str) -> str:
    paragraphs = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n") if p.strip())
    return (f'<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">{paragraphs}'
            f'<p style="color:#555">{escape(signature)}<br><small>{escape(footer)}</small></p></body></html>')
