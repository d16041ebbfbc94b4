"""Tickets: the JSON API and the agents' pages for filing, browsing and moving tickets."""
from flask import Blueprint, Flask

bp = Blueprint("tickets", __name__, cli_group=None)

from . import api, cli, views  # noqa: E402,F401  (routes and commands attach themselves to bp)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
