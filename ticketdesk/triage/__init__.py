"""Triage that learns: feedback on every suggestion, the model trained on the desk's own tickets, each
ticket's language, and the dashboard's triage panel."""
from flask import Blueprint, Flask

bp = Blueprint("triage", __name__, cli_group="triage")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


from . import cli, refine, retrain  # noqa: E402,F401  (commands attach themselves to bp; jobs register themselves)
