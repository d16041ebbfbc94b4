"""Plumbing shared by the JSON API routes of every blueprint."""
import json

from flask import Blueprint, request
from marshmallow import Schema

from .errors import NOT_FOUND, ApiError
from .extensions import csrf, db


def api_route(bp: Blueprint, rule: str, **options):
    """Register `rule` both with and without its trailing slash, so both answer and neither redirects.

    (Werkzeug's `strict_slashes=False` answers a wrong method on the slash-less form with 404, not 405.)
    API routes are exempt from the pages' CSRF check: they take JSON only, which a cross-site form cannot send.
    """
    def decorator(view):
        csrf.exempt(view)
        endpoint = options.pop("endpoint", view.__name__)
        bp.add_url_rule(rule, endpoint, view, **options)
        bp.add_url_rule(rule.rstrip("/"), endpoint, view, **options)
        return view

    return decorator


def json_body() -> dict:
    """The request's JSON object, or the 415/400/413 the contract asks for."""
    if not request.is_json:
        media = request.mimetype or "none"
        raise ApiError(415, {"detail": f'Unsupported media type "{media}" in request.'})
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, {"detail": f"JSON parse error - {e}"}) from None
    except RecursionError:  # arrays or objects nested a few thousand deep
        raise ApiError(400, {"detail": "JSON parse error - nested too deeply"}) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ApiError(400, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]})
    return data


def query_args(schema: Schema) -> dict:
    """The query string, one value per parameter: a parameter `schema` reads, given twice, is ambiguous,
    so it is a 400 naming it; except those `schema.REPEATABLE` names, which come as lists."""
    repeatable = getattr(schema, "REPEATABLE", ())
    repeated = {name: ["Only one value is allowed."] for name, values in request.args.lists()
                if len(values) > 1 and name in schema.fields and name not in repeatable}
    if repeated:
        raise ApiError(400, repeated)
    return {name: values if name in repeatable else values[0] for name, values in request.args.lists()}


def get_or_404(model, row_id: int, detail: str | None = None):
    """The `model` row with `row_id`, or the API's 404: `{"detail": "Not found."}` as the earlier systems
    answered for a ticket, or `detail` for other resources."""
    row = db.session.get(model, row_id)
    if row is None:
        raise ApiError(404, NOT_FOUND if detail is None else {"detail": detail})
    return row
