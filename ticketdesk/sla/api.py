"""Calendars of business hours and SLA policies in the JSON API: `/api/business-hours/`, `/api/sla-policies/`.
Read by anyone who reads tickets, changed by admins (a session or an `admin` token), like teams."""
from flask import jsonify

from ..api import api_route, get_or_404, json_body
from ..auth import current_actor
from ..errors import ApiError
from ..extensions import db
from ..models import BusinessHours, SlaPolicy
from ..ownership.refusals import Refused
from ..schemas import load_or_400
from . import bp
from .calendars import all_calendars, calendar_json, delete_calendar, save_calendar
from .policies import all_policies, delete_policy, policy_json, save_policy
from .recalculate import start
from .schemas import (
    business_hours_patch_schema,
    business_hours_schema,
    sla_policy_patch_schema,
    sla_policy_schema,
)

NO_CALENDAR = "No such business hours."
NO_POLICY = "No such SLA policy."


def _done(operation, *args):
    """`operation` with the caller as actor, committed; a refusal is the API's answer naming the field."""
    try:
        result = operation(current_actor() or "api", *args)
    except Refused as e:
        db.session.rollback()
        raise ApiError(e.status, {e.field: [str(e)]}) from None
    db.session.commit()
    return result


@api_route(bp, "/api/business-hours/", methods=["GET"])
def list_business_hours():
    return jsonify([calendar_json(row) for row in all_calendars()])


@api_route(bp, "/api/business-hours/", methods=["POST"])
def create_business_hours():
    row = _done(save_calendar, None, load_or_400(business_hours_schema, json_body()))
    return jsonify(calendar_json(row)), 201


@api_route(bp, "/api/business-hours/<id:calendar_id>/", methods=["GET"])
def get_business_hours(calendar_id: int):
    return jsonify(calendar_json(get_or_404(BusinessHours, calendar_id, NO_CALENDAR)))


@api_route(bp, "/api/business-hours/<id:calendar_id>/", methods=["PATCH"])
def update_business_hours(calendar_id: int):
    row = get_or_404(BusinessHours, calendar_id, NO_CALENDAR)
    return jsonify(calendar_json(_done(save_calendar, row, load_or_400(business_hours_patch_schema, json_body()))))


@api_route(bp, "/api/business-hours/<id:calendar_id>/", methods=["DELETE"])
def remove_business_hours(calendar_id: int):
    _done(delete_calendar, get_or_404(BusinessHours, calendar_id, NO_CALENDAR))
    return "", 204


@api_route(bp, "/api/sla-policies/", methods=["GET"])
def list_sla_policies():
    return jsonify([policy_json(policy) for policy in all_policies()])


@api_route(bp, "/api/sla-policies/", methods=["POST"])
def create_sla_policy():
    policy = _done(save_policy, None, load_or_400(sla_policy_schema, json_body()))
    return jsonify(policy_json(policy)), 201


@api_route(bp, "/api/sla-policies/<id:policy_id>/", methods=["GET"])
def get_sla_policy(policy_id: int):
    return jsonify(policy_json(get_or_404(SlaPolicy, policy_id, NO_POLICY)))


@api_route(bp, "/api/sla-policies/<id:policy_id>/", methods=["PATCH"])
def update_sla_policy(policy_id: int):
    policy = get_or_404(SlaPolicy, policy_id, NO_POLICY)
    return jsonify(policy_json(_done(save_policy, policy, load_or_400(sla_policy_patch_schema, json_body()))))


@api_route(bp, "/api/sla-policies/<id:policy_id>/", methods=["DELETE"])
def remove_sla_policy(policy_id: int):
    _done(delete_policy, get_or_404(SlaPolicy, policy_id, NO_POLICY))
    return "", 204


@api_route(bp, "/api/sla-policies/recalculate/", methods=["POST"])
def recalculate_open_tickets():
    """Every open ticket onto the policies and calendars as they are now, in the job engine (202)."""
    if not start(current_actor() or "api"):
        raise ApiError(503, {"detail": "The job queue cannot be reached: try again, or run "
                                       "`flask sla-policies recalculate` on a server."})
    return jsonify({"queued": True}), 202
