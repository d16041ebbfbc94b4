"""Posting to a ticket's thread, the one path the API and the page share.

A reply is kept with its delivery (mail/delivery.py): queued for the worker when mail is configured, else
`unsent`, said as such on the ticket, never silently dropped. A customer message on a resolved ticket
reopens it. Everything a post changes is written in one transaction, which the caller commits, then hands
the reply to the worker with `dispatch`."""
from ..errors import ApiError
from ..extensions import db
from ..mail.delivery import dispatch, queue
from ..models import Message, Ticket, utcnow
from ..tickets.changes import change_ticket

__all__ = ["post", "thread", "dispatch"]


def post(ticket: Ticket, kind: str, body: str, actor: str | None) -> Message:
    if kind == "reply" and ticket.requester is None:
        raise ApiError(400, {"kind": ["This ticket has no requester to reply to: add one, or write a note."]})
    now = utcnow()
    message = Message(ticket_id=ticket.id, kind=kind, body=body, posted_by=actor, created_at=now,
                      author=(ticket.requester.email if ticket.requester else None) if kind == "customer" else actor)
    if kind == "reply":
        queue(message)
        ticket.waiting_since = None
        if ticket.first_reply_at is None:
            ticket.first_reply_at = now
    elif kind == "customer" and ticket.waiting_since is None:
        ticket.waiting_since = now
    db.session.add(message)
    db.session.flush()
    if kind == "customer" and ticket.status == "resolved":
        change_ticket(ticket.id, {"status": "open"}, actor=actor)
    return message


def thread(ticket_id: int) -> list[Message]:
    return db.session.scalars(db.select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)).all()
