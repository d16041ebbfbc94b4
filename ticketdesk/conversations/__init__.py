"""Conversations: the customers who write in (requesters), and each ticket's thread of replies, notes and
the customer's own messages."""
from flask import Blueprint, Flask

bp = Blueprint("conversations", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


from . import api, views  # noqa: E402,F401  (routes and pages attach themselves to bp)
