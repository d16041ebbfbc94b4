"""Every path of the JSON API, its parameters and its answers, written out as data: one place that says
what the API promises."""
from ..models import MAX_ID
from ..ownership.saved_views import VIEWS_MAX
from ..schemas import TicketQuerySchema


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


TICKET_ID, MESSAGE_ID, REPLY_ID, TEAM_ID = _id("ticket_id"), _id("message_id"), _id("reply_id"), _id("team_id")
CALENDAR_ID, POLICY_ID = _id("calendar_id"), _id("policy_id")


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
NO_TEAM = _answer("No such team.", "Detail")
NO_CALENDAR = _answer("No such business hours.", "Detail")
CALENDAR_REFUSED = _answer("Invalid input keyed by field: an unknown time zone, an interval that ends before it "
                           "starts or overlaps another, a date that is none, a week without any hours; nothing "
                           "is written; or a body that is not JSON.", {"anyOf": ["FieldErrors", "Detail"]})
CALENDAR_CONFLICT = _answer("Another calendar has this name (in any case), or it is `24/7`; nothing is written.",
                            "FieldErrors")
NO_POLICY = _answer("No such SLA policy.", "Detail")
POLICY_REFUSED = _answer("Invalid input keyed by field: no target, an unknown calendar (`business_hours`), "
                         "team (`match.team`) or tag shape (`match.tag`); or a body that is not JSON; nothing is "
                         "written.", {"anyOf": ["FieldErrors", "Detail"]})
POLICY_CONFLICT = _answer("Another policy has this name (in any case); nothing is written.", "FieldErrors")
NO_VIEW = _answer("No such saved view among yours (a built-in view is none).", "Detail")
VIEW_KEY = {"name": "key", "in": "path", "required": True, "description": "A built-in view's word or a saved "
            "view's id.", "schema": {"type": "string", "pattern": "^(mine|unassigned|my-teams|open|waiting|solved|overdue|due-soon|"
                                                                  "[1-9][0-9]{0,9})$"}}
TEAM_REFUSED = _answer("Invalid input keyed by field (an unknown or viewer member, an unknown category); nothing "
                       "is written.", {"anyOf": ["FieldErrors", "Detail"]})
TEAM_CONFLICT = _answer("Another team has this name, or an address or category already routes to another team; "
                        "nothing is written.", "FieldErrors")
NOT_AN_AGENT = _answer("The credentials are a token's: a token is no agent and has no settings of its own.", "Detail")
UNAUTHORIZED = _answer("No credentials, or a token that is wrong, revoked or expired.", "Detail", {
    "WWW-Authenticate": _header("`Bearer`, with `error=\"invalid_token\"` for a token that is not valid, or "
                                "`error=\"invalid_request\"` when the `Bearer` scheme is missing.")})
FORBIDDEN = _answer("Valid credentials that may not do this: a `read` token or a viewer asking to change "
                    "something, or an agent who must first choose a new password. Nothing is written.", "Detail")
