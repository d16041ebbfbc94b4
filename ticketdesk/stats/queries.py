"""Ticket statistics in one query that reads the trigger-kept counts, not every ticket."""
from collections import Counter
from datetime import datetime, timezone

import sqlalchemy as sa

from ..extensions import db
from ..models import CATEGORIES, PRIORITIES, STATUSES, Ticket, TicketCount


def ticket_stats() -> dict:
    first_created = sa.select(sa.func.min(Ticket.created_at)).scalar_subquery()  # the newest-first index's far end
    rows = db.session.execute(
        sa.select(first_created, TicketCount.status, TicketCount.priority, TicketCount.category,
                  sa.func.sum(TicketCount.n))
        .group_by(TicketCount.status, TicketCount.priority, TicketCount.category)
    ).all()
    by_status, by_priority, by_category = Counter(), Counter(), Counter()
    for _, status, priority, category, n in rows:
        by_status[status] += int(n)
        by_priority[priority] += int(n)
        by_category[category] += int(n)
    total = by_status.total()
    first = rows[0][0] if rows and total else None
    today = datetime.now(timezone.utc).date()
    days = max((today - first.date()).days + 1, 1) if first else 0
    return {
        "total_tickets": total,
        "open_tickets": by_status["open"],
        "avg_tickets_per_day": round(total / days, 2) if days else 0,
        "priority_breakdown": {p: by_priority[p] for p in PRIORITIES},
        "category_breakdown": {c: by_category[c] for c in CATEGORIES},
        "status_breakdown": {s: by_status[s] for s in STATUSES},
    }
