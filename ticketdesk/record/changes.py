"""Every change to a ticket, from the API or the pages, is one UPDATE that also raises its version.
Given the version the client last saw (If-Match, or the pages' hidden field), the change applies to
exactly that version or not at all, so nobody overwrites a change they have not seen."""
import sqlalchemy as sa

from ..extensions import db
from ..models import Ticket, utcnow


class VersionMismatch(Exception):
    """The ticket exists, but no longer at the version the client expected."""

    def __init__(self, ticket: Ticket):
        super().__init__(ticket.version)
        self.ticket = ticket


OWNERS = {"assignee_id": "assignee", "team_id": "team"}  # the ticket's columns and the relationships they load


def change_ticket(ticket_id: int, changes: dict, expected_versions: set[int] | None = None,
                  actor: str | None = None, touch: bool = False) -> Ticket | None:
    """The ticket after `changes`, or None if there is no such ticket; raises VersionMismatch when
    `expected_versions` is given and the ticket's version is not among them. The caller commits.
    `actor` becomes `updated_by`, which the audit trigger (migration 0004) records with each change.
    `touch`: a change kept in another table (its tags) raises the version even with no column changed."""
    if changes or touch:
        statement = (sa.update(Ticket).where(Ticket.id == ticket_id)
                     .values(**changes, version=Ticket.version + 1, updated_at=utcnow(), updated_by=actor)
                     .returning(Ticket).execution_options(populate_existing=True))
        if expected_versions is not None:
            statement = statement.where(Ticket.version.in_(expected_versions))
        ticket = db.session.scalars(statement).one_or_none()
        if ticket is not None:
            noted([ticket_id], changes.keys() or {TAGS})
            db.session.expire(ticket, [OWNERS[c] for c in changes if c in OWNERS])  # loaded again, as changed
            return ticket
    # nothing to change, no such ticket, or not at an expected version: which one?
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is not None and expected_versions is not None and ticket.version not in expected_versions:
        raise VersionMismatch(ticket)
    return ticket


def change_tickets(where, changes: dict, actor: str | None) -> int:
    """`changes` on every ticket `where` selects, in one UPDATE that raises each one's version (the audit
    trigger records each change). Returns how many changed. The caller commits."""
    statement = sa.update(Ticket).where(where).values(**changes, version=Ticket.version + 1, updated_at=utcnow(),
                                                      updated_by=actor).returning(Ticket.id)
    changed = db.session.scalars(statement.execution_options(synchronize_session=False)).all()
    noted(changed, changes.keys() or {TAGS})
    return len(changed)


CHANGED = "ticketdesk.changed_tickets"
TAGS, CREATED, CONVERSATION = "tags", "created", "conversation"  # what changed besides the ticket's columns


def noted(ticket_ids, what) -> None:
    """Remember for this transaction that these tickets changed, and what (column names, or TAGS, CREATED,
    CONVERSATION), so that what follows from a change (its SLA clocks) is done once, before the commit,
    whichever path made it. Every path above the record notes its changes here or goes through it."""
    changed = db.session.info.setdefault(CHANGED, {})
    for ticket_id in ticket_ids:
        changed.setdefault(ticket_id, set()).update(what)


def changed_tickets(session) -> dict[int, set[str]]:
    """What `noted` remembered in `session`'s transaction, forgotten once read."""
    return session.info.pop(CHANGED, {})
