"""Finding or adding the requester a ticket is from, safely when two tickets from a new customer arrive
at once: the insert yields to the one that got there first (ON CONFLICT DO NOTHING), then both read it."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Requester, utcnow


def find_or_add(email: str, name: str | None) -> Requester:
    """The requester with `email` (already lower-cased by the schema); a name fills in only a missing one."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(Requester).values(email=email, name=name, created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["email"]))
    requester = db.session.scalars(sa.select(Requester).where(Requester.email == email)).one()
    if name and not requester.name:
        requester.name = name
    return requester
