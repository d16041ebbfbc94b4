"""Posting to a ticket's thread, the one path the API and the page share.

A reply is kept with its delivery (mail/delivery.py): queued for the worker when mail is configured, else
`unsent`, said as such on the ticket, never silently dropped. A customer message on a resolved ticket
reopens it and tells its owner (ownership/notifications.py); a note tells the agents it mentions. Everything a post changes is written in one transaction, which the caller commits, then hands
the reply to the worker with `dispatch`."""
from ..errors import ApiError
from ..extensions import db
from ..mail_out.delivery import dispatch, queue
from ..models import Message, Ticket, utcnow
from ..ownership import notifications
from ..record.changes import CONVERSATION, change_ticket, noted, stamp_conversation
from ..record.inserted import insert

__all__ = ["post", "thread", "dispatch"]


def post(ticket: Ticket, kind: str, body: str, actor: str | None, author: str | None = None,
         automatic: bool = False, mail_message_id: str | None = None) -> Message:
    """Add a message to the ticket's thread (the caller commits). `actor` sent it to the desk; `author` wrote
    it (default: the requester for a customer message, else the actor). An `automatic` reply (the desk's
    acknowledgement) is mailed like any reply but is no agent's answer: first response and waiting stay.
    `mail_message_id`: the Message-ID of the mail it came in, which the desk's next reply answers."""
    if kind == "reply" and ticket.requester is None:
        raise ApiError(400, {"kind": ["This ticket has no requester to reply to: add one, or write a note."]})
    now = utcnow()
    if author is None:
        author = (ticket.requester.email if ticket.requester else None) if kind == "customer" else actor
    message = Message(ticket_id=ticket.id, kind=kind, body=body, posted_by=actor, created_at=now, author=author,
                      mail_message_id=mail_message_id)
    if kind == "reply":
        queue(message)
    insert(db.session(), message)
    if kind == "reply" and not automatic:
        stamp_conversation(ticket, {"waiting_since": None, "first_reply_at": ticket.first_reply_at or now})
    elif kind == "customer" and ticket.waiting_since is None:
        stamp_conversation(ticket, {"waiting_since": now})
    noted([ticket], {CONVERSATION})
    if kind == "customer" and ticket.status == "resolved":
        change_ticket(ticket.id, {"status": "open"}, actor=actor)
    if kind == "customer":
        notifications.answered(ticket, actor)
    elif kind == "note":
        notifications.mentioned(ticket, body, actor)
    return message


THREAD_PAGE = 100  # messages on the ticket page at once, the newest; earlier ones a page at a time


def thread(ticket_id: int) -> list[Message]:
    return db.session.scalars(db.select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)).all()


def thread_page(ticket_id: int, before: int | None = None, size: int = THREAD_PAGE) -> tuple[list[Message], int | None]:
    """The newest `size` messages older than message `before` (all of them when None), oldest first, and
    the id to ask for the page before them (None when there is none)."""
    query = db.select(Message).where(Message.ticket_id == ticket_id)
    if before is not None:
        query = query.where(Message.id < before)
    newest = db.session.scalars(query.order_by(Message.id.desc()).limit(size + 1)).all()
    shown = list(reversed(newest[:size]))
    return shown, shown[0].id if len(newest) > size else None
