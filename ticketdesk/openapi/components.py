"""The schemas only the document needs: what the classify endpoint reads and writes, the stats, whoami and
the error shapes (the rest are the API's own, in ticketdesk/schemas.py)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from ..models import CATEGORIES, MAX_ID, ORDERINGS, PRIORITIES, ROLES, STATUSES
from ..schemas import NO_NUL, text_pattern


class SuggestionRequestSchema(Schema):
    """Read by `triage.api`."""

    class Meta:
        unknown = EXCLUDE

    description = fields.String(required=True, metadata={
        "description": "What the agent has typed; blank is refused.", "pattern": text_pattern(None)})
    title = fields.String(allow_none=True, metadata={"description": "Optional; helps the classifier.",
                                                        "pattern": NO_NUL})


class SuggestionSchema(Schema):
    """Written by `Suggestion.to_json`."""
    suggested_category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    suggested_priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    provider = fields.String(required=True, metadata={"description": "The classifier that answered the category."})
    note = fields.String(metadata={"description": "Present when a configured provider failed and the next "
                                                  "classifier in the chain answered instead."})
    confidence = fields.Dict(keys=fields.String(validate=validate.OneOf(("category", "priority"))),
                             values=fields.Float(validate=validate.Range(min=0, max=1)), metadata={
        "description": "How sure the answering classifier is of each field, 0 to 1, for the fields whose "
                       "classifier knows (`learned` does; keyword and the LLMs do not)."})
    providers = fields.Dict(keys=fields.String(validate=validate.OneOf(("category", "priority"))),
                            values=fields.String(), metadata={
        "description": "Present when the fields came from different classifiers of the chain, for example "
                       "`{\"category\": \"learned\", \"priority\": \"keyword\"}`."})
    suggestion_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "Send it with the ticket you file (`POST /api/tickets/`) so the desk records whether "
                       "this suggestion was accepted. Absent only when the database was unavailable."})


def _counts(name: str, keys) -> fields.Nested:
    """One count per allowed value, zeros included."""
    counts = Schema.from_dict({key: fields.Integer(required=True, validate=validate.Range(min=0)) for key in keys},
                              name=name)
    return fields.Nested(counts, required=True)


class StatsSchema(Schema):
    """Written by `ticket_stats`."""
    total_tickets = fields.Integer(required=True, validate=validate.Range(min=0))
    open_tickets = fields.Integer(required=True, validate=validate.Range(min=0))
    avg_tickets_per_day = fields.Float(required=True, validate=validate.Range(min=0), metadata={
        "description": "Tickets divided by the days since the first one, inclusive; 0 with no tickets."})
    priority_breakdown = _counts("PriorityCounts", PRIORITIES)
    category_breakdown = _counts("CategoryCounts", CATEGORIES)
    status_breakdown = _counts("StatusCounts", STATUSES)


class WhoAmISchema(Schema):
    """Written by `auth.api.whoami`."""
    actor = fields.String(required=True, allow_none=True, metadata={
        "description": "`token:NAME` or the agent's email; null when access control is off."})
    role = fields.String(required=True, allow_none=True, validate=validate.OneOf(ROLES), metadata={
        "description": "What the credentials may do: `viewer` (a read token) reads, `agent` (a write token) "
                       "also changes tickets, `admin` also manages agents and tokens; null when access "
                       "control is off."})


class ViewSchema(Schema):
    """Written by `ownership.queues.queue_json`."""
    key = fields.String(required=True, metadata={"description": "A built-in view's word, or a saved view's id."})
    name = fields.String(required=True)
    description = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("built-in", "shared", "personal")), metadata={
        "description": "`built-in`, `shared` (a saved view an admin shares with the desk) or `personal` (the "
                       "signed-in agent's own)."})
    filters = fields.Dict(required=True, metadata={
        "description": "A saved view's filters, as `GET /api/tickets/` takes them; `{}` for a built-in view."})
    ordering = fields.String(required=True, validate=validate.OneOf(ORDERINGS))
    count = fields.Integer(required=True, validate=validate.Range(min=0))
    exact = fields.Boolean(required=True, metadata={"description": "False when the count stopped at 1,000."})


class DetailSchema(Schema):
    detail = fields.String(required=True)


class ErrorSchema(Schema):
    error = fields.String(required=True)


FIELD_ERRORS = {
    "description": "Each field that is wrong, with what is wrong with it; a field that is an object (`requester`) "
                   "has its own fields' errors inside.",
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                                       {"$ref": "#/components/schemas/FieldErrors"}]},
    "example": {"priority": ['"urgent" is not a valid choice.'], "requester": {"email": ["Enter a valid email address."]}},
}

