"""A ticket's mail as its page and the API show it: the files each mail came with, and where its originals
are. Only models here, so the tickets and conversations packages can import it without importing intake."""
import sqlalchemy as sa

from ..extensions import db
from ..models import Attachment, IncomingMail


def ticket_attachments(ticket_id: int) -> list[Attachment]:
    """Every file the ticket's mails came with, oldest first (the files themselves are not loaded)."""
    return db.session.scalars(sa.select(Attachment).where(Attachment.ticket_id == ticket_id)
                              .order_by(Attachment.id)).all()


def attachments_by_message(ticket_id: int) -> dict:
    """The same, for the thread: {message id, or None for the mail that opened the ticket: [files]}."""
    found: dict = {}
    for file in ticket_attachments(ticket_id):
        found.setdefault(file.message_id, []).append(file)
    return found


def originals_by_message(ticket_id: int) -> dict:
    """{message id or None (the opening): the incoming mail's id} for the ticket's mails."""
    rows = db.session.execute(sa.select(IncomingMail.message_id, IncomingMail.id).where(
        IncomingMail.ticket_id == ticket_id, IncomingMail.outcome.in_(("ticket", "message")))).all()
    return {message_id: mail_id for message_id, mail_id in rows}

