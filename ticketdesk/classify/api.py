from flask import current_app, jsonify

from ..api import api_route, json_body
from ..errors import ApiError
from ..extensions import limiter
from ..schemas import encodable
from . import bp, classifier


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
    return jsonify(classifier().classify(description, _text(body, "title")).to_json())
