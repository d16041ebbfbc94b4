"""Who may call what. Every endpoint has a rule here; `tests/auth/test_access.py` walks the URL map and tries
every role and token scope against every route, so a new route without a rule fails the suite, and the
gate refuses it meanwhile (closed by default).

A rule is (kind, least role), the role per method where they differ:
- kinds: PUBLIC (anyone: probes, sign-in, static files); AGENT (a signed-in agent; anyone else is sent to
  the sign-in page); CLIENT (the JSON API: `Authorization: Bearer <token>`, or a signed-in agent's session,
  the pages' own fetches, which must then carry the CSRF token for writes; anyone else gets a 401).
- roles, each allowed what the one before is: viewer (reads tickets and stats), agent (works tickets), admin
  (manages agents, tokens and teams). A `read` token acts as a viewer, a `write` token as an agent, an `admin`
  token (made only by an admin or `flask tokens create --scope admin`) as an admin. Asking for a
  classification counts as reading.
"""
import logging

from flask import abort, g, jsonify, redirect, request, url_for
from flask_login import current_user

from ..extensions import csrf
from ..models import ROLES
from . import auth_required
from .tokens import active_token

log = logging.getLogger(__name__)

PUBLIC, AGENT, CLIENT = "public", "agent", "client"
VIEWER, WRITER, ADMIN = ROLES  # the least role a route needs
ROLE_OF_SCOPE = {"read": VIEWER, "write": WRITER, "admin": ADMIN}
READS_WRITES = {"GET": VIEWER, "POST": WRITER}  # a page that shows something and takes a form

RULES = {
    "static": (PUBLIC, None),
    "healthz": (PUBLIC, None),
    "readyz": (PUBLIC, None),
    "auth.login": (PUBLIC, None),
    "auth.logout": (AGENT, VIEWER),
    "auth.logout_everywhere": (AGENT, VIEWER),
    "auth.account": (AGENT, VIEWER),
    "auth.change_password": (AGENT, VIEWER),
    "tickets.index": (AGENT, VIEWER),
    "tickets.new": (AGENT, WRITER),
    "tickets.detail": (AGENT, READS_WRITES),
    "tickets.change_status": (AGENT, WRITER),
    "tickets.change_owner": (AGENT, WRITER),
    "tickets.bulk_from_page": (AGENT, WRITER),
    "stats.dashboard": (AGENT, VIEWER),
    "conversations.requester": (AGENT, READS_WRITES),
    "conversations.post_from_page": (AGENT, WRITER),
    "conversations.resend_from_page": (AGENT, WRITER),
    "conversations.saved_replies": (AGENT, READS_WRITES),
    "conversations.saved_reply": (AGENT, READS_WRITES),
    "conversations.delete_saved_reply_page": (AGENT, WRITER),
    "openapi.reference": (AGENT, VIEWER),
    "admin.index": (AGENT, ADMIN),
    "admin.create_agent": (AGENT, ADMIN),
    "admin.set_role": (AGENT, ADMIN),
    "admin.set_active": (AGENT, ADMIN),
    "admin.reset_password": (AGENT, ADMIN),
    "admin.create_token": (AGENT, ADMIN),
    "admin.revoke_token": (AGENT, ADMIN),
    "admin.exclude_labels": (AGENT, ADMIN),
    "admin.include_labels": (AGENT, ADMIN),
    "mail.quarantine": (AGENT, ADMIN),
    "mail.retry_mail": (AGENT, ADMIN),
    "mail.delete_mail": (AGENT, ADMIN),
    "mail.original": (AGENT, VIEWER),
    "mail.raw": (CLIENT, VIEWER),
    "mail.attachment": (CLIENT, VIEWER),
    "mail.list_attachments": (CLIENT, VIEWER),
    "tickets.list_tickets": (CLIENT, VIEWER),
    "tickets.create_ticket": (CLIENT, WRITER),
    "tickets.get_ticket": (CLIENT, VIEWER),
    "tickets.update_ticket": (CLIENT, WRITER),
    "tickets.bulk_change": (CLIENT, WRITER),
    "tickets.view_tickets": (CLIENT, VIEWER),
    "tickets.ticket_events": (CLIENT, VIEWER),
    "conversations.list_messages": (CLIENT, VIEWER),
    "conversations.post_message": (CLIENT, WRITER),
    "conversations.resend_message": (CLIENT, WRITER),
    "conversations.list_saved_replies": (CLIENT, VIEWER),
    "conversations.create_saved_reply": (CLIENT, WRITER),
    "conversations.get_saved_reply": (CLIENT, VIEWER),
    "conversations.update_saved_reply": (CLIENT, WRITER),
    "conversations.delete_saved_reply": (CLIENT, WRITER),
    "stats.stats": (CLIENT, VIEWER),
    "triage.classify": (CLIENT, VIEWER),
    "openapi.document": (CLIENT, VIEWER),
    "auth.whoami": (CLIENT, VIEWER),
    "ownership.set_away": (AGENT, VIEWER),
    "ownership.notifications": (AGENT, VIEWER),
    "ownership.read_all": (AGENT, VIEWER),
    "ownership.notification_settings": (AGENT, VIEWER),
    "ownership.list_notifications": (CLIENT, VIEWER),
    "ownership.read_notifications": (CLIENT, VIEWER),
    "ownership.list_teams": (CLIENT, VIEWER),
    "ownership.get_team": (CLIENT, VIEWER),
    "ownership.create_team": (CLIENT, ADMIN),
    "ownership.update_team": (CLIENT, ADMIN),
    "ownership.remove_team": (CLIENT, ADMIN),
    "ownership.list_tags": (CLIENT, VIEWER),
    "ownership.list_agents": (CLIENT, VIEWER),
    "ownership.list_views": (CLIENT, VIEWER),
    "ownership.create_view": (CLIENT, VIEWER),  # shared: admins only; an agent's own: any signed-in agent
    "ownership.update_view": (CLIENT, VIEWER),
    "ownership.delete_view": (CLIENT, VIEWER),
    "ownership.save_view_page": (AGENT, VIEWER),
    "ownership.delete_view_page": (AGENT, VIEWER),
    "ownership.get_me": (CLIENT, VIEWER),
    "ownership.update_me": (CLIENT, VIEWER),
    "sla.list_business_hours": (CLIENT, VIEWER),
    "sla.get_business_hours": (CLIENT, VIEWER),
    "sla.create_business_hours": (CLIENT, ADMIN),
    "sla.update_business_hours": (CLIENT, ADMIN),
    "sla.remove_business_hours": (CLIENT, ADMIN),
    "sla.list_sla_policies": (CLIENT, VIEWER),
    "sla.get_sla_policy": (CLIENT, VIEWER),
    "sla.create_sla_policy": (CLIENT, ADMIN),
    "sla.update_sla_policy": (CLIENT, ADMIN),
    "sla.remove_sla_policy": (CLIENT, ADMIN),
    "sla.recalculate_open_tickets": (CLIENT, ADMIN),
    "sla.settings": (AGENT, ADMIN),
    "sla.save_calendar_page": (AGENT, ADMIN),
    "sla.delete_calendar_page": (AGENT, ADMIN),
    "sla.save_policy_page": (AGENT, ADMIN),
    "sla.delete_policy_page": (AGENT, ADMIN),
    "sla.recalculate_page": (AGENT, ADMIN),
}
# where an agent who must choose a new password may still go
WHILE_CHANGING_PASSWORD = {"auth.change_password", "auth.logout", "auth.logout_everywhere", "static"}

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
NO_CREDENTIALS = {"detail": "Authentication credentials were not provided."}
BAD_TOKEN = {"detail": "Invalid token."}
MISSING_SCHEME = ('Bearer error="invalid_request", error_description="Send the token as: '
                  'Authorization: Bearer <token>"')


