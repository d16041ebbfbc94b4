"""The ticket routes of the JSON API: `/api/tickets/` and `/api/tickets/<id>/`.

A ticket's ETag is its version: GET answers 304 to a matching If-None-Match, and PATCH with If-Match
applies only to that version (412 otherwise); without If-Match the last write wins."""
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request, url_for

from ..api import api_route, get_or_404, json_body, query_args
from ..auth import current_actor, current_setter, signed_in_agent
from ..errors import NOT_FOUND, ApiError
from ..extensions import db
from ..models import Ticket, TicketEvent
from ..ownership.changes import change_fields
from ..ownership.queues import BY_KEY as BUILT_IN
from ..ownership.queues import all_due, conditions, find
from ..ownership.refusals import Refused
from ..record.changes import VersionMismatch
from ..record.labels import LABELS
from ..record.queries import decode_cursor, encode_cursor, page_rows, ticket_row, ticket_rows
from ..schemas import (
    AUTO,
    bulk_change_schema,
    event_json,
    load_or_400,
    ticket_create_schema,
    ticket_json,
    ticket_patch_schema,
    ticket_query_schema,
    whole_number,
)
from ..triage import feedback
from . import bp
from .bulk import change_many
from .filing import file_ticket

PRECONDITION_FAILED = {"detail": "Precondition failed: the ticket has changed since that version was read."}


def tagged(response: Response, ticket: Ticket) -> Response:
    response.set_etag(f"v{ticket.version}")
    return response


def expected_versions() -> set[int] | None:
    """The versions If-Match names (None without the header or with `*`); a tag that is not one of
    ours, or a weak one, names no version and so can only fail."""
    if not request.if_match or request.if_match.star_tag:
        return None
    tags = request.if_match.as_set()  # strong tags only, as If-Match requires
    versions = {whole_number(tag[1:]) for tag in tags if tag and tag.startswith("v")}  # an empty tag is None
    return versions - {None}


@api_route(bp, "/api/tickets/", methods=["GET"])
def list_tickets():
    return ticket_list()


def ticket_list(where=(), ordering: str | None = None, all_due: bool = False):
    """A page of tickets as the query string asks (filters, ordering, limit, cursor), within `where`; a
    queue's own `ordering` applies unless the query string names one (`all_due`: record.queries.ticket_rows)."""
    raw = query_args(ticket_query_schema)
    args = load_or_400(ticket_query_schema, raw if ordering is None or "ordering" in raw else {**raw, "ordering": ordering})
    if args.get("assignee") == "me":
        args["assignee"] = signed_in_agent_id("assignee")
    limit, ordering = args.pop("limit"), args["ordering"]
    after = decode_cursor(args.pop("cursor"), ordering) if "cursor" in args else None
    rows = ticket_rows(**args, after=after, limit=limit, where=where, all_due=all_due)
    rows, following, _ = page_rows(rows, after, limit, ordering)
    response = jsonify([ticket_json(row) for row in rows])
    if following is not None:  # the earlier API sent only `next`, and clients stop when it is missing
        response.headers["Link"] = f'<{page_url(following)}>; rel="next"'
    return response


@api_route(bp, "/api/views/<key>/tickets/", methods=["GET"])
def view_tickets(key: str):
    """One queue's tickets, paged like the ticket list (and filtered further by its parameters)."""
    me = signed_in_agent()
    if (queue := find(key, me)) is None:
        raise ApiError(404, {"detail": "This view is a signed-in agent's own: a token has none."
                             if key in BUILT_IN else "No such view."})
    return ticket_list(conditions(queue, me), queue.ordering, all_due(queue))


def signed_in_agent_id(field: str) -> int:
    """The signed-in agent's id, for `me` in a filter; a token, or a desk with access control off, has none."""
    if (me := signed_in_agent()) is not None:
        return me
    raise ApiError(400, {field: ["`me` means the signed-in agent: a token is no agent. Send an email instead."]})


