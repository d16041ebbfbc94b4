"""Saved replies: the desk's shared answers. Their placeholders are a fixed set, filled by plain text
substitution (never by rendering agent text as a template, which would let a template run code)."""
import re

import sqlalchemy as sa

from ..errors import ApiError
from ..extensions import db
from ..models import SavedReply, Ticket

PLACEHOLDERS = {
    "requester.name": lambda t: (t.requester_name or t.requester_email or "") if t.requester else "",
    "requester.email": lambda t: t.requester_email or "",
    "ticket.id": lambda t: str(t.id),
    "ticket.title": lambda t: t.title,
}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_.]+)\s*\}\}")


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def fill(body: str, ticket: Ticket) -> str:
    """`body` with each known placeholder replaced by the ticket's value (an unknown one is left as typed)."""
    return PLACEHOLDER.sub(lambda m: PLACEHOLDERS[m[1]](ticket) if m[1] in PLACEHOLDERS else m[0], body)


def all_saved() -> list[SavedReply]:
    return db.session.scalars(sa.select(SavedReply).order_by(sa.func.lower(SavedReply.title), SavedReply.id)).all()


def save(reply: SavedReply, data: dict, actor: str | None) -> SavedReply:
    """Apply `data` (title, body: already checked by the schema); a title another saved reply has is a 409."""
    taken = db.session.scalar(sa.select(SavedReply.id).where(sa.func.lower(SavedReply.title) == data.get(
        "title", reply.title).lower(), SavedReply.id != (reply.id or 0)))
    if taken is not None:
        raise ApiError(409, {"title": ["A saved reply with this title already exists."]})
    for key, value in data.items():
        setattr(reply, key, value)
    reply.updated_by = actor
    db.session.add(reply)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # the same title saved by someone else a moment ago
        db.session.rollback()
        raise ApiError(409, {"title": ["A saved reply with this title already exists."]}) from None
    return reply
