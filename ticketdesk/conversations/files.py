"""A ticket's mail as its thread and the API show it: the files each mail came with, and where its originals
are, read from what mail intake stored. Only models here: the thread panel and the API read it; intake writes the rows."""
import sqlalchemy as sa

from ..extensions import db
from ..models import Attachment, IncomingMail


def ticket_attachments(ticket_id: int) -> list[Attachment]:
    """Every file the ticket's mails came with, oldest first (the files themselves are not loaded)."""
    return db.session.scalars(sa.select(Attachment).where(Attachment.ticket_id == ticket_id)
                              .order_by(Attachment.id)).all()


FILES_SHOWN = 20  # per message on the ticket page; the rest are listed on the original mail's page


def attachments_by_message(ticket_id: int, message_ids=None) -> dict:
    """The same, for the thread: {message id, or None for the mail that opened the ticket: [files]};
    only `message_ids` (and the opening mail's) when given."""
    query = sa.select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)
    if message_ids is not None:
        query = query.where(sa.or_(Attachment.message_id.in_(list(message_ids)), Attachment.message_id.is_(None)))
    found: dict = {}
    for file in db.session.scalars(query):
        found.setdefault(file.message_id, []).append(file)
    return found


def unverified_sender(ticket_id: int) -> str | None:
    """Why the mail that opened the ticket has a sender that is not verified (MAIL_AUTHSERV_ID), or None."""
    return db.session.scalar(sa.select(IncomingMail.unverified).where(
        IncomingMail.ticket_id == ticket_id, IncomingMail.message_id.is_(None), IncomingMail.outcome == "ticket").limit(1))


def originals_by_message(ticket_id: int) -> dict:
    """{message id or None (the opening): the incoming mail's id} for the ticket's mails."""
    rows = db.session.execute(sa.select(IncomingMail.message_id, IncomingMail.id).where(
        IncomingMail.ticket_id == ticket_id, IncomingMail.outcome.in_(("ticket", "message")))).all()
    return {message_id: mail_id for message_id, mail_id in rows}

