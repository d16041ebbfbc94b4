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
from ..models import ROLES, SCOPES, AdminEvent, ApiToken, SignInAttempt, User, utcnow
from . import bp

SHOWN = 50  # recent admin changes and sign-ins listed
EXPIRIES = {"": None, "30": 30, "90": 90, "365": 365}  # days a new token may live


def page(status: int = 200, **shown_once):
    if not auth_required():
        return render_template("admin/index.html", auth_off=True)
    last_sign_in = (sa.select(SignInAttempt.email, sa.func.max(SignInAttempt.at).label("at"))
                    .where(SignInAttempt.succeeded).group_by(SignInAttempt.email).subquery())
    agents = db.session.execute(sa.select(User, last_sign_in.c.at).outerjoin(
        last_sign_in, last_sign_in.c.email == User.email).order_by(User.email)).all()
    return render_template(
        "admin/index.html", agents=agents, roles=ROLES, scopes=SCOPES, expiries=EXPIRIES, now=utcnow(),
        tokens=db.session.scalars(sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.name)).all(),
        events=db.session.scalars(sa.select(AdminEvent).order_by(AdminEvent.id.desc()).limit(SHOWN)).all(),
        sign_ins=db.session.scalars(sa.select(SignInAttempt).order_by(SignInAttempt.id.desc()).limit(SHOWN)).all(),
        **shown_once), status


def done(message: str):
    flash(message, "success")
    return redirect(url_for("admin.index"))


def refused(e: manage.Refused):
    db.session.rollback()
    flash(str(e), "error")
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
    email, role = request.form.get("email", ""), request.form.get("role", "agent")
    try:
        temporary = manage.create_agent(current_user.email, email, role)
    except manage.Refused as e:
        return refused(e)
    return page(created_agent=email.strip().lower(), temporary_password=temporary)


@bp.post("/agents/<int:user_id>/role")
def set_role(user_id: int):
    user = agent_or_404(user_id)
    try:
        manage.set_role(current_user.email, user, request.form.get("role", ""))
    except manage.Refused as e:
        return refused(e)
    return done(f"{user.email} is now {user.role}.")


@bp.post("/agents/<int:user_id>/active")
def set_active(user_id: int):
    user = agent_or_404(user_id)
    active = request.form.get("active") == "1"
    try:
        manage.set_active(current_user.email, user, active)
    except manage.Refused as e:
        return refused(e)
    return done(f"{user.email} {'may sign in again' if active else 'is deactivated and signed out everywhere'}.")


@bp.post("/agents/<int:user_id>/password")
def reset_password(user_id: int):
    user = agent_or_404(user_id)
    temporary = manage.set_password(current_user.email, user)
    return page(reset_agent=user.email, temporary_password=temporary)


@bp.post("/tokens")
def create_token():
    days = EXPIRIES.get(request.form.get("expires", ""), None)
    expires_at = utcnow() + timedelta(days=days) if days else None
    name = request.form.get("name", "")
    try:
        token = manage.new_token(current_user.email, name, request.form.get("scope", "write"), expires_at)
    except manage.Refused as e:
        return refused(e)
    return page(created_token=name.strip(), token=token)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    try:
        manage.end_token(current_user.email, token.name if token else "")
    except manage.Refused as e:
        return refused(e)
    return done(f"Token {token.name} revoked: it opens nothing from now on.")
