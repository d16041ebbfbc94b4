"""Warnings before a target breaks, and word when it has: a periodic job (one runner at a time across
workers and hosts, jobs/periods.py) looks at the tickets whose `next_alert_at` has come, through its partial
index, and tells the assignee (or, while nobody owns it, the team) once per ticket, target, due time and
level: the alert's unique key decides, so a second runner, a retry or catching up after downtime sends
nothing twice. A breach is also recorded on the ticket (clock.outcome). A target already past when first
seen gets its breach only, not a late warning."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..jobs import periodic
from ..models import WORKING, SlaAlert, TeamMember, Ticket, TicketSla, utcnow
from ..ownership.notifications import tell, ticket_title
from .clock import open_targets, outcome

SCANNED_AT_ONCE = 500
NAMES = {"first_response": "first response", "next_response": "next response", "resolution": "resolution"}


@periodic("sla.scan", every=lambda config: config["SLA_SCAN_SECONDS"])
def scan() -> int:
    """Send the warnings and breaches that have come due; returns how many were sent."""
    now, sent = utcnow(), 0
    warn = timedelta(minutes=current_app.config["SLA_WARN_MINUTES"])
    states = db.session.scalars(sa.select(TicketSla).where(TicketSla.next_alert_at <= now)
                                .order_by(TicketSla.next_alert_at).limit(SCANNED_AT_ONCE)).all()
    for state in states:
        ticket = db.session.get(Ticket, state.ticket_id)
        targets = open_targets(ticket, state) if ticket.status in WORKING else []
        for target, due in targets:
            level = "breach" if due <= now else "warning" if due - warn <= now else None
            if level and _first(ticket.id, target, due, level, now):
                _tell(ticket, state, target, due, level, now)
                sent += 1
        later = [at for _, due in targets for at in (due - warn, due) if at > now]
        state.next_alert_at = min(later, default=None)
    db.session.commit()
    return sent


def _first(ticket_id: int, target: str, due: datetime, level: str, now: datetime) -> bool:
    """Whether this alert is new (and now kept): the unique key lets exactly one runner send it."""
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(SlaAlert)
    made = db.session.scalar(insert.values(ticket_id=ticket_id, target=target, due_at=due, level=level,
                                           created_at=now).on_conflict_do_nothing().returning(SlaAlert.id))
    return made is not None


def _tell(ticket: Ticket, state: TicketSla, target: str, due: datetime, level: str, now: datetime) -> None:
    owners = [ticket.assignee_id] if ticket.assignee_id else db.session.scalars(
        sa.select(TeamMember.user_id).where(TeamMember.team_id == ticket.team_id)).all() if ticket.team_id else []
    if level == "breach":
        outcome(ticket, state, target, False, now)
        text = f"#{ticket.id} {ticket_title(ticket)}: its {NAMES[target]} is overdue (was due {due:%Y-%m-%d %H:%M} UTC)"
    else:
        left = max(1, round((due - now).total_seconds() / 60))
        text = f"#{ticket.id} {ticket_title(ticket)}: its {NAMES[target]} is due in {left} min"
    tell(owners, "sla", None, text, ticket.id)
