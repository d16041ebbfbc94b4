"""Incoming mail in the JSON API: a ticket's attachments (each message's are also in the thread)."""
from flask import jsonify

from ..api import api_route, get_or_404
from ..conversations.files import ticket_attachments
from ..models import Ticket
from ..schemas import attachment_json
from . import bp


@api_route(bp, "/api/tickets/<id:ticket_id>/attachments/", methods=["GET"])
def list_attachments(ticket_id: int):
    """Every file the ticket's mails came with, oldest first."""
    get_or_404(Ticket, ticket_id)
    return jsonify([attachment_json(f) for f in ticket_attachments(ticket_id)])
