"""Incoming mail in the JSON API: a ticket's attachments (each message's are also in the thread)."""
from flask import jsonify

from ..api import api_route
from ..schemas import attachment_json
from ..tickets.api import get_ticket_or_404
from . import bp
from .files import ticket_attachments


@api_route(bp, "/api/tickets/<ticket_id:ticket_id>/attachments/", methods=["GET"])
def list_attachments(ticket_id: int):
    """Every file the ticket's mails came with, oldest first."""
    get_ticket_or_404(ticket_id)
    return jsonify([attachment_json(f) for f in ticket_attachments(ticket_id)])
