"""Sign-in and sign-out for agents."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import InputRequired

from ..extensions import db, limiter
from ..models import User
from . import bp
from .passwords import dummy_hash

WRONG = "That email and password do not match an active account."


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


def _failed(response) -> bool:
    return response.status_code != 302


def _email() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed,
               error_message="Too many failed sign-ins from this address. Wait a minute, then try again.")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed, key_func=_email,
               error_message="Too many failed sign-ins for this account. Wait a minute, then try again.")
def login():
    form = SignInForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method in ("GET", "HEAD"):
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(db.select(User).where(User.email == email)).first()
        # the same work whether or not the account exists, so timing does not tell
        matches = check_password_hash(user.password_hash if user else dummy_hash(), form.password.data)
        if user is not None and user.active and matches:
            session.clear()  # a new session: nothing set before sign-in (by anyone) carries over
            login_user(user)
            return redirect(safe_next(form.next.data))
        form.password.errors = [WRONG]
    return render_template("auth/login.html", form=form), 200 if request.method in ("GET", "HEAD") else 400


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
