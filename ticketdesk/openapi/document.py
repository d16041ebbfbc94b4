"""The document assembled: the API's schemas and the document's own as components, then every operation, each
answering 401 and 403 as the access gate does. Built once per app."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from ..schemas import (
    AttachmentSchema,
    BulkChangeSchema,
    BulkResultSchema,
    MessageSchema,
    NewMessageSchema,
    SavedReplySchema,
    TicketCreateSchema,
    TicketChangeSchema,
    TicketEventSchema,
    TicketSchema,
)
from ..ownership.schemas import (
    MeJsonSchema,
    MeSchema,
    NotificationsSchema,
    ReadSchema,
    SavedViewSchema,
    TeamJsonSchema,
    TeamSchema,
    UnreadSchema,
)
from ..sla.schemas import BusinessHoursJsonSchema, BusinessHoursSchema, SlaPolicyJsonSchema, SlaPolicySchema
from .components import (
    FIELD_ERRORS,
    DetailSchema,
    ErrorSchema,
    StatsSchema,
    SuggestionRequestSchema,
    SuggestionSchema,
    ViewSchema,
    WhoAmISchema,
)
from .operations import FORBIDDEN, OPERATIONS, UNAUTHORIZED, URL_TOO_LONG


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
    spec.components.schema("TicketChange", schema=TicketChangeSchema(partial=True))
    spec.components.schema("BulkChange", schema=BulkChangeSchema)
    spec.components.schema("BulkResult", schema=BulkResultSchema)
    spec.components.schema("Team", schema=TeamJsonSchema)
    spec.components.schema("NewTeam", schema=TeamSchema)
    spec.components.schema("TeamChange", schema=TeamSchema(partial=True))
    spec.components.schema("BusinessHours", schema=BusinessHoursJsonSchema)
    spec.components.schema("NewBusinessHours", schema=BusinessHoursSchema)
    spec.components.schema("BusinessHoursChange", schema=BusinessHoursSchema(partial=True))
    spec.components.schema("SlaPolicy", schema=SlaPolicyJsonSchema)
    spec.components.schema("NewSlaPolicy", schema=SlaPolicySchema)
    spec.components.schema("SlaPolicyChange", schema=SlaPolicySchema(partial=True))
    spec.components.schema("SavedView", schema=SavedViewSchema)
    spec.components.schema("SavedViewChange", schema=SavedViewSchema(partial=True, exclude=("shared",)))
    spec.components.schema("Me", schema=MeJsonSchema)
    spec.components.schema("MeChange", schema=MeSchema)
    spec.components.schema("Notifications", schema=NotificationsSchema)
    spec.components.schema("NotificationsRead", schema=ReadSchema)
    spec.components.schema("Unread", schema=UnreadSchema)
    spec.components.schema("SavedReply", schema=SavedReplySchema)
    spec.components.schema("SavedReplyChange", schema=SavedReplySchema(partial=True))
    spec.components.schema("TicketEvent", schema=TicketEventSchema)
    spec.components.schema("Stats", schema=StatsSchema)
    spec.components.schema("SuggestionRequest", schema=SuggestionRequestSchema)
    spec.components.schema("Suggestion", schema=SuggestionSchema)
    spec.components.schema("FieldErrors", component=FIELD_ERRORS)
    spec.components.schema("WhoAmI", schema=WhoAmISchema)
    spec.components.schema("View", schema=ViewSchema)
    spec.components.schema("Detail", schema=DetailSchema)
    spec.components.schema("Error", schema=ErrorSchema)
    for path, operations in OPERATIONS.items():
        operations = dict(operations)
        parameters = operations.pop("parameters", None)
        for operation in operations.values():
            operation["responses"] = {**operation["responses"], "401": UNAUTHORIZED, "403": FORBIDDEN,
                                     "414": URL_TOO_LONG}
        spec.path(path=path, operations=operations, parameters=parameters)
    document = spec.to_dict()
    del document["components"]["schemas"]["TicketChange"]["properties"]["status"]["default"]  # kept as it is
    return document


def spec() -> dict:
    """Built once per app, on first use."""
    if "ticketdesk.openapi" not in current_app.extensions:
        current_app.extensions["ticketdesk.openapi"] = build_spec()
    return current_app.extensions["ticketdesk.openapi"]


