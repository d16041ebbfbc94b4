"""Sign-in and sign-out for agents, and their account page."""
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import InputRequired

from ..extensions import db
from ..models import AgentSession, User, utcnow
from . import bp, throttle
from .manage import Refused, set_password
from .passwords import RULES, dummy_hash
from .sessions import digest, end_all_sessions, end_session, start_session

WRONG = "That email and password do not match an active account."


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[InputRequired()],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField("New password", validators=[InputRequired()], render_kw={"autocomplete": "new-password"})
    again = PasswordField("New password again", validators=[InputRequired()],
                          render_kw={"autocomplete": "new-password"})


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[InputRequired()], render_kw={"autocomplete": "current-password"})
    next = HiddenField()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another host (`//evil`, `https://…`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("tickets.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("tickets.index")
    return target


def begin_session(user: User) -> None:
    """A new session for this browser: nothing set before (by anyone) carries over, and the cookie lasts
    as long as the session may (SESSION_LIFETIME_HOURS)."""
    session.clear()
    session["sid"] = start_session(user.id)
    session.permanent = True
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = SignInForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method in ("GET", "HEAD"):
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        email, address = form.email.data.strip().lower(), request.remote_addr or "unknown"
        if wait := throttle.seconds_to_wait(email, address):
            form.password.errors = [f"Too many failed sign-ins. Try again in {wait} second{'s' if wait != 1 else ''}."]
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = db.session.scalars(db.select(User).where(User.email == email)).first()
        # the same work whether or not the account exists, so timing does not tell
        matches = check_password_hash(user.password_hash if user else dummy_hash(), form.password.data)
        signed_in = user is not None and user.active and matches
        throttle.record(email, address, signed_in)
        if signed_in:
            begin_session(user)
            return redirect(safe_next(form.next.data))
        form.password.errors = [WRONG]
    return render_template("auth/login.html", form=form), 200 if request.method in ("GET", "HEAD") else 400


@bp.post("/logout")
def logout():
    """Ends this session: the cookie, and any copy of it, opens nothing from now on."""
    end_session(session.get("sid"))
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
def logout_everywhere():
    """Ends every session of this agent, on every browser and device."""
    ended = end_all_sessions(current_user.id)
    logout_user()
    session.clear()
    flash(f"You have signed out everywhere ({ended} session{'s' if ended != 1 else ''} ended).", "success")
    return redirect(url_for("auth.login"))


@bp.get("/account")
def account():
    """Who is signed in, and where: the agent's open sessions, this one marked."""
    open_sessions = db.session.scalars(
        sa.select(AgentSession).where(AgentSession.user_id == current_user.id, AgentSession.ended_at.is_(None))
        .order_by(AgentSession.last_seen_at.desc())).all()
    return render_template("auth/account.html", sessions=open_sessions, now=utcnow(),
                           this=digest(session.get("sid") or ""))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """An agent chooses a new password: any time, and before anything else after an admin's reset. Every
    session of theirs ends; this browser gets a new one."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.current.data):
            form.current.errors = ["That is not your current password."]
        elif form.new.data != form.again.data:
            form.again.errors = ["The two new passwords differ: type the same one twice."]
        else:
            try:
                set_password(current_user.email, current_user, form.new.data)
            except Refused as e:
                form.new.errors = [str(e)]
            else:
                begin_session(current_user._get_current_object())
                flash("Password changed; every other session of yours has ended.", "success")
                return redirect(url_for("tickets.index"))
    return render_template("auth/password.html", form=form, rules=RULES)  # errors show by the fields
