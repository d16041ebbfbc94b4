"""The admin page and its forms. Each form posts, changes one thing through auth.manage (which records it),
and comes back to the page; a password or token made here is shown once, on the page that answers the
form, and never stored in the session or a flash message."""
from datetime import timedelta

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound

from ..auth import auth_required, manage
from ..extensions import db
from ..models import (
    ROLES,
    SCOPES,
    AdminEvent,
    ApiToken,
    IncomingMail,
    SignInAttempt,
    User,
    utcnow,
)
from ..triage import exclusions
from ..triage.training import last_training
from . import bp

SHOWN = 50  # recent admin changes and sign-ins listed
EXPIRIES = {"": None, "30": 30, "90": 90, "365": 365}  # days a new token may live


def page(status: int = 200, **shown_once):
    quarantined = db.session.scalar(sa.select(sa.func.count()).where(IncomingMail.outcome == "quarantined"))
    if not auth_required():
        return render_template("admin/index.html", auth_off=True, quarantined=quarantined)
    last_sign_in = (sa.select(SignInAttempt.email, sa.func.max(SignInAttempt.at).label("at"))
                    .where(SignInAttempt.succeeded).group_by(SignInAttempt.email).subquery())
    agents = db.session.execute(sa.select(User, last_sign_in.c.at).outerjoin(
        last_sign_in, last_sign_in.c.email == User.email).order_by(User.email)).all()
    return render_template(
        "admin/index.html", quarantined=quarantined, agents=agents, roles=ROLES, scopes=SCOPES, expiries=EXPIRIES, now=utcnow(),
        tokens=db.session.scalars(sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.name)).all(),
        events=db.session.scalars(sa.select(AdminEvent).order_by(AdminEvent.id.desc()).limit(SHOWN)).all(),
        sign_ins=db.session.scalars(sa.select(SignInAttempt).order_by(SignInAttempt.id.desc()).limit(SHOWN)).all(),
        labellers=exclusions.labellers(), excluded={e.actor: e for e in exclusions.excluded()}, training=last_training(),
        **shown_once), status


def attempt(change, *args, shown_once=None, said=None):
    """Make one change as the signed-in admin. A refusal comes back to the page as a message; otherwise
    the page shows what the change returned (`shown_once` names it: a password or a token, never put in
    the session), or says `said` (a function of nothing, read after the change)."""
    try:
        result = change(current_user.email, *args)
    except manage.Refused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("admin.index"))
    if shown_once:
        return page(**shown_once(result))
    flash(said(), "success")
    return redirect(url_for("admin.index"))


def agent_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such agent.")
    return user


@bp.get("/")
def index():
    return page()


@bp.post("/agents")
def create_agent():
    email = request.form.get("email", "")
    return attempt(manage.create_agent, email, request.form.get("role", "agent"),
                   shown_once=lambda password: {"created_agent": email.strip().lower(), "temporary_password": password})


@bp.post("/agents/<int:user_id>/role")
def set_role(user_id: int):
    user = agent_or_404(user_id)
    return attempt(manage.set_role, user, request.form.get("role", ""), said=lambda: f"{user.email} is now {user.role}.")


@bp.post("/agents/<int:user_id>/active")
def set_active(user_id: int):
    user, active = agent_or_404(user_id), request.form.get("active") == "1"
    return attempt(manage.set_active, user, active, said=lambda: f"{user.email} " + (
        "may sign in again." if active else "is deactivated and signed out everywhere."))


@bp.post("/agents/<int:user_id>/password")
def reset_password(user_id: int):
    user = agent_or_404(user_id)
    return attempt(manage.set_password, user,
                   shown_once=lambda password: {"reset_agent": user.email, "temporary_password": password})


@bp.post("/tokens")
def create_token():
    days = EXPIRIES.get(request.form.get("expires", ""))
    name = request.form.get("name", "")
    return attempt(manage.new_token, name, request.form.get("scope", "write"),
                   utcnow() + timedelta(days=days) if days else None,
                   shown_once=lambda token: {"created_token": name.strip(), "token": token})


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    name = token.name if token else ""
    return attempt(manage.end_token, name, said=lambda: f"Token {name} revoked: it opens nothing from now on.")


@bp.post("/training/exclusions")
def exclude_labels():
    """Leave one actor's labels out of the learned classifier's training (from the next training on)."""
    actor = request.form.get("actor", "").strip()
    if not actor:
        flash("Name the actor whose labels to leave out.", "error")
    elif exclusions.exclude(actor, by=current_user.email):
        flash(f"{actor}'s labels are left out of training from the next training on.", "success")
    else:
        flash(f"{actor}'s labels were already left out.", "success")
    return redirect(url_for("admin.index") + "#training-heading")


@bp.post("/training/exclusions/include")
def include_labels():
    actor = request.form.get("actor", "").strip()
    if exclusions.include(actor):
        flash(f"{actor}'s labels teach the classifier again from the next training on.", "success")
    else:
        flash(f"{actor}'s labels were not left out.", "error")
    return redirect(url_for("admin.index") + "#training-heading")
