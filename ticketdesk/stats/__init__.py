"""Stats: totals and breakdowns for the dashboard and for API consumers."""
from flask import Blueprint, Flask

bp = Blueprint("stats", __name__)

from . import api, views  # noqa: E402,F401


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
