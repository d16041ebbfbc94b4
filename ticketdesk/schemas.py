"""API input validation and output, with the error messages the earlier systems' clients expect."""
from datetime import datetime, timezone

from flask import url_for
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from .errors import ApiError
from .models import (
    CATEGORIES,
    DEFAULT_ORDERING,
    DELIVERY_STATES,
    MAX_ID,
    MESSAGE_KINDS,
    MESSAGE_MAX,
    ORDERINGS,
    TAG_MAX,
    TEAM_NAME_MAX,
    PRIORITIES,
    SAVED_REPLY_TITLE_MAX,
    STATUSES,
    TITLE_MAX,
    WORKING,
)
from .placeholders import PLACEHOLDERS, unknown_placeholders
from .text import CONTROLS, visible

NO_NUL = r"^[^\u0000]*$"  # in the OpenAPI document's terms: no NUL character
# what str.strip() removes, spelled out so that the document's patterns mean the same in every regex engine
SPACE = r"\t-\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
MESSAGES = {
    "required": "This field is required.",
    "null": "This field may not be null.",
    "invalid": "Not a valid string.",
    "blank": "This field may not be blank.",
    "null_char": "Null characters are not allowed.",
    "surrogate": "Unpaired surrogates are not allowed: send valid Unicode text.",
    "max_length": "Ensure this field has no more than {max} characters.",
}


# what `_no_controls` refuses, as a character class in the document's terms (text.CONTROLS in Python's)
CONTROL_CLASS = r"\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069"
NO_CONTROLS = f"^[^{CONTROL_CLASS}]*$"


def text_pattern(max_length: int | None, refused: str = r"\u0000") -> str:
    """Text's rule as a regular expression: none of `refused` (NUL) once trimmed; 1 to `max_length` characters."""
    edge = f"[^{SPACE}{refused}]"
    inner = f"[^{refused}]*" if max_length is None else f"[^{refused}]{{0,{max_length - 2}}}"
    return f"^[{SPACE}]*{edge}(?:{inner}{edge})?[{SPACE}]*$"


class Text(fields.String):
    """A string that is trimmed, may not be blank, and may not hold NUL (PostgreSQL cannot store it);
    `max_length` counts what is left once trimmed, as the earlier API did."""

    default_error_messages = MESSAGES

    def __init__(self, max_length: int | None = None, metadata: dict | None = None, **kwargs):
        rule = "Trimmed; not blank" + (f"; at most {max_length} characters once trimmed." if max_length else ".")
        metadata = {"pattern": text_pattern(max_length), **(metadata or {})}
        metadata["description"] = " ".join(filter(None, (rule, metadata.get("description"))))
        super().__init__(**kwargs, metadata=metadata)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise self.make_error("null_char")
        if not value.isascii() and not encodable(value):
            raise self.make_error("surrogate")
        value = value.strip()
        if not value:
            raise self.make_error("blank")
        if self.max_length is not None and len(value) > self.max_length:
            raise self.make_error("max_length", max=self.max_length)
        return value


def whole_number(text: str | None) -> int | None:
    """`text` as a whole number from 1 to MAX_ID written in ASCII digits (a query argument or form field that
    names a row, or a page), else None. Each bound was a 500: `str.isdigit` also accepts "²" and other digits
    `int` refuses, `int` refuses past 4,300 digits, and PostgreSQL refuses to compare an id column with a
    number past its range, as SQLite does past 64 bits."""
    if text and len(text) <= 10 and text.isascii() and text.isdigit() and 0 < (number := int(text)) <= MAX_ID:
        return number
    return None


def encodable(value: str) -> bool:
    """False for text JSON can carry but UTF-8, and so the database, cannot: a lone `\\ud800` escape."""
    try:
        value.encode()
        return True
    except UnicodeEncodeError:
        return False


