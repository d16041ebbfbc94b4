"""Actors whose labels the learned classifier does not learn from: an admin's answer to labels given in bad
faith (or by a broken integration). Excluding changes no ticket; the next training leaves the labels out."""
import sqlalchemy as sa

from ..extensions import db
from ..models import Ticket, TrainingExclusion, utcnow


def exclude(actor: str, by: str | None) -> bool:
    """Exclude `actor`'s labels; False when they already were."""
    if db.session.get(TrainingExclusion, actor) is not None:
        return False
    db.session.add(TrainingExclusion(actor=actor, created_at=utcnow(), created_by=by))
    db.session.commit()
    return True


def include(actor: str) -> bool:
    """Let `actor`'s labels teach again; False when they were not excluded."""
    found = db.session.get(TrainingExclusion, actor)
    if found is None:
        return False
    db.session.delete(found)
    db.session.commit()
    return True


def excluded() -> list[TrainingExclusion]:
    return db.session.scalars(sa.select(TrainingExclusion).order_by(TrainingExclusion.actor)).all()


def labellers(limit: int = 50) -> list[tuple[str, int]]:
    """The actors who set the most labels, with how many: (actor, labels), most first."""
    counts: dict[str, int] = {}
    for column in (Ticket.category_labelled_by, Ticket.priority_labelled_by):
        for actor, n in db.session.execute(sa.select(column, sa.func.count()).where(column.is_not(None))
                                           .group_by(column)):
            counts[actor] = counts.get(actor, 0) + n
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
