from flask import jsonify

from ..api import api_route
from . import bp
from .queries import ticket_stats


@api_route(bp, "/api/tickets/stats/", methods=["GET"])
def stats():
    return jsonify(ticket_stats())
