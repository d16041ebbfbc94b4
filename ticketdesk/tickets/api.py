"""The ticket routes of the JSON API: `/api/tickets/` and `/api/tickets/<id>/`."""
from flask import jsonify, request, url_for

from ..api import api_route, json_body
from ..errors import NOT_FOUND, ApiError
from ..extensions import db
from ..models import Ticket
from ..schemas import (decode_cursor, encode_cursor, load_or_400, ticket_json, ticket_patch_schema,
                       ticket_query_schema, ticket_schema)
from . import bp
from .queries import ticket_page


def get_ticket_or_404(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise ApiError(404, NOT_FOUND)
    return ticket


@api_route(bp, "/api/tickets/", methods=["GET"])
def list_tickets():
    args = load_or_400(ticket_query_schema, request.args.to_dict())
    limit = args.pop("limit")
    cursor = args.pop("cursor", None)
    after = decode_cursor(cursor) if cursor else None
    rows = db.session.execute(ticket_page(**args, after=after, limit=limit)).all()
    response = jsonify([ticket_json(row) for row in rows[:limit]])
    if len(rows) > limit:
        last = rows[limit - 1]
        query = {**request.args.to_dict(), "cursor": encode_cursor(last.created_at, last.id)}
        next_url = url_for("tickets.list_tickets", _external=True, **query)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@api_route(bp, "/api/tickets/", methods=["POST"])
def create_ticket():
    ticket = Ticket(**load_or_400(ticket_schema, json_body()))
    db.session.add(ticket)
    db.session.commit()
    return jsonify(ticket_json(ticket)), 201


@api_route(bp, "/api/tickets/<int(max=2147483647):ticket_id>/", methods=["GET"])
def get_ticket(ticket_id: int):
    return jsonify(ticket_json(get_ticket_or_404(ticket_id)))


@api_route(bp, "/api/tickets/<int(max=2147483647):ticket_id>/", methods=["PATCH"])
def update_ticket(ticket_id: int):
    ticket = get_ticket_or_404(ticket_id)
    changes = load_or_400(ticket_patch_schema, json_body())
    for field, value in changes.items():
        setattr(ticket, field, value)
    db.session.commit()
    return jsonify(ticket_json(ticket))
