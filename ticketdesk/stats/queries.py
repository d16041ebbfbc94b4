"""Ticket statistics in one query that reads the trigger-kept counts, not every ticket; and the support
lead's figures for the dashboard page (not the polled API: a median reads a window of tickets)."""
import statistics
from collections import Counter
from datetime import datetime, timedelta, timezone

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


RESPONSE_WINDOWS = (7, 30)  # days over which the median first-response time is shown


def support_metrics(now: datetime | None = None) -> dict:
    """What a support lead looks at beside the counts: tickets whose requester is waiting for an answer
    (they spoke last), and the median time to a first reply for tickets filed in each recent window."""
    now = now or datetime.now(timezone.utc)
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(
        Ticket.waiting_since.is_not(None), Ticket.status.in_(("open", "in_progress"))))
    return {"waiting_on_agent": waiting,
            "first_response_median": {days: _median_first_response(now - timedelta(days=days))
                                      for days in RESPONSE_WINDOWS}}


def _median_first_response(since: datetime) -> float | None:
    """Seconds; None when no ticket filed since then has been answered. PostgreSQL computes it; SQLite has
    no percentile function, so the window's durations are read and the median taken here."""
    answered = [Ticket.created_at >= since, Ticket.first_reply_at.is_not(None)]
    if db.engine.dialect.name == "postgresql":
        seconds = sa.extract("epoch", Ticket.first_reply_at - Ticket.created_at)
        value = db.session.scalar(sa.select(sa.func.percentile_cont(0.5).within_group(seconds)).where(*answered))
        return None if value is None else float(value)
    seconds = (sa.func.julianday(Ticket.first_reply_at) - sa.func.julianday(Ticket.created_at)) * 86400
    values = db.session.scalars(sa.select(seconds).where(*answered)).all()
    return statistics.median(values) if values else None
