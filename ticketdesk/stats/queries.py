"""Ticket statistics, aggregated by the database in one query."""
from datetime import datetime, timezone

import sqlalchemy as sa

from ..extensions import db
from ..models import CATEGORIES, PRIORITIES, Ticket


def ticket_stats() -> dict:
    count = sa.func.count()
    row = db.session.execute(sa.select(
        count,
        count.filter(Ticket.status == "open"),
        sa.func.min(Ticket.created_at),
        *(count.filter(Ticket.priority == p) for p in PRIORITIES),
        *(count.filter(Ticket.category == c) for c in CATEGORIES),
    )).one()
    total, open_count, first = row[0], row[1], row[2]
    by_priority = row[3:3 + len(PRIORITIES)]
    by_category = row[3 + len(PRIORITIES):]
    today = datetime.now(timezone.utc).date()
    days = max((today - first.date()).days + 1, 1) if first else 0
    return {
        "total_tickets": total,
        "open_tickets": open_count,
        "avg_tickets_per_day": round(total / days, 2) if days else 0,
        "priority_breakdown": dict(zip(PRIORITIES, by_priority)),
        "category_breakdown": dict(zip(CATEGORIES, by_category)),
    }
