"""What the desk learns from: every suggestion it served, and what the ticket filed with it said.

The classify endpoint stores each suggestion it answers and returns its id; a create that sends that id
links the two. The server keeps what it served, so a client can name a suggestion but cannot invent one,
and only the caller it was served to may use it, once.
"""
from datetime import timedelta

import sqlalchemy as sa

from ..classifiers import Suggestion
from ..errors import ApiError
from ..extensions import db
from ..models import Suggestion as SuggestionRow
from ..models import Ticket, utcnow

UNUSED_KEPT_DAYS = 30  # a suggestion no ticket was filed with is deleted after this long
PRUNE_EVERY = 100  # suggestions between prunes of unused ones past UNUSED_KEPT_DAYS


# built once, and run on the session's connection without the ORM: the unit of work's flush of one new
# object cost three times the INSERT itself, on every classification
RECORD = sa.insert(SuggestionRow).returning(SuggestionRow.id)


def record(suggestion: Suggestion, actor: str | None) -> int:
    """Store what was served and return its id; the caller's transaction commits it."""
    suggestion_id = db.session.connection().execute(RECORD, {
        "actor": actor, "category": suggestion.category, "priority": suggestion.priority,
        "category_by": suggestion.by("category"), "priority_by": suggestion.by("priority"),
        "category_confidence": suggestion.confidence.get("category"),
        "priority_confidence": suggestion.confidence.get("priority")}).scalar_one()
    if suggestion_id % PRUNE_EVERY == 0:
        forget_unused()
    return suggestion_id


def served(suggestion_id: int, actor: str | None) -> SuggestionRow:
    """The suggestion `suggestion_id` if it was served to `actor` and no ticket uses it yet, before anything
    is written. A well-formed id the desk cannot use is 422 (never served to you) or 409 (already used), so a
    400 keeps meaning what it always meant: the request itself is malformed."""
    row = db.session.get(SuggestionRow, suggestion_id, with_for_update=True)
    if row is None or row.actor != actor:
        raise ApiError(422, {"suggestion_id": ["No suggestion with this id was served to you."]})
    if row.ticket_id is not None:
        raise ApiError(409, {"suggestion_id": ["This suggestion is already linked to another ticket."]})
    return row


def link(row: SuggestionRow, ticket: Ticket) -> None:
    """Record what `ticket` was filed with beside what was suggested (in the ticket's transaction)."""
    row.ticket_id = ticket.id
    row.filed_category = ticket.category
    row.filed_priority = ticket.priority


def forget_unused(now=None) -> int:
    """Delete suggestions no ticket was filed with, older than UNUSED_KEPT_DAYS; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=UNUSED_KEPT_DAYS)
    result = db.session.execute(sa.delete(SuggestionRow).where(
        SuggestionRow.ticket_id.is_(None), SuggestionRow.created_at < cutoff))
    return result.rowcount
