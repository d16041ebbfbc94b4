"""Tickets: filing (the one path every channel files by), the JSON API and the agents' pages for browsing
and moving tickets."""
from flask import Blueprint, Flask

bp = Blueprint("tickets", __name__, cli_group=None)


def init_app(app: Flask) -> None:
    from . import api, cli, views  # noqa: F401  (routes and commands attach themselves to bp)
    app.register_blueprint(bp)