URL_TOO_LONG = {"description": "The request line is longer than the server reads (4 KiB); answered by gunicorn "
                               "before the desk sees the request.",
                "content": {"text/html": {"schema": {"type": "string"}}}}
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
                "400": _answer("A parameter is not one of the allowed values or is given twice (`tag` may be "
                               "repeated), keyed by parameter; `cursor` is not one from a `Link` header; or "
                               "`assignee=me` with a token.", "FieldErrors"),
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
                           "state; the assignee, the team and the tags. A ticket moved into a team with no "
                           "assignee gets the one the team's assignment mode chooses. Without `If-Match` the last "
                           "write wins (tags sent as `add_tags` and `remove_tags` never overwrite anyone's).",
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
    "/api/views/": {
        "get": {
            "tags": ["Tickets"],
            "operationId": "listViews",
            "summary": "The views you have, with how many tickets each holds",
            "description": "The built-in queues (Mine, Unassigned, My teams, All open, Waiting on customer, Recently "
                           "solved, Overdue, Due soon), then the views shared with the desk, then your own. Mine, My teams, your own "
                           "views and any view whose filters say `assignee: me` only with an agent's session: a "
                           "token has no \"me\". A count is exact where `exact` is true; otherwise it stopped at "
                           "1,000 (\"1,000+\").",
            "responses": {"200": _answer("The views.", {"type": "array", "items": "View"}), "503": UNAVAILABLE},
        },
        "post": {
            "tags": ["Tickets"],
            "operationId": "createView",
            "summary": "Save filters and an order as a view",
            "description": f"Shared with the desk (`shared: true`, admins only) or the signed-in agent's own. At "
                           f"most {VIEWS_MAX} of each; names are unique among them, in any case.",
            "requestBody": {"required": True, **_json("SavedView")},
            "responses": {
                "201": _answer("The view, with its count.", "View"),
                "400": _answer("Invalid input keyed by field (an unknown filter keyed under `filters`), a "
                               "token asking for a view of its own (keyed `shared`), or a body that is not JSON; "
                               "nothing is written.", {"anyOf": ["FieldErrors", "Detail"]}),
                "409": _answer(f"The name is taken, or there are already {VIEWS_MAX} such views; nothing is "
                               "written.", "FieldErrors"),
                "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE,
            },
        },
    },
    "/api/views/{key}/": {
        "parameters": [VIEW_KEY],
        "patch": {
            "tags": ["Tickets"],
            "operationId": "updateView",
            "summary": "Rename a saved view or change its filters or order",
            "description": "A view shared with the desk by an admin; your own by you. Whether it is shared stays.",
            "requestBody": {"required": True, **_json("SavedViewChange")},
            "responses": {
                "200": _answer("The view as changed, with its count.", "View"),
                "400": _answer("Invalid input keyed by field, or a body that is not JSON; nothing is written.",
                               {"anyOf": ["FieldErrors", "Detail"]}),
                "403": _answer("A view shared with the desk, and you are no admin.", "Detail"),
                "404": NO_VIEW,
                "409": _answer("Another of the same views has this name; nothing is written.", "FieldErrors"),
                "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE,
            },
        },
        "delete": {
            "tags": ["Tickets"],
            "operationId": "deleteView",
            "summary": "Delete a saved view",
            "responses": {"204": {"description": "Deleted."},
                          "403": _answer("A view shared with the desk, and you are no admin.", "Detail"),
                          "404": NO_VIEW, "503": UNAVAILABLE},
        },
    },
    "/api/views/{key}/tickets/": {
        "parameters": [VIEW_KEY],
        "get": {
            "tags": ["Tickets"],
            "operationId": "listViewTickets",
            "summary": "A view's tickets",
            "description": "Paged, filtered and ordered like `GET /api/tickets/` (in the view's order unless "
                           "`ordering` says otherwise; the working queues in priority order); the parameters "
                           "narrow the view further.",
            "parameters": [{"in": "query", "schema": TicketQuerySchema}],
            "responses": {
                "200": _answer("A page of the view's tickets.", {"type": "array", "items": "Ticket"}, {
                    "Link": _header('`<url>; rel="next"` when there is a next page.', required=False)}),
                "400": _answer("A parameter is not one of the allowed values, keyed by parameter.", "FieldErrors"),
                "404": _answer("No such view, or one that is an agent's own asked for with a token.", "Detail"),
                "503": UNAVAILABLE,
            },
        },
    },
    "/api/tickets/bulk/": {
        "post": {
            "tags": ["Tickets"],
            "operationId": "changeTicketsInBulk",
            "summary": "Change up to 1,000 tickets in one step",
            "description": "Sets the same status, priority, category, assignee and team on every ticket named, and "
                           "adds and removes tags, in one transaction; each change is in its ticket's history. "
                           "An id that names no ticket fails alone (listed in `failed`); the others change. A "
                           "ticket moved into a team with nobody assigned gets the one the team chooses. No reply "
                           "is sent in bulk.",
            "requestBody": {"required": True, **_json("BulkChange")},
            "responses": {
                "200": _answer("How many changed, and which could not be.", "BulkResult"),
                "400": _answer("Invalid input keyed by field (`set` holds its own fields' errors: an unknown agent "
                               "or team, a field that cannot be set in bulk); nothing is written.",
                               {"anyOf": ["FieldErrors", "Detail"]}),
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
            "description": "Every status, priority, category, assignee and team change and every tag added or "
                           "removed, oldest first: who made it, when, from what, to what. Recorded in the same "
                           "transaction as the change (by the database itself for the ticket's own columns).",
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
                           "`customer` message on a resolved ticket reopens it. With `saved_reply_id` (a macro), "
                           "that saved reply's `changes` and `note` go in with the message, in one step.",
            "requestBody": {"required": True, **_json("NewMessage")},
            "responses": {
                "201": _answer("The message as stored.", "Message"),
                "400": _answer("Invalid input keyed by field, a reply to a ticket without a requester (keyed "
                               "`kind`), or a `saved_reply_id` that names no saved reply or whose changes can no "
                               "longer be made (keyed `saved_reply_id`); nothing is written, not even the "
                               "message.", {"anyOf": ["FieldErrors", "Detail"]}),
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
                "400": _answer("Invalid input keyed by field (an unknown placeholder in `body` or `note` included; "
                               "a macro's unknown team, agent or tag keyed `changes.team`, `changes.assignee`, "
                               "`changes.add_tags`...); nothing is written.", {"anyOf": ["FieldErrors", "Detail"]}),
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
                "400": _answer("Invalid input keyed by field, as for `createSavedReply`; nothing is written.",
                               {"anyOf": ["FieldErrors", "Detail"]}),
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
    "/api/teams/": {
        "get": {
            "tags": ["Teams"],
            "operationId": "listTeams",
            "summary": "Every team, by name",
            "responses": {"200": _answer("The teams.", {"type": "array", "items": "Team"}), "503": UNAVAILABLE},
        },
        "post": {
            "tags": ["Teams"],
            "operationId": "createTeam",
            "summary": "Create a team (admins)",
            "description": "An admin's session or an `admin` token. Recorded in the admin events.",
            "requestBody": {"required": True, **_json("NewTeam")},
            "responses": {"201": _answer("The team as stored.", "Team"), "400": TEAM_REFUSED, "409": TEAM_CONFLICT,
                          "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE},
        },
    },
    "/api/teams/{team_id}/": {
        "parameters": [TEAM_ID],
        "get": {
            "tags": ["Teams"],
            "operationId": "getTeam",
            "summary": "One team",
            "responses": {"200": _answer("The team.", "Team"), "404": NO_TEAM, "503": UNAVAILABLE},
        },
        "patch": {
            "tags": ["Teams"],
            "operationId": "updateTeam",
            "summary": "Change a team (admins)",
            "description": "Each list sent replaces the team's; a list not sent is kept.",
            "requestBody": {"required": True, **_json("TeamChange")},
            "responses": {"200": _answer("The team as changed.", "Team"), "400": TEAM_REFUSED, "404": NO_TEAM,
                          "409": TEAM_CONFLICT, "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE},
        },
        "delete": {
            "tags": ["Teams"],
            "operationId": "deleteTeam",
            "summary": "Delete a team (admins)",
            "description": "Its tickets leave it (a change in each one's history) and keep their assignees.",
            "responses": {"204": {"description": "Deleted."}, "404": NO_TEAM, "503": UNAVAILABLE},
        },
    },
    "/api/business-hours/": {
        "get": {
            "tags": ["SLA"],
            "operationId": "listBusinessHours",
            "summary": "Every calendar of business hours, by name",
            "description": "24/7 is built in and not listed: a policy without business hours counts every minute.",
            "responses": {"200": _answer("The calendars.", {"type": "array", "items": "BusinessHours"}),
                          "503": UNAVAILABLE},
        },
        "post": {
            "tags": ["SLA"],
            "operationId": "createBusinessHours",
            "summary": "Create a calendar of business hours (admins)",
            "description": "Hours are wall-clock times in the calendar's own time zone, so they keep to the "
                           "office's clock across daylight-saving changes. Recorded in the admin events.",
            "requestBody": {"required": True, **_json("NewBusinessHours")},
            "responses": {"201": _answer("The calendar as stored.", "BusinessHours"), "400": CALENDAR_REFUSED,
                          "409": CALENDAR_CONFLICT, "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE},
        },
    },
    "/api/business-hours/{calendar_id}/": {
        "parameters": [CALENDAR_ID],
        "get": {
            "tags": ["SLA"],
            "operationId": "getBusinessHours",
            "summary": "One calendar of business hours",
            "responses": {"200": _answer("The calendar.", "BusinessHours"), "404": NO_CALENDAR, "503": UNAVAILABLE},
        },
        "patch": {
            "tags": ["SLA"],
            "operationId": "updateBusinessHours",
            "summary": "Change a calendar of business hours (admins)",
            "description": "`week` and `holidays`, when sent, replace the calendar's.",
            "requestBody": {"required": True, **_json("BusinessHoursChange")},
            "responses": {"200": _answer("The calendar as changed.", "BusinessHours"), "400": CALENDAR_REFUSED,
                          "404": NO_CALENDAR, "409": CALENDAR_CONFLICT, "413": TOO_LARGE, "415": NOT_JSON,
                          "503": UNAVAILABLE},
        },
        "delete": {
            "tags": ["SLA"],
            "operationId": "deleteBusinessHours",
            "summary": "Delete a calendar of business hours (admins)",
            "responses": {"204": {"description": "Deleted."}, "404": NO_CALENDAR,
                          "409": _answer("A policy counts in it; nothing is deleted.", "FieldErrors"),
                          "503": UNAVAILABLE},
        },
    },
    "/api/sla-policies/": {
        "get": {
            "tags": ["SLA"],
            "operationId": "listSlaPolicies",
            "summary": "Every SLA policy, in the order they are tried",
            "responses": {"200": _answer("The policies.", {"type": "array", "items": "SlaPolicy"}),
                          "503": UNAVAILABLE},
        },
        "post": {
            "tags": ["SLA"],
            "operationId": "createSlaPolicy",
            "summary": "Create an SLA policy (admins)",
            "description": "The first policy by `position` whose every condition holds applies to a ticket. "
                           "Recorded in the admin events.",
            "requestBody": {"required": True, **_json("NewSlaPolicy")},
            "responses": {"201": _answer("The policy as stored.", "SlaPolicy"), "400": POLICY_REFUSED,
                          "409": POLICY_CONFLICT, "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE},
        },
    },
    "/api/sla-policies/{policy_id}/": {
        "parameters": [POLICY_ID],
        "get": {
            "tags": ["SLA"],
            "operationId": "getSlaPolicy",
            "summary": "One SLA policy",
            "responses": {"200": _answer("The policy.", "SlaPolicy"), "404": NO_POLICY, "503": UNAVAILABLE},
        },
        "patch": {
            "tags": ["SLA"],
            "operationId": "updateSlaPolicy",
            "summary": "Change an SLA policy (admins)",
            "description": "`match`, when sent, replaces the policy's conditions.",
            "requestBody": {"required": True, **_json("SlaPolicyChange")},
            "responses": {"200": _answer("The policy as changed.", "SlaPolicy"), "400": POLICY_REFUSED,
                          "404": NO_POLICY, "409": POLICY_CONFLICT, "413": TOO_LARGE, "415": NOT_JSON,
                          "503": UNAVAILABLE},
        },
        "delete": {
            "tags": ["SLA"],
            "operationId": "deleteSlaPolicy",
            "summary": "Delete an SLA policy (admins)",
            "responses": {"204": {"description": "Deleted."}, "404": NO_POLICY, "503": UNAVAILABLE},
        },
    },
    "/api/sla-policies/recalculate/": {
        "post": {
            "tags": ["SLA"],
            "operationId": "recalculateOpenTickets",
            "summary": "Bring every open ticket onto the policies as they are now (admins)",
            "description": "Editing a policy or a calendar changes no open ticket's due times by itself (a ticket "
                           "takes the new rules when its own clocks next move). This queues the job that "
                           "recalculates every open and in-progress ticket, in batches; resolved and closed "
                           "tickets keep what they were measured by. Recorded in the admin events.",
            "responses": {"202": _answer("Queued.", {"type": "object", "required": ["queued"],
                                                     "properties": {"queued": {"type": "boolean"}}}),
                          "503": _answer("The database or the job queue cannot be reached; nothing was queued "
                                         "(`flask sla-policies recalculate` does the same on a server).", "Error")},
        },
    },
    "/api/agents/": {
        "get": {
            "tags": ["Teams"],
            "operationId": "suggestMentions",
            "summary": "Agents to mention, by what was typed after \"@\"",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"},
                            "description": "The beginning of an agent's email, name or a word of it, in any case "
                                           "(a leading `@` is ignored); empty lists nobody."}],
            "responses": {"200": _answer("At most 8 active agents, by email.", {"type": "array", "items": {
                "type": "object", "required": ["email", "name", "mention"], "properties": {
                    "email": {"type": "string"}, "name": {"type": ["string", "null"]},
                    "mention": {"type": "string", "description": "What to write in a note to mention them."}}}}),
                "503": UNAVAILABLE},
        },
    },
    "/api/tags/": {
        "get": {
            "tags": ["Teams"],
            "operationId": "suggestTags",
            "summary": "Tags that start with what was typed",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"},
                            "description": "The beginning of a tag, in any case; empty lists the first tags."}],
            "responses": {"200": _answer("At most 10 tags, by name.", {"type": "array", "items": {"type": "string"}}),
                          "503": UNAVAILABLE},
        },
    },
    "/api/me/": {
        "get": {
            "tags": ["Teams"],
            "operationId": "getMe",
            "summary": "The signed-in agent's own settings",
            "responses": {"200": _answer("Your settings and teams.", "Me"), "400": NOT_AN_AGENT, "503": UNAVAILABLE},
        },
        "patch": {
            "tags": ["Teams"],
            "operationId": "updateMe",
            "summary": "Change your own settings: away, your name",
            "requestBody": {"required": True, **_json("MeChange")},
            "responses": {"200": _answer("Your settings as changed.", "Me"),
                          "400": _answer("Invalid input keyed by field, or the credentials are a token's.",
                                         {"anyOf": ["FieldErrors", "Detail"]}),
                          "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE},
        },
    },
    "/api/notifications/": {
        "get": {
            "tags": ["Teams"],
            "operationId": "listNotifications",
            "summary": "Your notifications, newest first, and how many are unread",
            "responses": {"200": _answer("The newest 50, and the unread count.", "Notifications"),
                          "400": NOT_AN_AGENT, "503": UNAVAILABLE},
        },
    },
    "/api/notifications/read/": {
        "post": {
            "tags": ["Teams"],
            "operationId": "readNotifications",
            "summary": "Mark notifications read",
            "requestBody": {"required": True, **_json("NotificationsRead")},
            "responses": {"200": _answer("How many are still unread.", "Unread"),
                          "400": _answer("Invalid input keyed by field, or the credentials are a token's.",
                                         {"anyOf": ["FieldErrors", "Detail"]}),
                          "413": TOO_LARGE, "415": NOT_JSON, "503": UNAVAILABLE},
        },
    },
}
