"""Conversations: the customers who write in (requesters), and, next, the thread of replies and notes."""
from flask import Blueprint, Flask

bp = Blueprint("conversations", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


from . import views  # noqa: E402,F401  (pages attach themselves to bp)
