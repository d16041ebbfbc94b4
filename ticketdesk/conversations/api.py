"""A ticket's thread in the JSON API: `/api/tickets/<id>/messages/`."""
from flask import jsonify

from ..api import api_route, json_body
from ..auth import current_actor
from ..extensions import db
from ..schemas import load_or_400, message_json, message_schema
from ..tickets.api import get_ticket_or_404
from . import bp
from .messages import post, thread


@api_route(bp, "/api/tickets/<ticket_id:ticket_id>/messages/", methods=["GET"])
def list_messages(ticket_id: int):
    """The thread, oldest first (the ticket's description is its opening, in the ticket itself)."""
    get_ticket_or_404(ticket_id)
    return jsonify([message_json(m) for m in thread(ticket_id)])


@api_route(bp, "/api/tickets/<ticket_id:ticket_id>/messages/", methods=["POST"])
def post_message(ticket_id: int):
    ticket = get_ticket_or_404(ticket_id)
    data = load_or_400(message_schema, json_body())
    message = post(ticket, data["kind"], data["body"], current_actor())
    db.session.commit()
    return jsonify(message_json(message)), 201
