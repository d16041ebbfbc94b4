"""Delivering replies: nothing lost, nothing sent twice, no request waiting on SMTP.

A reply and its queued mail are one row, committed in the request's transaction; the request then queues a
job and answers. A worker claims the mail for MAIL_CLAIM_SECONDS (one UPDATE that a second worker cannot
also win), talks to the SMTP server, and records `sent` the moment the server has accepted it. A temporary
failure waits the next of MAIL_RETRY_SECONDS and tries again; a permanent one (5xx), or running out of
waits, is `failed` with the server's reason until an agent sends it again.

What is guaranteed: every reply is delivered at least once while SMTP is configured and the server
eventually takes it, and a mail the server accepted is sent again only if the worker dies (or loses the
database) in the instant between the server's acceptance and the desk's record of it; the claim then runs
out and the sweep sends it again, with the same Message-ID, which mail programs show once."""
import email.errors
import logging
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..errors import ApiError
from ..extensions import db
from ..jobs import enqueue, periodic, task
from ..models import IncomingMail, Message, Ticket, utcnow
from . import configured
from .outgoing import compose, new_message_id
from .settings import retry_waits
from .smtp import Permanent, Temporary, send

log = logging.getLogger(__name__)

DELIVER = "mail.deliver"
NOT_CONFIGURED = "mail is not configured"
SWEPT_AT_ONCE = 500
EARLY = timedelta(seconds=2)


def queue(message: Message) -> None:
    """Give a new reply its delivery: queued with its Message-ID when mail is configured, else kept unsent.
    Part of the posting transaction; `dispatch` after the commit hands it to the worker."""
    config = current_app.config
    if not configured(config):
        message.delivery_state, message.delivery_detail = "unsent", NOT_CONFIGURED
        return
    message.delivery_state, message.delivery_detail = "queued", None
    message.mail_message_id = message.mail_message_id or new_message_id(config["MAIL_FROM"], message.ticket_id)
    message.next_attempt_at, message.claimed_until, message.delivery_attempts = utcnow(), None, 0


def dispatch(message: Message) -> None:
    """After the commit: queue the delivery job (if the queue is down, the sweep finds the mail)."""
    if message.delivery_state == "queued":
        enqueue(DELIVER, message.id)


def send_again(message: Message) -> None:
    """An agent's "send again" for a reply that failed, or was kept unsent before mail was configured."""
    if message.kind != "reply":
        raise ApiError(409, {"detail": "Only replies are sent by email; notes never leave the desk."})
    if message.delivery_state in ("sent", "queued"):
        raise ApiError(409, {"detail": f"This reply is already {message.delivery_state}."})
    if not configured(current_app.config):
        raise ApiError(409, {"detail": "Mail is not configured (SMTP_URL), so nothing can be sent."})
    queue(message)


@task(DELIVER)
def deliver(message_id: int) -> str:
    """The worker's half: claim, send, record. Returns what happened (for logs and tests)."""
    config = current_app.config
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id, Message.delivery_state == "queued",
               Message.next_attempt_at <= now + EARLY,  # a delayed job may arrive a moment early
               sa.or_(Message.claimed_until.is_(None), Message.claimed_until < now))
        .values(claimed_until=now + timedelta(seconds=config["MAIL_CLAIM_SECONDS"]))).rowcount
    db.session.commit()
    if not claimed:
        return "not due"  # sent, failed, held by another worker, or retrying later
    message = db.session.get(Message, message_id)
    if not configured(config):
        _record(message_id, delivery_state="unsent", delivery_detail=NOT_CONFIGURED)
        return "unsent"
    ticket = db.session.get(Ticket, message.ticket_id)
    try:
        try:
            mail = compose(message, ticket, _earlier(message), config["MAIL_FROM"])
        except (ValueError, email.errors.MessageError) as unusable:  # e.g. a non-ASCII local part
            raise Permanent(f"the requester's address cannot be written in a mail header ({unusable})") from None
        send(mail, config["SMTP_URL"], config["SMTP_TIMEOUT"])
    except Permanent as refused:
        _record(message_id, delivery_state="failed", delivery_detail=_clip(str(refused)),
                delivery_attempts=Message.delivery_attempts + 1)
        log.warning("reply %s to ticket %s not delivered: %s", message_id, ticket.id, refused)
        return "failed"
    except Temporary as problem:
        return _later(message, str(problem))
    except Exception as bug:  # never lose the mail to a bug: it retries, then shows the reason
        log.exception("reply %s could not be sent", message_id)
        return _later(message, f"{type(bug).__name__}: {bug}")
    _record(message_id, delivery_state="sent", delivery_detail=None, delivered_at=utcnow(),
            delivery_attempts=Message.delivery_attempts + 1)
    return "sent"


