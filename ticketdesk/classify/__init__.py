"""Classify: the AI triage suggestion for a ticket being written, from the configured classifier."""
from flask import Blueprint, Flask, current_app

from ..classifiers import Classifier, build_classifier

bp = Blueprint("classify", __name__, cli_group=None)


def init_app(app: Flask) -> None:
    """Build the configured classifier once; an unknown name stops start-up with the registered names."""
    app.extensions["ticketdesk.classifier"] = build_classifier(app.config)
    app.register_blueprint(bp)


def classifier() -> Classifier:
    return current_app.extensions["ticketdesk.classifier"]


from . import api, cli  # noqa: E402,F401  (routes and commands attach themselves to bp)
