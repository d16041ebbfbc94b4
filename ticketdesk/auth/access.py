"""Who may call what. Every endpoint has a rule here; `tests/test_access.py` walks the URL map, so a new
route without one fails the suite, and the gate refuses it meanwhile (closed by default).

- PUBLIC: anyone (probes, the sign-in page, static files).
- AGENT: a signed-in agent; anyone else is sent to the sign-in page.
- CLIENT: the JSON API: `Authorization: Bearer <token>`, or a signed-in agent's session (the pages' own
  fetches), which must then carry the CSRF token for writes; anyone else gets a 401.
"""
import logging

from flask import abort, g, jsonify, redirect, request, url_for
from flask_login import current_user

from ..extensions import csrf
from . import auth_required
from .tokens import active_token

log = logging.getLogger(__name__)

PUBLIC, AGENT, CLIENT = "public", "agent", "client"

RULES = {
    "static": PUBLIC,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": AGENT,
    "auth.logout_everywhere": AGENT,
    "auth.account": AGENT,
    "tickets.index": AGENT,
    "tickets.new": AGENT,
    "tickets.detail": AGENT,
    "tickets.change_status": AGENT,
    "stats.dashboard": AGENT,
    "openapi.reference": AGENT,
    "tickets.list_tickets": CLIENT,
    "tickets.create_ticket": CLIENT,
    "tickets.get_ticket": CLIENT,
    "tickets.update_ticket": CLIENT,
    "tickets.ticket_events": CLIENT,
    "stats.stats": CLIENT,
    "classify.classify": CLIENT,
    "openapi.document": CLIENT,
}

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
NO_CREDENTIALS = {"detail": "Authentication credentials were not provided."}
BAD_TOKEN = {"detail": "Invalid token."}


def gate():
    """Runs before every request: sets `g.actor` (who acts, for the audit trail and the rate limits)
    or answers for the route."""
    if request.endpoint is None:  # no such route (404) or wrong method (405): let routing answer
        return None
    rule = RULES.get(request.endpoint)
    if rule is None:
        log.error("route %s has no access rule in ticketdesk/auth/access.py; refusing", request.endpoint)
        abort(403)
    if rule == PUBLIC or request.method == "OPTIONS":  # a CORS preflight carries no credentials, and reveals nothing
        return None
    if rule == CLIENT and "Authorization" in request.headers:
        return _bearer(request.headers["Authorization"])
    if current_user.is_authenticated:
        g.actor = current_user.email
        if rule == CLIENT and request.method not in SAFE_METHODS:
            csrf.protect()  # a session cookie rides along on any cross-site request; the CSRF token does not
        return None
    if not auth_required():
        return None
    if rule == AGENT:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return _unauthorized(NO_CREDENTIALS, "Bearer")


MISSING_SCHEME = ('Bearer error="invalid_request", error_description="Send the token as: '
                  'Authorization: Bearer <token>"')


def _bearer(header: str):
    scheme, _, token = header.partition(" ")
    bearer = scheme.lower() == "bearer"
    found = active_token(token.strip()) if bearer else None
    if found is not None:
        g.actor = f"token:{found.name}"
        return None
    if not auth_required():
        return None
    # the documented body either way; the challenge says what is wrong with the request
    return _unauthorized(BAD_TOKEN, 'Bearer error="invalid_token"' if bearer else MISSING_SCHEME)


def _unauthorized(body: dict, challenge: str):
    response = jsonify(body)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = challenge
    return response