class JsonInteger(fields.Integer):
    """A JSON number without a fraction, as JSON Schema's `integer` means it (`7` and `7.0`, never `"7"`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not value.is_integer()):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Choice(fields.String):
    default_error_messages = MESSAGES

    def __init__(self, choices, **kwargs):
        super().__init__(validate=validate.OneOf(choices, error='"{input}" is not a valid choice.'), **kwargs)


def utc_text(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z` suffix."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class UTCTime(fields.DateTime):
    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else utc_text(value)


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError(MESSAGES["null_char"])


def _no_controls(value: str) -> None:
    """A name or address goes into mail headers: no line break or other control character, no
    bidirectional override, may reach one (a CR/LF would write a header of the sender's choosing)."""
    if CONTROLS.search(value.replace("\x00", "")):  # a NUL is refused by _storable, by name
        raise ValidationError("Control characters (such as line breaks or direction overrides) are not allowed.")


def _storable(value: str) -> None:
    """No NUL, no lone surrogate: what the database cannot store is refused by name, never a 500."""
    _no_nul(value)
    if not encodable(value):
        raise ValidationError(MESSAGES["surrogate"])


class Name(Text):
    """Text that names something (a team, a view, a calendar, a policy): besides Text's rule, no control
    character once trimmed, and the document's pattern says so too."""

    def __init__(self, max_length: int, metadata: dict | None = None, **kwargs):
        super().__init__(max_length, validate=_no_controls, **kwargs, metadata={
            "pattern": text_pattern(max_length, CONTROL_CLASS), **(metadata or {})})


class TicketSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # read-only and unknown fields are ignored, as the earlier API did

    id = fields.Integer(dump_only=True)
    title = Text(max_length=TITLE_MAX, required=True)
    description = Text(required=True)
    category = Choice(CATEGORIES, required=True)
    priority = Choice(PRIORITIES, required=True)
    status = Choice(STATUSES, load_default="open")
    created_at = UTCTime(dump_only=True)
    updated_at = UTCTime(dump_only=True)
    created_by = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "The agent's email or `token:NAME` that filed it; null when access control was off."})
    language = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "The ISO 639 code of the ticket's language, detected offline; `und` when the detector "
                       "was unsure; null for a ticket filed before detection existed and not yet detected."})
    triaged_by = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "The classifier that filled the category and/or priority the client sent as `auto`; "
                       "null when the client chose both."})
    requester = fields.Nested("RequesterSchema", dump_only=True, allow_none=True, metadata={
        "description": "The customer who wrote in; null when the ticket was filed without one."})
    follows_up = fields.Integer(dump_only=True, allow_none=True, attribute="follows_up_id", metadata={
        "description": "The closed ticket this one continues: the requester answered it by mail after it was "
                       "closed. Null otherwise."})
    assignee = fields.Nested("AgentRefSchema", dump_only=True, allow_none=True, metadata={
        "description": "The agent who owns it; null when nobody does."})
    team = fields.Nested("TeamRefSchema", dump_only=True, allow_none=True, metadata={
        "description": "The team whose queue it is in; null for none."})
    tags = fields.Function(lambda ticket: _tag_list(ticket), dump_only=True, metadata={
        "description": "Its tags, sorted.", "type": "array", "items": {"type": "string"}})
    sla = fields.Function(lambda ticket: sla_json(ticket), dump_only=True, metadata={
        "description": "Where it stands against the SLA policy that applies (null: none does). Times are UTC, "
                       "null when the target is not running (met, paused, or not in the policy); `paused`: the "
                       "resolution clock waits on the customer; `breached`: the targets broken, for good.",
        "type": ["object", "null"], "required": ["policy", "first_response_due_at", "first_response_at",
                                                 "next_response_due_at", "resolution_due_at", "paused", "breached"],
        "properties": {"policy": {"type": "string"},
                       **{name: {"type": ["string", "null"], "format": "date-time"} for name in (
                           "first_response_due_at", "first_response_at", "next_response_due_at",
                           "resolution_due_at")},
                       "paused": {"type": "boolean"},
                       "breached": {"type": "array", "items": {"type": "string", "enum": [
                           "first_response", "next_response", "resolution"]}}}})


class AgentRefSchema(Schema):
    email = fields.String(required=True)
    name = fields.String(required=True, allow_none=True, metadata={"description": "Null when the agent gave none."})


class TeamRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class EmailAddress(fields.Email):
    """An email address, trimmed and lower-cased before it is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip().lower()
        return super()._deserialize(value, attr, data, **kwargs)


class RequesterSchema(Schema):
    """A customer: the email is lower-cased (one requester whatever its case); the name is optional."""

    class Meta:
        unknown = EXCLUDE

    email = EmailAddress(required=True, validate=[validate.Length(max=254), _storable, _no_controls], error_messages={
        "required": MESSAGES["required"],
        "invalid": "Enter a valid email address."}, metadata={"description": "Unique, case-insensitive."})
    name = fields.String(allow_none=True, validate=[validate.Length(max=200), _storable, _no_controls], metadata={
        "description": "At most 200 characters, with no control characters (no line breaks); kept from the first "
                       "ticket that gave one; agents can change it.",
        "pattern": NO_CONTROLS})

    @post_load
    def normalise(self, data, **kwargs):
        data["name"] = (data.get("name") or "").strip() or None
        return data


AUTO = "auto"


class TicketCreateSchema(TicketSchema):
    """A new ticket: as a ticket, but category and priority may be `auto` (the desk's local classifiers fill
    them), and `suggestion_id` links the suggestion the client was shown."""

    category = Choice((*CATEGORIES, AUTO), required=True, metadata={
        "description": "Or `auto`: filled at once by the desk's own classifiers (learned when confident, "
                       "else keyword), never waiting on a remote provider; `triaged_by` says which."})
    priority = Choice((*PRIORITIES, AUTO), required=True, metadata={"description": "Or `auto`, as for category."})
    suggestion_id = JsonInteger(load_only=True, validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "The `suggestion_id` that `POST /api/tickets/classify/` answered, recording whether "
                       "that suggestion was accepted. It must have been served to the same credentials (else 422), "
                       "and each links one ticket only (else 409)."}, error_messages={"invalid": "A valid integer is required."})
    requester = fields.Nested(RequesterSchema, load_default=None, allow_none=True, metadata={
        "description": "Optional: the customer this ticket is from, found by email or added."})


class TicketChangeSchema(TicketSchema):
    """What `PATCH /api/tickets/<id>/` reads: a ticket's fields, and who owns it and how it is tagged."""

    assignee = EmailAddress(load_only=True, allow_none=True, validate=validate.Length(max=254), error_messages={
        "invalid": "Enter a valid email address."}, metadata={
        "description": "An active agent's email, or null for nobody. Given a team and no assignee (here or before), "
                       "the team's assignment mode may choose one."})
    team = Text(max_length=TEAM_NAME_MAX, load_only=True, allow_none=True, metadata={
        "description": "A team's name, or null for none."})
    tags = fields.List(fields.String(), load_only=True, metadata={
        "description": f"The full new list of tags (each trimmed, lower-cased, 1 to {TAG_MAX} letters, digits, `-` "
                       "and `_`; made on first use). Send `If-Match` so nobody's tag is lost; or send `add_tags` "
                       "and `remove_tags`, which never overwrite anyone's."})
    add_tags = fields.List(fields.String(), load_only=True, metadata={"description": "Tags to add."})
    remove_tags = fields.List(fields.String(), load_only=True, metadata={"description": "Tags to remove."})


BULK_MAX = 1000  # tickets one bulk change may name


class BulkSetSchema(Schema):
    """What a bulk change sets on every ticket it names: the fields a queue is worked by."""

    status = Choice(STATUSES)
    priority = Choice(PRIORITIES)
    category = Choice(CATEGORIES)
    assignee = EmailAddress(allow_none=True, validate=validate.Length(max=254), error_messages={
        "invalid": "Enter a valid email address."}, metadata={"description": "An active agent's email, or null."})
    team = Text(max_length=TEAM_NAME_MAX, allow_none=True, metadata={"description": "A team's name, or null."})