def page_url(cursor) -> str:
    """This list's URL (the ticket list's, or a queue's) with the same parameters, repeated ones included, at
    another cursor. The query goes through urlencode, never into url_for, whose own keywords (`_external`,
    `endpoint`, ...) a client could otherwise set."""
    query = [(k, v) for k, values in request.args.lists() if k != "cursor" for v in values]
    query.append(("cursor", encode_cursor(cursor)))
    return f"{url_for(request.endpoint, **request.view_args, _external=True)}?{urlencode(query)}"


@api_route(bp, "/api/tickets/", methods=["POST"])
def create_ticket():
    body = json_body()
    if current_app.config["TRIAGE_ON_CREATE"]:  # for clients that send neither field to let the desk decide
        body = {**{name: AUTO for name in LABELS if name not in body}, **body}
    data = load_or_400(ticket_create_schema, body)
    suggestion_id = data.pop("suggestion_id", None)
    suggestion = None if suggestion_id is None else feedback.served(suggestion_id, current_actor())
    ticket = file_ticket(data, current_actor(), current_setter(), suggestion)
    db.session.commit()
    response = tagged(jsonify(ticket_json(ticket)), ticket)
    response.headers["Location"] = url_for("tickets.get_ticket", ticket_id=ticket.id)
    return response, 201


@api_route(bp, "/api/tickets/<id:ticket_id>/", methods=["GET"])
def get_ticket(ticket_id: int):
    ticket = ticket_row(ticket_id)
    if ticket is None:
        raise ApiError(404, NOT_FOUND)
    return tagged(jsonify(ticket_json(ticket)), ticket).make_conditional(request)


def refuse_auto(body: dict) -> None:
    wrong = {name: [f'"{AUTO}" is accepted only when a ticket is created; send one of the values.']
             for name in LABELS if body.get(name) == AUTO}
    if wrong:
        raise ApiError(400, wrong)


@api_route(bp, "/api/tickets/<id:ticket_id>/", methods=["PATCH"])
def update_ticket(ticket_id: int):
    try:
        body = json_body()
        refuse_auto(body)
        changes = load_or_400(ticket_patch_schema, body)
    except ApiError:
        get_or_404(Ticket, ticket_id)  # an unknown ticket is a 404 whatever the body
        raise
    try:
        ticket = change_fields(ticket_id, changes, current_actor(), current_setter(), expected_versions())
    except Refused as e:
        db.session.rollback()
        raise ApiError(e.status, {e.field: [str(e)]}) from None
    except VersionMismatch as stale:
        db.session.rollback()
        return tagged(jsonify(PRECONDITION_FAILED), stale.ticket), 412
    if ticket is None:
        raise ApiError(404, NOT_FOUND)
    db.session.commit()
    return tagged(jsonify(ticket_json(ticket)), ticket)


@api_route(bp, "/api/tickets/<id:ticket_id>/events/", methods=["GET"])
def ticket_events(ticket_id: int):
    """The ticket's audit trail, oldest first: every status, priority and category change."""
    get_or_404(Ticket, ticket_id)
    events = db.session.scalars(sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.id))
    return jsonify([event_json(event) for event in events])


@api_route(bp, "/api/tickets/bulk/", methods=["POST"])
def bulk_change():
    """One change for up to 1,000 tickets; each id that names no ticket fails alone."""
    data = load_or_400(bulk_change_schema, json_body())
    try:
        updated, failed = change_many(data["ids"], data["changes"], data["add_tags"], data["remove_tags"],
                                      current_actor(), current_setter())
    except Refused as e:
        db.session.rollback()
        field = e.field if e.field in ("add_tags", "remove_tags") else "set"
        raise ApiError(e.status, {field: {e.field: [str(e)]}} if field == "set" else {field: [str(e)]}) from None
    db.session.commit()
    return jsonify({"updated": len(updated), "failed": failed})
