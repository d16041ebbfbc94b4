"""Triage: the suggestion for a ticket being written (suggestion.py, over the `classifiers` engine
registry, and `POST /api/tickets/classify/`), feedback on every suggestion, the model trained on the
desk's own tickets, each ticket's language, the background second opinion, and the dashboard's panel."""
from flask import Blueprint, Flask

bp = Blueprint("triage", __name__, cli_group="triage")


def init_app(app: Flask) -> None:
    """Build the classifier chains once; an unknown classifier name stops start-up with the registered names."""
    from . import api, cli, refine, retrain  # noqa: F401  (routes and commands attach to bp; jobs register)
    from .suggestion import build
    build(app)
    app.register_blueprint(bp)
    app.cli.add_command(cli.classify_command)
