"""The SLA settings page (`/admin/sla`, admins): calendars of business hours and policies, each made, changed
and deleted through the functions and schemas the API uses (a form refuses what the API refuses, by field,
and keeps what was typed), and "Recalculate open tickets". Works without JavaScript."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..extensions import db
from ..models import (
    CALENDAR_NAME_MAX,
    CATEGORIES,
    POLICY_NAME_MAX,
    PRIORITIES,
    SLA_TARGETS,
    BusinessHours,
    SlaPolicy,
    Team,
)
from ..ownership.refusals import Refused
from ..schemas import whole_number
from . import bp
from .calendars import all_calendars, delete_calendar, hours_said, save_calendar, week_of
from .policies import all_policies, delete_policy, policy_json, save_policy
from .recalculate import start
from .schemas import business_hours_schema, sla_policy_schema, zones

NEW_CALENDAR = {"name": "", "timezone": "UTC", "hours": "mon-fri 09:00-17:00", "holidays": ""}
NEW_POLICY = {"name": "", "position": "", "priority": [], "category": [], "team": [], "tag": "",
              "requester_domain": "", "business_hours": "", **{f"{t}_minutes": "" for t in SLA_TARGETS}}


def _page(status: int = 200, errors: list[str] = (), calendar: dict | None = None, policy: dict | None = None):
    calendars = all_calendars()
    edited_calendar = whole_number(request.args.get("calendar"))
    edited_policy = whole_number(request.args.get("policy"))
    if calendar is None:
        row = db.session.get(BusinessHours, edited_calendar) if edited_calendar else None
        calendar = _calendar_form(row) if row else dict(NEW_CALENDAR, id=None)
    if policy is None:
        row = db.session.get(SlaPolicy, edited_policy) if edited_policy else None
        policy = _policy_form(row) if row else dict(NEW_POLICY, id=None)
    return render_template(
        "admin/sla.html", errors=errors, calendars=[(row, hours_said(row.week)) for row in calendars],
        policies=[policy_json(p) for p in all_policies()], calendar=calendar, policy=policy, zones=sorted(zones()),
        teams=[team.name for team in db.session.query(Team).order_by(Team.name)], priorities=PRIORITIES,
        categories=CATEGORIES, targets=SLA_TARGETS, calendar_name_max=CALENDAR_NAME_MAX,
        policy_name_max=POLICY_NAME_MAX), status


def _calendar_form(row: BusinessHours) -> dict:
    return {"id": row.id, "name": row.name, "timezone": row.timezone,
            "hours": "\n".join(f"{day} {' '.join(f'{a}-{b}' for a, b in spans)}" for day, spans in row.week.items()
                               if spans),
            "holidays": "\n".join(f"{h['date']} {h['name'] or ''}".strip() for h in row.holidays)}


def _policy_form(row: SlaPolicy) -> dict:
    shown = policy_json(row)
    return {**shown, "position": str(row.position), **{key: shown["match"].get(key, []) for key in
                                                        ("priority", "category", "team")},
            "tag": ", ".join(shown["match"].get("tag", [])),
            "requester_domain": ", ".join(shown["match"].get("requester_domain", [])),
            "business_hours": shown["business_hours"] or "",
            **{f"{t}_minutes": str(shown[f"{t}_minutes"] or "") for t in SLA_TARGETS}}


def _said(errors, at: str = "") -> list[str]:
    """A schema's nested messages as lines such as `week.mon.0: An interval is …`."""
    if isinstance(errors, dict):
        return [line for key, inner in errors.items() for line in _said(inner, f"{at}.{key}" if at else str(key))]
    if isinstance(errors, list):
        return [line for item in errors for line in _said(item, at)]
    return [f"{at}: {errors}" if at else str(errors)]


def _saved(save, schema, row, data: dict, what: str, kept: dict):
    """Save `data` through `schema` and `save` as the signed-in admin and go back to the page; or show the
    page again, 400 (409 for a name in use), with what was refused and what was typed."""
    try:
        made = save(current_user.email, row, schema.load(data))
    except ValidationError as e:
        db.session.rollback()
        return _page(400, _said(e.normalized_messages()), **kept)
    except Refused as e:
        db.session.rollback()
        return _page(e.status, [f"{e.field}: {e}"], **kept)
    db.session.commit()
    flash(f"{what} {made.name} saved. Open tickets keep their due times until you recalculate them.", "success")
    return redirect(url_for("sla.settings"))


@bp.get("/admin/sla")
def settings():
    return _page()


@bp.post("/admin/sla/calendars", defaults={"calendar_id": None})
@bp.post("/admin/sla/calendars/<id:calendar_id>")
def save_calendar_page(calendar_id: int | None):
    row = db.get_or_404(BusinessHours, calendar_id) if calendar_id else None
    form = {key: request.form.get(key, "") for key in NEW_CALENDAR}
    kept = {"calendar": dict(form, id=calendar_id)}
    try:
        week = week_of(form["hours"].splitlines())
    except ValueError as e:
        return _page(400, [f"week: {e}"], **kept)
    holidays = [{"date": date, "name": name.strip() or None}
                for date, _, name in (line.strip().partition(" ") for line in form["holidays"].splitlines())
                if date]
    data = {"name": form["name"], "timezone": form["timezone"].strip(), "week": week, "holidays": holidays}
    return _saved(save_calendar, business_hours_schema, row, data, "Business hours", kept)


@bp.post("/admin/sla/calendars/<id:calendar_id>/delete")
def delete_calendar_page(calendar_id: int):
    row = db.get_or_404(BusinessHours, calendar_id)
    try:
        delete_calendar(current_user.email, row)
    except Refused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("sla.settings"))
    db.session.commit()
    flash(f"Business hours {row.name} deleted.", "success")
    return redirect(url_for("sla.settings"))


@bp.post("/admin/sla/policies", defaults={"policy_id": None})
@bp.post("/admin/sla/policies/<id:policy_id>")
def save_policy_page(policy_id: int | None):
    row = db.get_or_404(SlaPolicy, policy_id) if policy_id else None
    form = {key: request.form.getlist(key) if isinstance(NEW_POLICY[key], list) else request.form.get(key, "")
            for key in NEW_POLICY}
    split = lambda text: [part.strip() for part in text.split(",") if part.strip()]  # noqa: E731
    match = {"priority": form["priority"], "category": form["category"], "team": form["team"],
             "tag": split(form["tag"]), "requester_domain": split(form["requester_domain"])}
    data = {"name": form["name"], "match": {key: values for key, values in match.items() if values},
            "business_hours": form["business_hours"] or None,
            **{f"{t}_minutes": form[f"{t}_minutes"].strip() or None for t in SLA_TARGETS}}
    if form["position"].strip():
        data["position"] = form["position"].strip()
    return _saved(save_policy, sla_policy_schema, row, data, "SLA policy", {"policy": dict(form, id=policy_id)})


@bp.post("/admin/sla/policies/<id:policy_id>/delete")
def delete_policy_page(policy_id: int):
    row = db.get_or_404(SlaPolicy, policy_id)
    delete_policy(current_user.email, row)
    db.session.commit()
    flash(f"SLA policy {row.name} deleted. Its open tickets keep their due times until you recalculate them.",
          "success")
    return redirect(url_for("sla.settings"))


@bp.post("/admin/sla/recalculate")
def recalculate_page():
    if start(current_user.email):
        flash("Recalculating every open ticket's due times: the job engine works through them in batches.",
              "success")
    else:
        flash("The job queue cannot be reached: try again, or run `flask sla-policies recalculate` on a server.",
              "error")
    return redirect(url_for("sla.settings"))
