"""The SLA badge the list and the ticket page show: the nearest due time in calendar time ("due in 2 h
13 min", "overdue by 35 min"), so urgency compares across calendars; the words say it without colour."""
from dataclasses import dataclass
from datetime import datetime

from ..models import WORKING, utcnow

SOON_MINUTES = 60


@dataclass(frozen=True)
class Badge:
    text: str
    level: str  # overdue, soon, later, paused
    due: datetime | None


def duration(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes or not
             (days or hours) else ""]
    return " ".join(part for part in parts[:2 if days else 3] if part)


def sla_badge(ticket, now: datetime | None = None) -> Badge | None:
    """`ticket` (a Ticket or a list row) as its badge says it; None when no target runs."""
    if ticket.sla_policy is None or ticket.status not in WORKING:
        return None
    dues = [due for due in (None if ticket.first_reply_at else ticket.sla_first_response_due_at,
                            ticket.sla_next_response_due_at, ticket.sla_resolution_due_at) if due is not None]
    if not dues:
        return Badge("SLA paused", "paused", None) if ticket.sla_resolution_minutes else None
    due, now = min(dues), now or utcnow()
    minutes = int(abs((due - now).total_seconds()) // 60)
    if due <= now:
        return Badge(f"overdue by {duration(minutes)}", "overdue", due)
    return Badge(f"due in {duration(minutes)}", "soon" if minutes < SOON_MINUTES else "later", due)
