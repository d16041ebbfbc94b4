"""API input validation and output, with the error messages the earlier systems' clients expect."""
from datetime import datetime, timezone

from flask import url_for
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from .errors import ApiError
from .models import (CATEGORIES, DEFAULT_ORDERING, DELIVERY_STATES, MAX_ID, MESSAGE_KINDS, MESSAGE_MAX, ORDERINGS, PRIORITIES,
                     SAVED_REPLY_TITLE_MAX,
                     STATUSES, TITLE_MAX)

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


def text_pattern(max_length: int | None) -> str:
    """Text's rule as a regular expression: no NUL; once trimmed, 1 to `max_length` characters."""
    edge = f"[^{SPACE}\\u0000]"
    inner = "[^\\u0000]*" if max_length is None else f"[^\\u0000]{{0,{max_length - 2}}}"
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


def whole_number(text: str, max_digits: int = 10) -> int | None:
    """`text` as a non-negative whole number if it is one written in ASCII digits, else None. (`str.isdigit`
    also accepts "²" and other digits `int` refuses, and `int` refuses past 4,300 digits: both were 500s.)"""
    if text and len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
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


def _storable(value: str) -> None:
    """No NUL, no lone surrogate: what the database cannot store is refused by name, never a 500."""
    _no_nul(value)
    if not encodable(value):
        raise ValidationError(MESSAGES["surrogate"])


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

    email = EmailAddress(required=True, validate=[validate.Length(max=254), _storable], error_messages={
        "required": MESSAGES["required"],
        "invalid": "Enter a valid email address."}, metadata={"description": "Unique, case-insensitive."})
    name = fields.String(allow_none=True, validate=[validate.Length(max=200), _storable], metadata={
        "description": "At most 200 characters; kept from the first ticket that gave one; agents can change it.",
        "pattern": NO_NUL})

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


class TicketEventSchema(Schema):
    """One change in a ticket's audit trail."""

    id = fields.Integer(required=True)
    field = fields.String(required=True, validate=validate.OneOf(("status", "priority", "category")))
    old_value = fields.String(required=True, data_key="from")
    new_value = fields.String(required=True, data_key="to")
    actor = fields.String(required=True, allow_none=True, metadata={
        "description": "An agent's email or `token:NAME`; null when access control was off."})
    created_at = UTCTime(required=True)


class TicketQuerySchema(Schema):
    """Query parameters of the ticket list."""

    class Meta:
        unknown = EXCLUDE

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
    ordering = Choice(ORDERINGS, load_default=DEFAULT_ORDERING, metadata={
        "description": "`-created_at` newest first (the default), `created_at` oldest first, or `priority`: "
                       "critical first, then high, medium and low, each oldest first (the order a queue is "
                       "worked in). The `next` link keeps the ordering."})


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


class SavedReplySchema(Schema):
    """A saved reply: what `POST`/`PATCH /api/saved-replies/` read and every saved-reply answer holds."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    title = Text(max_length=SAVED_REPLY_TITLE_MAX, required=True)
    body = Text(max_length=MESSAGE_MAX, required=True, metadata={
        "description": "May hold the placeholders `{{ requester.name }}`, `{{ requester.email }}`, "
                       "`{{ ticket.id }}` and `{{ ticket.title }}`, filled in when it is inserted into a reply."})
    updated_at = UTCTime(dump_only=True)
    updated_by = fields.String(dump_only=True, allow_none=True)

    @validates_schema
    def _known_placeholders(self, data, **_kwargs):
        from .conversations.saved_replies import PLACEHOLDERS, unknown_placeholders
        if unknown := unknown_placeholders(data.get("body", "")):
            names = ", ".join("{{ %s }}" % n for n in unknown)
            known = ", ".join("{{ %s }}" % n for n in PLACEHOLDERS)
            raise ValidationError(f"Unknown placeholder {names}: use {known}.", "body")


def saved_reply_json(reply) -> dict:
    return {"id": reply.id, "title": reply.title, "body": reply.body, "updated_at": utc_text(reply.updated_at),
            "updated_by": reply.updated_by}


def message_json(message, files=()) -> dict:
    """`files` are the message's attachments (a mail's), as `attachment_json` gives them."""
    delivery = None if message.delivery_state is None else {"state": message.delivery_state,
                                                           "detail": message.delivery_detail}
    return {"id": message.id, "kind": message.kind, "body": message.body, "author": message.author,
            "created_at": utc_text(message.created_at), "delivery": delivery,
            "attachments": [attachment_json(f) for f in files]}


def attachment_json(file) -> dict:
    return {"id": file.id, "filename": file.filename, "content_type": file.content_type, "size": file.size,
            "message_id": file.message_id,
            "url": url_for("mail.attachment", attachment_id=file.id, _external=True) if file.kept else None}


def ticket_json(ticket) -> dict:
    """What `TicketSchema().dump(ticket)` gives, written out: marshmallow's per-field machinery took half
    the time of a 100-ticket page (see bench/), so the API answers with this and a test holds the two equal."""
    return {"id": ticket.id, "title": ticket.title, "description": ticket.description, "category": ticket.category,
            "priority": ticket.priority, "status": ticket.status, "created_at": utc_text(ticket.created_at),
            "updated_at": utc_text(ticket.updated_at), "created_by": ticket.created_by, "language": ticket.language,
            "triaged_by": ticket.triaged_by, "requester": None if ticket.requester_email is None else
            {"email": ticket.requester_email, "name": ticket.requester_name}, "follows_up": ticket.follows_up_id}


def event_json(event) -> dict:
    return TicketEventSchema().dump(event)


ticket_schema = TicketSchema()
ticket_create_schema = TicketCreateSchema()
message_schema = NewMessageSchema()
saved_reply_schema = SavedReplySchema()
saved_reply_patch_schema = SavedReplySchema(partial=True)
ticket_patch_schema = TicketSchema(partial=True)
ticket_query_schema = TicketQuerySchema()


def load_or_400(schema: Schema, data) -> dict:
    try:
        return schema.load(data)
    except ValidationError as e:
        raise ApiError(400, e.normalized_messages()) from None
