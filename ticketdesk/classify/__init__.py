"""Classify: the AI triage suggestion for a ticket being written, from the configured classifier."""
import logging

from flask import Blueprint, Flask, current_app

from ..classifiers import ChainClassifier, build_classifier
from ..classifiers import local_classifier as build_local_classifier
from ..extensions import db

bp = Blueprint("classify", __name__, cli_group=None)
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Build the configured classifier once; an unknown name stops start-up with the registered names."""
    app.extensions["ticketdesk.classifier"] = build_classifier(app.config)
    app.extensions["ticketdesk.local_classifier"] = build_local_classifier(app.config)
    app.register_blueprint(bp)


def warm_up(app: Flask) -> None:
    """Load what filing and suggesting need (the language model, the learned model) ahead of the first
    request; called by each gunicorn worker after it starts. A failure is only logged: first use tries again."""
    from ..triage.language import detect
    detect("warm", "up")  # py3langid's model: about half a second, once per process
    with app.app_context():
        for chain in (app.extensions["ticketdesk.classifier"], app.extensions["ticketdesk.local_classifier"]):
            for link in chain.links:
                try:
                    getattr(link, "warm_up", lambda: None)()
                except Exception:
                    log.warning("could not warm up the %s classifier", link.name, exc_info=True)
        db.session.remove()


def classifier() -> ChainClassifier:
    """The configured chain, which answers the classify endpoint."""
    return current_app.extensions["ticketdesk.classifier"]


def local_classifier() -> ChainClassifier:
    """learned (when confident), then keyword: what fills a new ticket's `auto` fields, with no network."""
    return current_app.extensions["ticketdesk.local_classifier"]


from . import api, cli  # noqa: E402,F401  (routes and commands attach themselves to bp)
