"""Ownership on the pages: an agent's notifications, on their account page whether they are away and which
notifications come by mail, and saving the ticket list's filters as a view."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..extensions import db
from ..models import NOTIFICATION_KINDS, Notification, SavedView, User
from . import bp
from .api import mark_read
from .refusals import Refused
from .saved_views import may_change, save_view
from .schemas import ViewFiltersSchema, saved_view_schema

SHOWN = 100
KIND_NAMES = {"assigned": "A ticket is assigned to me", "answered": "A customer answers my ticket (or my team's, "
              "while nobody owns it)", "mentioned": "Someone mentions me in a note",
              "new_ticket": "A new ticket arrives in one of my teams",
              "sla": "A ticket of mine (or my team's, while nobody owns it) is about to break its SLA, or broke it"}


@bp.post("/account/away")
def set_away():
    """Away: automatic assignment passes the agent by until they are back."""
    if current_user.is_authenticated:
        db.session.get(User, current_user.id).away = request.form.get("away") == "1"
        db.session.commit()
        flash("You are away: your teams give new tickets to others." if request.form.get("away") == "1"
              else "Welcome back: your teams may give you new tickets.", "success")
    return redirect(url_for("auth.account"))


@bp.get("/notifications")
def notifications():
    """The signed-in agent's newest notifications, unread first marked."""
    shown = db.session.scalars(sa.select(Notification).where(Notification.user_id == current_user.id)
                               .order_by(Notification.id.desc()).limit(SHOWN)).all() if current_user.is_authenticated else []
    return render_template("notifications.html", notifications=shown)


@bp.post("/notifications/read")
def read_all():
    if current_user.is_authenticated:
        mark_read(current_user.id)
        db.session.commit()
        flash("Every notification is marked read.", "success")
    return redirect(url_for("ownership.notifications"))


@bp.post("/account/notifications")
def notification_settings():
    """Which kinds come by mail, and whether new tickets in the agent's teams are worth telling at all."""
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        user.mail_notifications = ",".join(k for k in NOTIFICATION_KINDS if request.form.get(f"mail_{k}"))
        user.new_ticket_alerts = bool(request.form.get("new_ticket_alerts"))
        db.session.commit()
        flash("Notification settings saved.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/views")
def save_view_page():
    """"Save as a view" under the ticket list: its filters (`filter_<name>`, `filter_tag` repeated) and order
    under a name, the agent's own or, from an admin who ticks it, shared with the desk."""
    form = request.form
    filters = {name: form.getlist(f"filter_{name}") if name == "tag" else form.get(f"filter_{name}", "").strip()
               for name in ViewFiltersSchema().fields}
    shared = form.get("shared") == "1"
    asked = {"name": form.get("name", ""), "filters": {k: v for k, v in filters.items() if v}, "shared": shared}
    try:
        data = saved_view_schema.load(asked | ({"ordering": form["ordering"]} if form.get("ordering") else {}))
    except ValidationError as e:
        said = e.normalized_messages()
        flash("Give the view a name (60 characters at most)." if "name" in said
              else "Those filters cannot be kept as a view.", "error")
        return redirect(url_for("tickets.index", **{k: v for k, v in filters.items() if v and k != "tag"}))
    if shared and current_user.role != "admin":
        flash("Only an admin shares a view with the desk; it was not saved.", "error")
        return redirect(url_for("tickets.index"))
    try:
        view = save_view(None, data, None if shared else current_user.id, current_user.email)
    except Refused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("tickets.index"))
    db.session.commit()
    flash(f"View “{view.name}” saved{' and shared with the desk' if shared else ''}.", "success")
    return redirect(url_for("tickets.index", view=view.id))


@bp.post("/views/<id:view_id>/delete")
def delete_view_page(view_id: int):
    view = db.session.get(SavedView, view_id)
    if view is None or not may_change(view, current_user.id, current_user.role == "admin"):
        flash("That view is not yours to delete.", "error")
        return redirect(url_for("tickets.index"))
    db.session.delete(view)
    db.session.commit()
    flash(f"View “{view.name}” deleted.", "success")
    return redirect(url_for("tickets.index"))
