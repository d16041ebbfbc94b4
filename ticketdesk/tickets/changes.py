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


def change_ticket(ticket_id: int, changes: dict, expected_versions: set[int] | None = None,
                  actor: str | None = None) -> Ticket | None:
    """The ticket after `changes`, or None if there is no such ticket; raises VersionMismatch when
    `expected_versions` is given and the ticket's version is not among them. The caller commits.
    `actor` becomes `updated_by`, which the audit trigger (migration 0004) records with each change."""
    if changes:
        statement = (sa.update(Ticket).where(Ticket.id == ticket_id)
                     .values(**changes, version=Ticket.version + 1, updated_at=utcnow(), updated_by=actor)
                     .returning(Ticket).execution_options(populate_existing=True))
        if expected_versions is not None:
            statement = statement.where(Ticket.version.in_(expected_versions))
        ticket = db.session.scalars(statement).one_or_none()
        if ticket is not None:
            return ticket
    # nothing to change, no such ticket, or not at an expected version: which one?
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is not None and expected_versions is not None and ticket.version not in expected_versions:
        raise VersionMismatch(ticket)
    return ticket
