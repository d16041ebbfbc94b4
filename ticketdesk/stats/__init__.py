"""Stats: totals and breakdowns for the dashboard and for API consumers."""
from flask import Blueprint, Flask

bp = Blueprint("stats", __name__)


def init_app(app: Flask) -> None:
    from . import api, views  # noqa: F401  (routes and pages attach themselves to bp)
    app.register_blueprint(bp)