def _later(message: Message, reason: str) -> str:
    waits = retry_waits(current_app.config["MAIL_RETRY_SECONDS"])
    attempt = message.delivery_attempts + 1
    if attempt > len(waits):
        _record(message.id, delivery_state="failed", delivery_attempts=attempt,
                delivery_detail=_clip(f"gave up after {attempt} attempts: {reason}"))
        return "failed"
    wait = waits[attempt - 1]
    _record(message.id, delivery_attempts=attempt, next_attempt_at=utcnow() + timedelta(seconds=wait),
            delivery_detail=_clip(f"attempt {attempt} failed: {reason}; trying again in {_seconds(wait)}"))
    enqueue(DELIVER, message.id, delay=wait)
    return "retrying"


def _record(message_id: int, **values) -> None:
    """Write the outcome and let go of the claim. Tried a few times over a few seconds: after the server
    accepted a mail, this write is all that stands between it and being sent again."""
    statement = sa.update(Message).where(Message.id == message_id).values(claimed_until=None, **values)
    for pause in (0.5, 1, 2, None):
        try:
            db.session.execute(statement)
            db.session.commit()
            return
        except sa.exc.OperationalError:
            db.session.rollback()
            if pause is None:
                raise
            time.sleep(pause)


def _earlier(message: Message) -> list[str]:
    """The ticket's earlier mails' Message-IDs, oldest first: what this one answers. The first is the
    requester's own mail when the ticket came by mail; then every reply and customer mail since."""
    opening = db.session.scalars(
        sa.select(IncomingMail.mail_message_id)
        .where(IncomingMail.ticket_id == message.ticket_id, IncomingMail.outcome == "ticket",
               IncomingMail.mail_message_id.is_not(None)).limit(1)).all()
    return opening + list(db.session.scalars(
        sa.select(Message.mail_message_id)
        .where(Message.ticket_id == message.ticket_id, Message.id < message.id, Message.mail_message_id.is_not(None))
        .order_by(Message.id)))


@periodic("mail.sweep", every=lambda config: config["MAIL_SWEEP_SECONDS"] if configured(config) else 0)
def sweep() -> int:
    """Queue again every mail that has been due for a whole sweep period with no worker holding it: its
    job was lost (the queue restarted) or its worker died. Delivery's claim makes a second job harmless."""
    now = utcnow()
    overdue = now - timedelta(seconds=current_app.config["MAIL_SWEEP_SECONDS"])
    ids = list(db.session.scalars(
        sa.select(Message.id)
        .where(Message.delivery_state == "queued", Message.next_attempt_at <= overdue,
               sa.or_(Message.claimed_until.is_(None), Message.claimed_until < now))
        .order_by(Message.next_attempt_at).limit(SWEPT_AT_ONCE)))
    for message_id in ids:
        enqueue(DELIVER, message_id)
    if ids:
        log.info("sweep: queued %d overdue mails again", len(ids))
    return len(ids)


def _clip(text: str) -> str:
    return text if len(text) <= 500 else text[:497] + "..."


def _seconds(wait: float) -> str:
    return f"{wait / 3600:g} h" if wait >= 3600 else f"{wait / 60:g} min" if wait >= 60 else f"{wait:g} s"
