"""Finding or adding the requester a ticket is from, safely when two tickets from a new customer arrive
at once: the insert yields to the one that got there first (ON CONFLICT DO NOTHING), then both read it."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Requester, utcnow


BY_EMAIL = sa.select(Requester).where(Requester.email == sa.bindparam("email"))


def find_or_add(email: str, name: str | None) -> Requester:
    """The requester with `email` (already lower-cased by the schema); a name fills in only a missing one.
    A known customer costs one query; a new one an INSERT that returns the row."""
    requester = db.session.scalars(BY_EMAIL, {"email": email}).first()
    if requester is None:
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        requester = db.session.scalars(dialect.insert(Requester).values(email=email, name=name, created_at=utcnow())
                                       .on_conflict_do_nothing(index_elements=["email"]).returning(Requester)).first()
        if requester is None:  # added this moment by another transaction
            requester = db.session.scalars(BY_EMAIL, {"email": email}).one()
    if name and not requester.name:
        requester.name = name
    return requester