class BulkChangeSchema(Schema):
    """What `POST /api/tickets/bulk/` reads: one change for many tickets."""

    class Meta:
        unknown = EXCLUDE

    ids = fields.List(JsonInteger(validate=validate.Range(min=1, max=MAX_ID), error_messages={
        "invalid": "A valid integer is required."}), required=True, validate=validate.Length(
        min=1, max=BULK_MAX, error=f"Name 1 to {BULK_MAX} tickets."), metadata={
        "description": f"The tickets to change, 1 to {BULK_MAX}; an id given twice counts once."})
    changes = fields.Nested(BulkSetSchema, data_key="set", load_default=dict, metadata={
        "description": "Fields set on every ticket (unknown fields are refused: a title is never set in bulk)."})
    add_tags = fields.List(fields.String(), load_default=list, metadata={"description": "Tags added to every ticket."})
    remove_tags = fields.List(fields.String(), load_default=list, metadata={
        "description": "Tags removed from every ticket."})

    @validates_schema
    def _something(self, data, **_kwargs):
        if not (data.get("changes") or data.get("add_tags") or data.get("remove_tags")):
            raise ValidationError("Nothing to change: send fields in `set`, or tags to add or remove.", "set")


class BulkResultSchema(Schema):
    updated = fields.Integer(required=True, metadata={"description": "How many tickets changed."})
    failed = fields.List(fields.Nested(Schema.from_dict({"id": fields.Integer(required=True),
                                                          "detail": fields.String(required=True)},
                                                         name="BulkFailure")), required=True, metadata={
        "description": "The ids that could not be changed, each with why; the others were changed."})


class TicketEventSchema(Schema):
    """One change in a ticket's audit trail."""

    id = fields.Integer(required=True)
    field = fields.String(required=True, validate=validate.OneOf(("status", "priority", "category", "assignee",
                                                                  "team", "tag", "sla")), metadata={
        "description": "`assignee` values are agents' emails, `team` values team names; a `tag` event goes from "
                       "null to the tag added, or from the tag removed to null; an `sla` event (the desk's, "
                       "`actor` null) goes from the target's due time to `first_response met`, `resolution "
                       "breached` and the like."})
    old_value = fields.String(required=True, allow_none=True, data_key="from", metadata={
        "description": "Null where there was none (no assignee, no team, a tag added)."})
    new_value = fields.String(required=True, allow_none=True, data_key="to")
    actor = fields.String(required=True, allow_none=True, metadata={
        "description": "An agent's email or `token:NAME`; null when access control was off."})
    created_at = UTCTime(required=True)


class TicketQuerySchema(Schema):
    """Query parameters of the ticket list."""

    class Meta:
        unknown = EXCLUDE

    REPEATABLE = ("tag",)  # given more than once, each value counts (every other parameter: once)

    category = Choice(CATEGORIES)
    priority = Choice(PRIORITIES)
    status = Choice(STATUSES)
    search = fields.String(validate=_no_nul, metadata={"pattern": NO_NUL})
    limit = fields.Integer(load_default=100, validate=validate.Range(
        min=1, max=1000, error="Ensure this value is between {min} and {max}."),
        error_messages={"invalid": "A valid integer is required."})
    cursor = fields.String()
    requester = EmailAddress(validate=validate.Length(max=254), error_messages={"invalid": "Enter a valid email address."},
                             metadata={"description": "The requester's email (any case)."})
    language = fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$", error="Not a language code, such as de or pt."),
                             metadata={"description": "An ISO 639 code, as in the tickets' `language`."})
    assignee = fields.String(validate=[validate.Length(max=254), _no_nul], metadata={
        "description": "An agent's email, `none` (nobody owns it) or `me` (the signed-in agent; with a token, none).",
        "pattern": NO_NUL})
    team = fields.String(validate=[validate.Length(max=TEAM_NAME_MAX), _no_nul], metadata={
        "description": "A team's name, or `none` (in no team's queue).", "pattern": NO_NUL})
    tag = fields.List(fields.String(validate=[validate.Length(max=TAG_MAX), _no_nul], metadata={"pattern": NO_NUL}),
                      metadata={"description": "A tag; repeat it for tickets that have all of them."})
    sla = fields.String(validate=validate.Regexp(r"^(breached|overdue|due_within_\d{1,5})$", error=(
        "Not an SLA filter: breached, overdue or due_within_N (minutes, such as due_within_60).")), metadata={
        "description": "`breached`: an SLA target was broken; `overdue`: open or in progress and past its nearest "
                       "due time; `due_within_60`: open or in progress and due within that many minutes."})
    ordering = Choice(ORDERINGS, load_default=DEFAULT_ORDERING, metadata={
        "description": "`-created_at` newest first (the default), `created_at` oldest first, or `priority`: "
                       "critical first, then high, medium and low, each oldest first (the order a queue is "
                       "worked in), or `sla_due`: the nearest SLA due time first (overdue ones first of all), "
                       "then the tickets with nothing due, oldest first. The `next` link keeps the ordering."})


