"""The ticket routes of the JSON API: `/api/tickets/` and `/api/tickets/<id>/`.

A ticket's ETag is its version: GET answers 304 to a matching If-None-Match, and PATCH with If-Match
applies only to that version (412 otherwise); without If-Match the last write wins."""
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request, url_for

from ..api import api_route, json_body, query_args
from ..auth import current_actor
from ..errors import NOT_FOUND, ApiError
from ..extensions import db
from ..models import Ticket, TicketEvent
from ..schemas import (AUTO, event_json, load_or_400, ticket_create_schema, ticket_json, ticket_patch_schema,
                       ticket_query_schema, whole_number)
from ..triage import feedback
from . import bp
from .changes import VersionMismatch, change_ticket
from .filing import LABELS, file_ticket
from .queries import decode_cursor, encode_cursor, page_rows, ticket_page

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


def get_ticket_or_404(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise ApiError(404, NOT_FOUND)
    return ticket


@api_route(bp, "/api/tickets/", methods=["GET"])
def list_tickets():
    args = load_or_400(ticket_query_schema, query_args(ticket_query_schema))
    limit, ordering = args.pop("limit"), args["ordering"]
    after = decode_cursor(args.pop("cursor"), ordering) if "cursor" in args else None
    rows = db.session.execute(ticket_page(**args, after=after, limit=limit)).all()
    rows, following, _ = page_rows(rows, after, limit, ordering)
    response = jsonify([ticket_json(row) for row in rows])
    if following is not None:  # the earlier API sent only `next`, and clients stop when it is missing
        response.headers["Link"] = f'<{page_url(following)}>; rel="next"'
    return response


def page_url(cursor) -> str:
    """This list's URL with the same parameters at another cursor. The query goes through urlencode, never
    into url_for, whose own keywords (`_external`, `endpoint`, ...) a client could otherwise set."""
    query = {**request.args.to_dict(), "cursor": encode_cursor(cursor)}
    return f"{url_for('tickets.list_tickets', _external=True)}?{urlencode(query)}"


def setter() -> str:
    """Who sets labels through this request: an agent (signed in to the pages) or an API client."""
    actor = current_actor()
    return "agent" if actor and not actor.startswith("token:") else "client"


@api_route(bp, "/api/tickets/", methods=["POST"])
def create_ticket():
    body = json_body()
    if current_app.config["TRIAGE_ON_CREATE"]:  # for clients that send neither field to let the desk decide
        body = {**{name: AUTO for name in LABELS if name not in body}, **body}
    data = load_or_400(ticket_create_schema, body)
    suggestion_id = data.pop("suggestion_id", None)
    suggestion = None if suggestion_id is None else feedback.served(suggestion_id, current_actor())
    ticket = file_ticket(data, current_actor(), setter(), suggestion)
    db.session.commit()
    response = tagged(jsonify(ticket_json(ticket)), ticket)
    response.headers["Location"] = url_for("tickets.get_ticket", ticket_id=ticket.id)
    return response, 201


@api_route(bp, "/api/tickets/<ticket_id:ticket_id>/", methods=["GET"])
def get_ticket(ticket_id: int):
    ticket = get_ticket_or_404(ticket_id)
    return tagged(jsonify(ticket_json(ticket)), ticket).make_conditional(request)


def refuse_auto(body: dict) -> None:
    wrong = {name: [f'"{AUTO}" is accepted only when a ticket is created; send one of the values.']
             for name in LABELS if body.get(name) == AUTO}
    if wrong:
        raise ApiError(400, wrong)


@api_route(bp, "/api/tickets/<ticket_id:ticket_id>/", methods=["PATCH"])
def update_ticket(ticket_id: int):
    try:
        body = json_body()
        refuse_auto(body)
        changes = load_or_400(ticket_patch_schema, body)
    except ApiError:
        get_ticket_or_404(ticket_id)  # an unknown ticket is a 404 whatever the body
        raise
    changes.update({f"{name}_set_by": setter() for name in LABELS if name in changes})
    try:
        ticket = change_ticket(ticket_id, changes, expected_versions(), current_actor())
    except VersionMismatch as stale:
        db.session.rollback()
        return tagged(jsonify(PRECONDITION_FAILED), stale.ticket), 412
    if ticket is None:
        raise ApiError(404, NOT_FOUND)
    db.session.commit()
    return tagged(jsonify(ticket_json(ticket)), ticket)


@api_route(bp, "/api/tickets/<ticket_id:ticket_id>/events/", methods=["GET"])
def ticket_events(ticket_id: int):
    """The ticket's audit trail, oldest first: every status, priority and category change."""
    get_ticket_or_404(ticket_id)
    events = db.session.scalars(sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                                .order_by(TicketEvent.id))
    return jsonify([event_json(event) for event in events])
