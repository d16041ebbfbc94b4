"""JSON error responses for the API, in the shapes its existing clients already parse."""
import logging
import time

import sqlalchemy as sa
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import limiter

log = logging.getLogger(__name__)

NOT_FOUND = {"detail": "Not found."}
DATABASE_UNAVAILABLE = {"error": "Database unavailable"}
# what the driver raises when the database cannot be reached (down, restarting, unreachable, pool exhausted)
UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


class ApiError(Exception):
    """Raise anywhere in a request to answer with `status` and the JSON `body` as it is."""

    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status = status
        self.body = body


def error_response(status: int, body: dict):
    return jsonify(body), status


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _http_error_body(e: HTTPException) -> dict:
    if e.code == 404:
        return NOT_FOUND
    if e.code == 405:
        return {"detail": f'Method "{request.method}" not allowed.'}
    if e.code == 429:  # Flask-Limiter adds the matching Retry-After header
        wait = _seconds_until_reset()
        return {"detail": f"Request was throttled. Expected available in {wait} second{'s' if wait != 1 else ''}."}
    if e.code == 413:
        return {"detail": f"Request body too large: the limit is {request.max_content_length} bytes."}
    return {"detail": e.description}


def _seconds_until_reset() -> int:
    """As Flask-Limiter computes its Retry-After header, so the two agree."""
    limit = limiter.current_limit
    return max(1, int(limit.reset_at - time.time())) if limit else 1


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(e: ApiError):
        return error_response(e.status, e.body)

    @app.errorhandler(SecurityError)
    def untrusted_host(e: SecurityError):
        """A Host outside TRUSTED_HOSTS: nothing may build a URL from it, the error page included."""
        if _is_api():
            return error_response(400, {"detail": e.description})
        return e.description, 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if not _is_api():
            return render_template("error.html", code=e.code, name=e.name, description=e.description), e.code
        response, status = error_response(e.code, _http_error_body(e))
        if e.code == 405 and getattr(e, "valid_methods", None):
            response.headers["Allow"] = ", ".join(e.valid_methods)
        return response, status

    def database_unavailable(e: Exception):
        """A quick 503 the client can retry, rather than a hang or a 500; the pool's pre-ping reconnects
        by itself once the database is back."""
        log.warning("database unavailable on %s %s (%s)", request.method, request.path,
                    type(getattr(e, "orig", None) or e).__name__)
        if _is_api():
            response = jsonify(DATABASE_UNAVAILABLE)
        else:
            response = app.make_response(render_template(
                "error.html", code=503, name="The database is unavailable",
                description="Nothing was lost. Please try again in a few seconds."))
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    for error in UNREACHABLE:
        app.register_error_handler(error, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected_error(e: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not _is_api():
            return render_template("error.html", code=500, name="Something went wrong",
                                   description="The error has been logged. Please try again in a moment."), 500
        return error_response(500, {"error": "An unexpected error occurred"})