def needed(endpoint: str, method: str) -> str | None:
    """The least role `method` on `endpoint` needs (None: anyone)."""
    need = RULES[endpoint][1]
    return need.get("GET" if method == "HEAD" else method, WRITER) if isinstance(need, dict) else need


def allows(role: str, need: str | None) -> bool:
    return need is None or ROLES.index(role) >= ROLES.index(need)


def gate():
    """Runs before every request: sets `g.actor` (who acts, for the audit trail and the rate limits) and
    `g.role`, or answers for the route."""
    if request.endpoint is None:  # no such route (404) or wrong method (405): let routing answer
        return None
    rule = RULES.get(request.endpoint)
    if rule is None:
        log.error("route %s has no access rule in ticketdesk/auth/access.py; refusing", request.endpoint)
        abort(403)
    kind = rule[0]
    if kind == PUBLIC or request.method == "OPTIONS":  # a CORS preflight carries no credentials, and reveals nothing
        return None
    if kind == CLIENT and "Authorization" in request.headers:
        return _bearer(request.headers["Authorization"])
    if current_user.is_authenticated:
        g.actor, g.role = current_user.email, current_user.role
        if current_user.must_change_password and request.endpoint not in WHILE_CHANGING_PASSWORD:
            if kind == CLIENT:
                return _forbidden("Choose a new password first: sign in to the desk's pages.")
            return redirect(url_for("auth.change_password"))
        if refused := _check_role(kind):
            return refused
        if kind == CLIENT and request.method not in SAFE_METHODS:
            csrf.protect()  # a session cookie rides along on any cross-site request; the CSRF token does not
        return None
    if not auth_required():
        return None
    if kind == AGENT:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return _unauthorized(NO_CREDENTIALS, "Bearer")


def _bearer(header: str):
    scheme, _, token = header.partition(" ")
    bearer = scheme.lower() == "bearer"
    found = active_token(token.strip()) if bearer else None
    if found is not None:
        g.actor, g.role = f"token:{found.name}", ROLE_OF_SCOPE[found.scope]
        return _check_role(CLIENT)
    if not auth_required():
        return None
    # the documented body either way; the challenge says what is wrong with the request
    return _unauthorized(BAD_TOKEN, 'Bearer error="invalid_token"' if bearer else MISSING_SCHEME)


def _check_role(kind: str):
    need = needed(request.endpoint, request.method)
    if allows(g.role, need):
        return None
    if g.actor.startswith("token:"):
        if need == WRITER:
            return _forbidden("This token may only read: it cannot change anything. Ask for a write token.")
        return _forbidden("Only an admin token may do this (teams and other settings). Ask an admin for one.")
    what = "change tickets" if need == WRITER else "manage agents, tokens and teams"
    message = f"Your role ({g.role}) cannot {what}."
    if kind == CLIENT:
        return _forbidden(message)
    abort(403, description=message)


def _forbidden(detail: str):
    response = jsonify({"detail": detail})
    response.status_code = 403
    return response


def _unauthorized(body: dict, challenge: str):
    response = jsonify(body)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = challenge
    return response
