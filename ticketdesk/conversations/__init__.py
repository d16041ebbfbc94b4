"""Conversations: the customers who write in (requesters), and each ticket's thread of replies, notes and
the customer's own messages."""
from flask import Blueprint, Flask

bp = Blueprint("conversations", __name__)


def init_app(app: Flask) -> None:
    from . import api, views  # noqa: F401  (routes and pages attach themselves to bp)
    app.register_blueprint(bp)
