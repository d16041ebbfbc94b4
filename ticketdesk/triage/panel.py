"""The dashboard's triage panel: how often agents accepted each classifier's suggestions, and which labels
they correct most. Read from the suggestions tickets were filed with; a correction made later on the
ticket counts too, as the ticket's current label is compared once a person has set or confirmed it."""
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import CATEGORIES, PRIORITIES, Suggestion, Ticket, utcnow

RECENT_DAYS = 30
FIELD_VALUES = {"category": CATEGORIES, "priority": PRIORITIES}  # each label field and the values it takes


@dataclass
class Acceptance:
    classifier: str
    field: str
    recent: int = 0  # suggestions a ticket was filed with, in the last RECENT_DAYS
    recent_accepted: int = 0
    total: int = 0
    accepted: int = 0

    @staticmethod
    def rate(accepted: int, shown: int) -> float | None:
        return accepted / shown if shown else None


@dataclass
class Confusion:
    """{suggested: {set by a person: n}} over linked suggestions whose ticket a person labelled."""
    field: str
    cells: dict = field(default_factory=dict)

    def corrections(self) -> list[tuple[str, str, int]]:
        """(suggested, corrected to, n), most frequent first."""
        found = [(s, c, n) for s, row in self.cells.items() for c, n in row.items() if s != c and n]
        return sorted(found, key=lambda item: (-item[2], item[0], item[1]))


def acceptance(now=None) -> list[Acceptance]:
    """Per classifier and field: suggestions filed with, and how many were kept as suggested at filing."""
    since = (now or utcnow()) - timedelta(days=RECENT_DAYS)
    rows: dict[tuple[str, str], Acceptance] = {}
    for name in FIELD_VALUES:
        by = getattr(Suggestion, f"{name}_by")
        kept = getattr(Suggestion, f"filed_{name}") == getattr(Suggestion, name)
        recent = Suggestion.created_at >= since
        query = (sa.select(by, sa.func.count(), _count(kept), _count(recent), _count(sa.and_(recent, kept)))
                 .where(Suggestion.ticket_id.is_not(None)).group_by(by))
        for classifier, total, accepted, shown_recently, accepted_recently in db.session.execute(query):
            rows[(classifier, name)] = Acceptance(classifier, name, shown_recently, accepted_recently, total, accepted)
    return [rows[key] for key in sorted(rows)]


def confusion() -> list[Confusion]:
    """What each suggested label became, per field, where a person set or confirmed the ticket's label."""
    tables = []
    for name, labels in FIELD_VALUES.items():
        current = getattr(Ticket, name)
        set_by = getattr(Ticket, f"{name}_set_by")
        query = (sa.select(getattr(Suggestion, name), current, sa.func.count())
                 .join(Ticket, Ticket.id == Suggestion.ticket_id)
                 .where(sa.or_(set_by.is_(None), set_by != "desk"))
                 .group_by(getattr(Suggestion, name), current))
        table = Confusion(name, {s: {c: 0 for c in labels} for s in labels})
        for suggested, became, n in db.session.execute(query):
            table.cells[suggested][became] = n
        tables.append(table)
    return tables


def _count(condition) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)
