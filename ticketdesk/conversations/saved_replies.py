"""Saved replies: the desk's shared answers; their placeholders (ticketdesk/placeholders.py) are filled in
when one is inserted into a reply. One that carries changes and a note is a macro (macros.py)."""
import sqlalchemy as sa

from ..errors import ApiError
from ..extensions import db
from ..models import SavedReply
from ..ownership.refusals import Refused
from .macros import checked


def all_saved() -> list[SavedReply]:
    return db.session.scalars(sa.select(SavedReply).order_by(sa.func.lower(SavedReply.title), SavedReply.id)).all()


def save(reply: SavedReply, data: dict, actor: str | None) -> SavedReply:
    """Apply `data` (title, body: already checked by the schema); a title another saved reply has is a 409."""
    taken = db.session.scalar(sa.select(SavedReply.id).where(sa.func.lower(SavedReply.title) == data.get(
        "title", reply.title).lower(), SavedReply.id != (reply.id or 0)))
    if taken is not None:
        raise ApiError(409, {"title": ["A saved reply with this title already exists."]})
    if "changes" in data:
        try:
            data = {**data, "changes": checked(data["changes"] or {}) or None}
        except Refused as e:
            raise ApiError(400, {e.field: [str(e)]}) from None
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