class DeliverySchema(Schema):
    state = fields.String(required=True, validate=validate.OneOf(DELIVERY_STATES), metadata={
        "description": "`queued` (the worker will send it), `sent`, `failed` (not delivered: see `detail`) or "
                       "`unsent` (mail is not configured, so it was kept and not sent)."})
    detail = fields.String(required=True, allow_none=True)


class NewMessageSchema(Schema):
    """What `POST /api/tickets/<id>/messages/` reads."""

    class Meta:
        unknown = EXCLUDE

    kind = Choice(MESSAGE_KINDS, required=True, metadata={
        "description": "`reply`: to the requester, by email; `note`: internal, never leaves the desk; "
                       "`customer`: the requester's own words (from an integration such as a chat widget)."})
    body = Text(max_length=MESSAGE_MAX, required=True)
    saved_reply_id = JsonInteger(load_only=True, validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "A saved reply whose changes and note go in with this message, in one step (a macro); "
                       "`body` is sent as given."})


class AttachmentSchema(Schema):
    """A file that came with a mail."""

    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True, metadata={"description": "As the mail declared it."})
    size = fields.Integer(required=True, metadata={"description": "In bytes."})
    message_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The message it came with; null for the mail that opened the ticket."})
    url = fields.String(required=True, allow_none=True, metadata={
        "description": "Where to download it (a download, never shown inline; same credentials as the API). "
                       "Null when it was larger than MAIL_MAX_ATTACHMENT_BYTES: it is then only in the original mail."})


class MessageSchema(NewMessageSchema):
    """One message of a ticket's thread, as the API answers it."""

    id = fields.Integer(dump_only=True)
    author = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "The agent or `token:NAME` for replies and notes; the requester's email for customer "
                       "messages (null when the ticket has no requester)."})
    created_at = UTCTime(dump_only=True)
    delivery = fields.Nested(DeliverySchema, dump_only=True, allow_none=True, metadata={
        "description": "A reply's delivery to the requester; null for notes and customer messages."})
    attachments = fields.List(fields.Nested(AttachmentSchema), dump_only=True, metadata={
        "description": "The files a customer's mail came with; empty for every other message."})


class MacroChangesSchema(BulkSetSchema):
    """What a saved reply changes on the ticket it is applied to, with the reply (a macro)."""

    add_tags = fields.List(fields.String(), metadata={"description": "Tags added to the ticket."})
    remove_tags = fields.List(fields.String(), metadata={"description": "Tags removed from the ticket."})


