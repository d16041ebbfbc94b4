"""What the ownership API reads and answers: teams, saved views, and an agent's own settings."""
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from ..models import (
    ASSIGNMENTS,
    CATEGORIES,
    DEFAULT_ORDERING,
    MAX_ID,
    NOTIFICATION_KINDS,
    ORDERINGS,
    TEAM_NAME_MAX,
    VIEW_NAME_MAX,
)
from ..schemas import (
    NO_CONTROLS,
    Choice,
    EmailAddress,
    JsonInteger,
    Name,
    TicketQuerySchema,
    UTCTime,
    _no_controls,
    _storable,
)

EMAILS = {"invalid": "Enter a valid email address."}


class TeamSchema(Schema):
    """What `POST`/`PATCH /api/teams/` read. Each list is the full new list."""

    class Meta:
        unknown = EXCLUDE

    name = Name(TEAM_NAME_MAX, required=True)
    assignment = Choice(ASSIGNMENTS, metadata={
        "description": "How a ticket that joins the team with no assignee gets one: `manual` (nobody; the default), "
                       "`round_robin` (the next present member in turn) or `least_open` (the present member with the "
                       "fewest open and in-progress tickets). Members who are away are passed by."})
    members = fields.List(EmailAddress(validate=validate.Length(max=254), error_messages=EMAILS), metadata={
        "description": "The agents' emails: each an active agent or admin (not a viewer)."})
    addresses = fields.List(EmailAddress(validate=validate.Length(max=254), error_messages=EMAILS), metadata={
        "description": "Desk addresses whose mail becomes this team's tickets (`billing@…`); each routes to one team."})
    categories = fields.List(Choice(CATEGORIES), metadata={
        "description": "Categories whose new tickets go to this team when no address routed them; each routes to "
                       "one team."})


class MemberSchema(Schema):
    email = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    away = fields.Boolean(required=True)


class TeamJsonSchema(Schema):
    """A team as the API answers it (`teams.team_json`)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    assignment = fields.String(required=True, validate=validate.OneOf(ASSIGNMENTS))
    members = fields.List(fields.Nested(MemberSchema), required=True)
    addresses = fields.List(fields.String(), required=True)
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True)


class MeSchema(Schema):
    """What `PATCH /api/me/` reads: the signed-in agent's own settings."""

    class Meta:
        unknown = EXCLUDE

    away = fields.Boolean(metadata={"description": "Away: automatic assignment passes you by until you are back."})
    name = fields.String(allow_none=True, validate=[validate.Length(max=200), _storable, _no_controls], metadata={
        "description": "The name tickets show for their assignee; null for none.", "pattern": NO_CONTROLS})


class MeJsonSchema(Schema):
    email = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    role = fields.String(required=True)
    away = fields.Boolean(required=True)
    teams = fields.List(fields.String(), required=True, metadata={"description": "The names of your teams."})


class ReadSchema(Schema):
    """What `POST /api/notifications/read/` reads: which to mark read (none named: all)."""

    class Meta:
        unknown = EXCLUDE

    ids = fields.List(JsonInteger(validate=validate.Range(min=1, max=MAX_ID), error_messages={
        "invalid": "A valid integer is required."}), validate=validate.Length(max=1000), metadata={
        "description": "The notifications to mark read; leave it out to mark every one read."})


class NotificationSchema(Schema):
    """A notification as the API answers it."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(NOTIFICATION_KINDS), metadata={
        "description": "`assigned` (a ticket is yours now), `answered` (a customer answered yours, or your team's "
                       "while nobody owns it), `mentioned` (in an internal note), `new_ticket` (in your team; if "
                       "you asked for these)."})
    text = fields.String(required=True)
    ticket_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Null when it stands for several tickets (a bulk assignment: `count`)."})
    count = fields.Integer(required=True)
    actor = fields.String(required=True, allow_none=True)
    created_at = UTCTime(required=True)
    read = fields.Boolean(required=True)
    url = fields.String(required=True, metadata={"description": "The page it is about."})


class NotificationsSchema(Schema):
    unread = fields.Integer(required=True)
    notifications = fields.List(fields.Nested(NotificationSchema), required=True, metadata={
        "description": "The newest 50, newest first."})


class UnreadSchema(Schema):
    unread = fields.Integer(required=True)


team_schema = TeamSchema()
team_patch_schema = TeamSchema(partial=True)
me_schema = MeSchema()
read_schema = ReadSchema()


class ViewFiltersSchema(TicketQuerySchema):
    """A saved view's filters: the ticket list's, without its paging and order; `assignee` may be `me`,
    whoever looks at the view."""

    class Meta:
        unknown = RAISE
        exclude = ("limit", "cursor", "ordering")


class SavedViewSchema(Schema):
    """What `POST /api/views/` reads (`PATCH /api/views/<key>/`: the same, each field optional, `shared` as it was)."""

    class Meta:
        unknown = EXCLUDE

    name = Name(VIEW_NAME_MAX, required=True)
    filters = fields.Nested(ViewFiltersSchema, load_default=dict, metadata={
        "description": "The ticket list's filters, as `GET /api/tickets/` takes them (`tag` a list); `{}` for "
                       "every ticket."})
    ordering = Choice(ORDERINGS, load_default=DEFAULT_ORDERING)
    shared = fields.Boolean(load_default=False, metadata={
        "description": "True: shared with the whole desk (admins only); false: the signed-in agent's own "
                       "(a token has none). Set when the view is made."})


saved_view_schema = SavedViewSchema()
saved_view_patch_schema = SavedViewSchema(partial=True, exclude=("shared",))
