"""The JSON API as an OpenAPI 3.1 document, built by apispec from the marshmallow schemas that validate and
shape the API, served at `/api/openapi.json` and rendered for people at `/api/docs`.

The operations are written out below, next to nothing else, so that one file says what the API promises;
`tests/test_openapi.py` fails when a route is missing here, and `make fuzz` holds every answer to it."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, jsonify, render_template
from markupsafe import Markup, escape
from marshmallow import EXCLUDE, Schema, fields, validate

from .models import CATEGORIES, MAX_ID, PRIORITIES, ROLES, STATUSES
from .schemas import (NO_NUL, AttachmentSchema, MessageSchema, NewMessageSchema, SavedReplySchema, TicketCreateSchema, TicketEventSchema, TicketQuerySchema,
                      TicketSchema, text_pattern)

bp = Blueprint("openapi", __name__)


class SuggestionRequestSchema(Schema):
    """Read by `classify.api`."""

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

def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


TICKET_ID, MESSAGE_ID, REPLY_ID = _id("ticket_id"), _id("message_id"), _id("reply_id")


def _json(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema=None, headers: dict | None = None) -> dict:
    answer = {"description": description, **(_json(schema) if schema else {})}
    if headers:
        answer["headers"] = headers
    return answer


def _header(description: str, required: bool = True, schema: dict | None = None) -> dict:
    return {"description": description, "required": required, "schema": schema or {"type": "string"}}


ETAG = _header('The ticket\'s version, as a strong tag: `"v1"`, `"v2"`, … one more for every change.')
BAD_INPUT = _answer("Invalid input, keyed by field (or `detail` when the body is not JSON); nothing is written.",
                    {"anyOf": ["FieldErrors", "Detail"]})
NOT_JSON = _answer("The body is not `Content-Type: application/json`.", "Detail")
TOO_LARGE = _answer("The body is larger than `MAX_CONTENT_LENGTH`.", "Detail")
NOT_FOUND = _answer("No such ticket.", "Detail")
NO_SAVED_REPLY = _answer("No such saved reply.", "Detail")
UNAUTHORIZED = _answer("No credentials, or a token that is wrong, revoked or expired.", "Detail", {
    "WWW-Authenticate": _header("`Bearer`, with `error=\"invalid_token\"` for a token that is not valid, or "
                                "`error=\"invalid_request\"` when the `Bearer` scheme is missing.")})
FORBIDDEN = _answer("Valid credentials that may not do this: a `read` token or a viewer asking to change "
                    "something, or an agent who must first choose a new password. Nothing is written.", "Detail")
UNAVAILABLE = _answer("The database cannot be reached; nothing was written. Retry after the given seconds.",
                      "Error", {"Retry-After": _header("Seconds to wait.", schema={"type": "integer"})})

OPERATIONS = {
    "/api/tickets/": {
        "get": {
            "tags": ["Tickets"],
            "operationId": "listTickets",
            "summary": "List tickets, newest first",
            "description": "Filters combine. `search` matches title or description, ignoring case, and takes "
                           "`%` and `_` literally. When there are more, a `Link: <…>; rel=\"next\"` header "
                           "names the next page (keyset pagination: stable while tickets are added).",
            "parameters": [{"in": "query", "schema": TicketQuerySchema}],
            "responses": {
                "200": _answer("A page of tickets.", {"type": "array", "items": "Ticket"}, {
                    "Link": _header('`<url>; rel="next"` when there is a next page.', required=False)}),
                "400": _answer("A parameter is not one of the allowed values or is given twice, keyed by "
                               "parameter; or `cursor` is not one from a `Link` header.", "FieldErrors"),
                "414": {"description": "The URL is longer than the server reads (4 KiB); answered by gunicorn.",
                        "content": {"text/html": {"schema": {"type": "string"}}}},
                "503": UNAVAILABLE,
            },
        },
        "post": {
            "tags": ["Tickets"],
            "operationId": "createTicket",
            "summary": "Create a ticket",
            "description": "Title and description are trimmed and may not be blank; unknown and read-only "
                           "fields are ignored. `category` and `priority` are required; either may be `auto`, "
                           "and with the operator setting `TRIAGE_ON_CREATE=1` a missing one means `auto`.",
            "requestBody": {"required": True, **_json("NewTicket")},
            "responses": {
                "201": _answer("The ticket as stored.", "Ticket", {
                    "Location": _header("The ticket's URL."), "ETag": ETAG}),
                "400": BAD_INPUT,
                "409": _answer("`suggestion_id` names a suggestion another ticket was already filed with; nothing "
                               "was filed.", "FieldErrors"),
                "413": TOO_LARGE, "415": NOT_JSON,
                "422": _answer("`suggestion_id` names no suggestion served to these credentials; nothing was "
                               "filed.", "FieldErrors"),
                "503": UNAVAILABLE,
            },
        },
    },
    "/api/tickets/{ticket_id}/": {
        "parameters": [TICKET_ID],
        "get": {
            "tags": ["Tickets"],
            "operationId": "getTicket",
            "summary": "One ticket",
            "parameters": [{"name": "If-None-Match", "in": "header", "schema": {"type": "string"},
                            "description": "The ETag you hold; `304` when it is still current."}],
            "responses": {
                "200": _answer("The ticket.", "Ticket", {"ETag": ETAG}),
                "304": {"description": "The ticket has not changed since the ETag you sent.",
                        "headers": {"ETag": ETAG}},
                "404": NOT_FOUND, "503": UNAVAILABLE,
            },
        },
        "patch": {
            "tags": ["Tickets"],
            "operationId": "updateTicket",
            "summary": "Change a ticket",
            "description": "Any of title, description, category, priority and status; status may move to any "
                           "state. Without `If-Match` the last write wins.",
            "parameters": [{"name": "If-Match", "in": "header", "schema": {"type": "string"},
                            "description": "The ETag you read; the change applies only to that version."}],
            "requestBody": {"required": True, **_json("TicketChange")},
            "responses": {
                "200": _answer("The ticket as changed.", "Ticket", {"ETag": ETAG}),
                "400": BAD_INPUT, "404": NOT_FOUND,
                "412": _answer("`If-Match` names a version the ticket has moved past; nothing changed.",
                               "Detail", {"ETag": _header("The current version.")}),
                "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE,
            },
        },
    },
    "/api/tickets/{ticket_id}/events/": {
        "parameters": [TICKET_ID],
        "get": {
            "operationId": "listTicketEvents",
            "tags": ["Tickets"],
            "summary": "A ticket's history",
            "description": "Every status, priority and category change, oldest first: who made it, when, from "
                           "what, to what. Recorded by the database in the same transaction as the change.",
            "responses": {"200": _answer("The changes.", {"type": "array", "items": "TicketEvent"}),
                          "404": NOT_FOUND, "503": UNAVAILABLE},
        },
    },
    "/api/whoami/": {
        "get": {
            "tags": ["Access"],
            "operationId": "whoAmI",
            "summary": "Whom these credentials belong to, and their role",
            "responses": {"200": _answer("The actor and role.", "WhoAmI")},
        },
    },
    "/api/tickets/{ticket_id}/messages/": {
        "parameters": [TICKET_ID],
        "get": {
            "tags": ["Conversations"],
            "operationId": "listMessages",
            "summary": "A ticket's thread, oldest first",
            "description": "Replies to the requester, internal notes and the requester's own messages. The ticket's "
                           "`description` opens the conversation and is not repeated here.",
            "responses": {"200": _answer("The thread.", {"type": "array", "items": "Message"}),
                          "404": NOT_FOUND, "503": UNAVAILABLE},
        },
        "post": {
            "tags": ["Conversations"],
            "operationId": "postMessage",
            "summary": "Reply, write a note, or add the customer's words",
            "description": "`kind` is required, so nothing is emailed by accident. A `reply` needs a ticket with a "
                           "requester and is kept with its `delivery`; a `note` never leaves the desk; a "
                           "`customer` message on a resolved ticket reopens it.",
            "requestBody": {"required": True, **_json("NewMessage")},
            "responses": {
                "201": _answer("The message as stored.", "Message"),
                "400": _answer("Invalid input keyed by field, or a reply to a ticket without a requester "
                               "(keyed `kind`); nothing is written.", {"anyOf": ["FieldErrors", "Detail"]}),
                "404": NOT_FOUND, "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE,
            },
        },
    },
    "/api/tickets/{ticket_id}/attachments/": {
        "parameters": [TICKET_ID],
        "get": {
            "tags": ["Conversations"],
            "operationId": "listAttachments",
            "summary": "The files a ticket's mails came with, oldest first",
            "description": "Those of the mail that opened the ticket (`message_id` null) and of every customer "
                           "mail since. `url` downloads one, always as an attachment, with the same credentials.",
            "responses": {"200": _answer("The attachments.", {"type": "array", "items": "Attachment"}),
                          "404": NOT_FOUND, "503": UNAVAILABLE},
        },
    },
    "/api/tickets/{ticket_id}/messages/{message_id}/send/": {
        "parameters": [TICKET_ID, MESSAGE_ID],
        "post": {
            "tags": ["Conversations"],
            "operationId": "sendMessageAgain",
            "summary": "Send a reply again",
            "description": "For a reply whose delivery is `failed` (the server refused it, or every retry "
                           "failed) or `unsent` (kept before mail was configured): queues it again with its "
                           "original Message-ID, so the customer's mail program threads it as before.",
            "responses": {
                "202": _answer("Queued: the worker sends it.", "Message"),
                "404": _answer("No such ticket, or no such message on it.", "Detail"),
                "409": _answer("Not a reply, already `sent` or `queued`, or mail is not configured.", "Detail"),
                "503": UNAVAILABLE,
            },
        },
    },
    "/api/saved-replies/": {
        "get": {
            "tags": ["Saved replies"],
            "operationId": "listSavedReplies",
            "summary": "The desk's saved replies, by title",
            "responses": {"200": _answer("Every saved reply.", {"type": "array", "items": "SavedReply"}),
                          "503": UNAVAILABLE},
        },
        "post": {
            "tags": ["Saved replies"],
            "operationId": "createSavedReply",
            "summary": "Add a saved reply",
            "requestBody": {"required": True, **_json("SavedReply")},
            "responses": {
                "201": _answer("The saved reply as stored.", "SavedReply"),
                "400": _answer("Invalid input keyed by field (an unknown placeholder in `body` included); "
                               "nothing is written.", {"anyOf": ["FieldErrors", "Detail"]}),
                "409": _answer("Another saved reply has this title (in any case); nothing is written.", "FieldErrors"),
                "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE,
            },
        },
    },
    "/api/saved-replies/{reply_id}/": {
        "parameters": [REPLY_ID],
        "get": {
            "tags": ["Saved replies"],
            "operationId": "getSavedReply",
            "summary": "One saved reply",
            "responses": {"200": _answer("The saved reply.", "SavedReply"), "404": NO_SAVED_REPLY,
                          "503": UNAVAILABLE},
        },
        "patch": {
            "tags": ["Saved replies"],
            "operationId": "updateSavedReply",
            "summary": "Change a saved reply",
            "requestBody": {"required": True, **_json("SavedReplyChange")},
            "responses": {
                "200": _answer("The saved reply as changed.", "SavedReply"),
                "400": _answer("Invalid input keyed by field; nothing is written.", {"anyOf": ["FieldErrors", "Detail"]}),
                "404": NO_SAVED_REPLY,
                "409": _answer("Another saved reply has this title (in any case); nothing is written.", "FieldErrors"),
                "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE,
            },
        },
        "delete": {
            "tags": ["Saved replies"],
            "operationId": "deleteSavedReply",
            "summary": "Delete a saved reply",
            "responses": {"204": {"description": "Deleted."}, "404": NO_SAVED_REPLY, "503": UNAVAILABLE},
        },
    },
    "/api/tickets/stats/": {
        "get": {
            "tags": ["Stats"],
            "operationId": "ticketStats",
            "summary": "Totals and breakdowns",
            "responses": {"200": _answer("Counts over every ticket.", "Stats"), "503": UNAVAILABLE},
        },
    },
    "/api/tickets/classify/": {
        "post": {
            "tags": ["Classify"],
            "operationId": "suggestTriage",
            "summary": "Suggest a category and priority",
            "description": "Asks the configured chain of classifiers (`TICKETDESK_CLASSIFIER`), each for the "
                           "fields still unanswered: `learned` abstains when unsure, and an LLM that is slow, "
                           "down or answers nonsense is passed over with a `note`; keyword answers whatever is "
                           "left. The suggestion is recorded, and `suggestion_id` names it. Rate-limited per client.",
            "requestBody": {"required": True, **_json("SuggestionRequest")},
            "responses": {
                "200": _answer("The suggestion.", "Suggestion"),
                "400": _answer("The description is missing or blank, a field is not a string, the body is not "
                               "a JSON object, or it is not JSON.", {"anyOf": ["Error", "FieldErrors", "Detail"]}),
                "413": TOO_LARGE, "415": NOT_JSON,
                "429": _answer("Too many suggestions asked for; `CLASSIFY_RATE_LIMIT`.", "Detail", {
                    "Retry-After": _header("Seconds until a request is allowed.", schema={"type": "integer"})}),
            },
        },
    },
}


def build_spec() -> dict:
    spec = APISpec(
        title="TicketDesk API", version="1", openapi_version="3.1.0", plugins=[MarshmallowPlugin()],
        info={"description": "Support tickets with AI triage. Send `Authorization: Bearer <token>` (an operator "
                             "makes one with `flask tokens create NAME`); the desk's own pages use the agent's "
                             "session instead, with the CSRF token in `X-CSRFToken` for writes. Every error "
                             "answers JSON in one of the shapes below; every write is one transaction."},
        security=[{"bearerAuth": []}])
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Ticket", schema=TicketSchema)
    spec.components.schema("NewTicket", schema=TicketCreateSchema)
    spec.components.schema("Attachment", schema=AttachmentSchema)
    spec.components.schema("Message", schema=MessageSchema)
    spec.components.schema("NewMessage", schema=NewMessageSchema)
    spec.components.schema("TicketChange", schema=TicketSchema(partial=True))
    spec.components.schema("SavedReply", schema=SavedReplySchema)
    spec.components.schema("SavedReplyChange", schema=SavedReplySchema(partial=True))
    spec.components.schema("TicketEvent", schema=TicketEventSchema)
    spec.components.schema("Stats", schema=StatsSchema)
    spec.components.schema("SuggestionRequest", schema=SuggestionRequestSchema)
    spec.components.schema("Suggestion", schema=SuggestionSchema)
    spec.components.schema("FieldErrors", component=FIELD_ERRORS)
    spec.components.schema("WhoAmI", schema=WhoAmISchema)
    spec.components.schema("Detail", schema=DetailSchema)
    spec.components.schema("Error", schema=ErrorSchema)
    for path, operations in OPERATIONS.items():
        operations = dict(operations)
        parameters = operations.pop("parameters", None)
        for operation in operations.values():
            operation["responses"] = {**operation["responses"], "401": UNAUTHORIZED, "403": FORBIDDEN}
        spec.path(path=path, operations=operations, parameters=parameters)
    document = spec.to_dict()
    del document["components"]["schemas"]["TicketChange"]["properties"]["status"]["default"]  # kept as it is
    return document


def spec() -> dict:
    """Built once per app, on first use."""
    if "ticketdesk.openapi" not in current_app.extensions:
        current_app.extensions["ticketdesk.openapi"] = build_spec()
    return current_app.extensions["ticketdesk.openapi"]


@bp.get("/api/openapi.json")
def document():
    return jsonify(spec())


@bp.get("/api/docs")
def reference():
    return render_template("api_docs.html", spec=spec())


def code_spans(text: str | None) -> Markup:
    """The document's `backticks` as <code>, for the reference page."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or ""))))


def init_app(app: Flask) -> None:
    app.add_template_filter(code_spans)
    app.register_blueprint(bp)