class SavedReplySchema(Schema):
    """A saved reply: what `POST`/`PATCH /api/saved-replies/` read and every saved-reply answer holds. With
    `changes` or a `note` it is a macro: applied to a ticket, they go in with the reply in one step."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    title = Text(max_length=SAVED_REPLY_TITLE_MAX, required=True)
    body = Text(max_length=MESSAGE_MAX, required=True, metadata={
        "description": "May hold the placeholders `{{ requester.name }}`, `{{ requester.email }}`, "
                       "`{{ ticket.id }}` and `{{ ticket.title }}`, filled in when it is inserted into a reply."})
    changes = fields.Nested(MacroChangesSchema, metadata={
        "description": "Fields set on the ticket with the reply (`{}` for none): each checked like a `PATCH` "
                       "when saved and again when applied (a team deleted since is a 400 then)."})
    note = Text(max_length=MESSAGE_MAX, allow_none=True, metadata={
        "description": "An internal note added with the reply (null for none); placeholders as in `body`."})
    updated_at = UTCTime(dump_only=True)
    updated_by = fields.String(dump_only=True, allow_none=True)

    @validates_schema
    def _known_placeholders(self, data, **_kwargs):
        for name in ("body", "note"):
            if unknown := unknown_placeholders(data.get(name) or ""):
                names = ", ".join("{{ %s }}" % n for n in unknown)
                known = ", ".join("{{ %s }}" % n for n in PLACEHOLDERS)
                raise ValidationError(f"Unknown placeholder {names}: use {known}.", name)


def saved_reply_json(reply) -> dict:
    return {"id": reply.id, "title": reply.title, "body": reply.body, "changes": reply.changes or {},
            "note": reply.note, "updated_at": utc_text(reply.updated_at), "updated_by": reply.updated_by}


def message_json(message, files=()) -> dict:
    """`files` are the message's attachments (a mail's), as `attachment_json` gives them."""
    delivery = None if message.delivery_state is None else {"state": message.delivery_state,
                                                           "detail": message.delivery_detail}
    return {"id": message.id, "kind": message.kind, "body": message.body, "author": message.author,
            "created_at": utc_text(message.created_at), "delivery": delivery,
            "attachments": [attachment_json(f) for f in files]}


def attachment_json(file) -> dict:
    return {"id": file.id, "filename": visible(file.filename), "content_type": file.content_type, "size": file.size,
            "message_id": file.message_id,
            "url": url_for("mail.attachment", attachment_id=file.id, _external=True) if file.kept else None}


def ticket_json(ticket) -> dict:
    """What `TicketSchema().dump(ticket)` gives, written out: marshmallow's per-field machinery took half
    the time of a 100-ticket page (see bench/), so the API answers with this and a test holds the two equal.
    `ticket` is a Ticket, or a row of `record.queries.ticket_page` (which carries the same names)."""
    return {"id": ticket.id, "title": ticket.title, "description": ticket.description, "category": ticket.category,
            "priority": ticket.priority, "status": ticket.status, "created_at": utc_text(ticket.created_at),
            "updated_at": utc_text(ticket.updated_at), "created_by": ticket.created_by, "language": ticket.language,
            "triaged_by": ticket.triaged_by, "requester": None if ticket.requester_email is None else
            {"email": ticket.requester_email, "name": ticket.requester_name}, "follows_up": ticket.follows_up_id,
            "assignee": _assignee_json(ticket), "team": _team_json(ticket), "tags": _tag_list(ticket),
            "sla": sla_json(ticket)}


def sla_json(ticket) -> dict | None:
    """Where the ticket stands against its SLA policy (sla/clock.py keeps it); null when none applies."""
    if ticket.sla_policy is None:
        return None
    paused = bool(ticket.sla_resolution_minutes) and ticket.sla_running_since is None and ticket.status in WORKING
    when = lambda moment: None if moment is None else utc_text(moment)  # noqa: E731
    return {"policy": ticket.sla_policy, "first_response_due_at": when(ticket.sla_first_response_due_at),
            "first_response_at": when(ticket.first_reply_at),
            "next_response_due_at": when(ticket.sla_next_response_due_at),
            "resolution_due_at": when(ticket.sla_resolution_due_at), "paused": paused,
            "breached": sorted(filter(None, (ticket.sla_breached or "").split(",")))}


def _assignee_json(ticket) -> dict | None:
    return None if ticket.assignee_email is None else {"email": ticket.assignee_email, "name": ticket.assignee_name}


def _team_json(ticket) -> dict | None:
    return None if ticket.team_id is None else {"id": ticket.team_id, "name": ticket.team_name}


def _tag_list(ticket) -> list[str]:
    return sorted(ticket.tag_names.split(",")) if ticket.tag_names else []  # a Ticket or a list row


def event_json(event) -> dict:
    return TicketEventSchema().dump(event)


ticket_schema = TicketSchema()
ticket_create_schema = TicketCreateSchema()
message_schema = NewMessageSchema()
saved_reply_schema = SavedReplySchema()
saved_reply_patch_schema = SavedReplySchema(partial=True)
ticket_patch_schema = TicketChangeSchema(partial=True)
bulk_change_schema = BulkChangeSchema()
ticket_query_schema = TicketQuerySchema()


def load_or_400(schema: Schema, data) -> dict:
    try:
        return schema.load(data)
    except ValidationError as e:
        raise ApiError(400, e.normalized_messages()) from None
