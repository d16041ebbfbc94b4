import logging

from flask import current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..api import api_route, json_body
from ..auth import current_actor
from ..errors import ApiError
from ..extensions import db, limiter
from ..schemas import encodable
from . import bp, feedback
from .suggestion import classifier

log = logging.getLogger(__name__)


def _text(body: dict, field: str) -> str:
    value = body.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(400, {"error": f"{field.capitalize()} must be a string"})
    if "\x00" in value:
        raise ApiError(400, {"error": f"{field.capitalize()} may not contain null characters"})
    if not encodable(value):
        raise ApiError(400, {"error": f"{field.capitalize()} must be valid Unicode text"})
    return value.strip()


@api_route(bp, "/api/tickets/classify/", methods=["POST"])
@limiter.limit(lambda: current_app.config["CLASSIFY_RATE_LIMIT"])
def classify():
    body = json_body()
    description = _text(body, "description")
    if not description:
        raise ApiError(400, {"error": "Description is required"})
    suggestion = classifier().classify(description, _text(body, "title"))
    try:
        suggestion_id = feedback.record(suggestion, current_actor())
        db.session.commit()
    except SQLAlchemyError:  # the database is down: still suggest, but with nothing to link a ticket to
        db.session.rollback()
        log.warning("suggestion not recorded: the database is unavailable")
        return jsonify(suggestion.to_json())
    return jsonify({**suggestion.to_json(), "suggestion_id": suggestion_id})
