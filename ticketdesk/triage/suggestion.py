"""The suggestion for a ticket being written: the configured classifier chain (which answers
`POST /api/tickets/classify/` and refines mailed tickets) and the local chain (learned, then keyword: what
fills a new ticket's `auto` fields with no network), built once per app from the `classifiers` registry."""
import logging

from flask import Flask, current_app

from ..classifiers import ChainClassifier, build_classifier
from ..classifiers import local_classifier as build_local_classifier
from ..extensions import db
from .language import detect

log = logging.getLogger(__name__)


def build(app: Flask) -> None:
    """Build the configured chain once; an unknown name stops start-up with the registered names."""
    app.extensions["ticketdesk.classifier"] = build_classifier(app.config)
    app.extensions["ticketdesk.local_classifier"] = build_local_classifier(app.config)


def warm_up(app: Flask) -> None:
    """Load what filing and suggesting need (the language model, the learned model) ahead of the first
    request; called by each gunicorn worker after it starts. A failure is only logged: first use tries again."""
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
