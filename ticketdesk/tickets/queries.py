"""How tickets are filtered, searched and paged: shared by the API and the pages."""
from datetime import datetime

import sqlalchemy as sa

from ..models import Ticket

NEWEST_FIRST = (Ticket.created_at.desc(), Ticket.id.desc())


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ticket_page(*, category=None, priority=None, status=None, search=None,
                after: tuple[datetime, int] | None = None, limit: int = 100) -> sa.Select:
    """Tickets newest first; `after` is the (created_at, id) keyset position of the previous page's last row.

    Selects `limit + 1` rows so the caller can tell whether another page exists. Rows are plain column
    tuples, not ORM objects: building and tracking 100 objects cost more than the query itself.
    """
    query = sa.select(*Ticket.__table__.columns)
    for column, value in ((Ticket.category, category), (Ticket.priority, priority), (Ticket.status, status)):
        if value is not None:
            query = query.where(column == value)
    if search:
        pattern = like_pattern(search)
        query = query.where(sa.or_(Ticket.title.ilike(pattern, escape="\\"),
                                   Ticket.description.ilike(pattern, escape="\\")))
    if after is not None:
        query = query.where(sa.tuple_(Ticket.created_at, Ticket.id) < sa.tuple_(
            sa.literal(after[0], Ticket.created_at.type), sa.literal(after[1])))
    return query.order_by(*NEWEST_FIRST).limit(limit + 1)
