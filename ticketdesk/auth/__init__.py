"""Access: agents sign in to the pages, programs send bearer tokens, and every route has a rule.

`access.RULES` is the one table of who may call what; `access.gate` enforces it before anything else runs.
With `TICKETDESK_AUTH=off` every route is open and the pages say so in a banner."""
from flask import Blueprint, Flask, current_app, g, session
from flask_login import LoginManager, current_user

from ..models import User

bp = Blueprint("auth", __name__, cli_group=None)
login_manager = LoginManager()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The agent whose session this is, while it is open, unexpired and the agent active (sessions.py)."""
    return session_user(user_id, session.get("sid"))


def auth_required() -> bool:
    return current_app.config["TICKETDESK_AUTH"] == "required"


def current_actor() -> str | None:
    """Who is acting in this request, as the audit trail records it: an agent's email or `token:NAME`."""
    return g.get("actor")


def init_app(app: Flask) -> None:
    """Call before CSRF and the rate limiter are set up: the gate decides first, and the limiter's key
    is the identity the gate found."""
    login_manager.init_app(app)
    app.before_request(access.gate)
    app.register_blueprint(bp)
    app.cli.add_command(cli.users)
    app.cli.add_command(cli.tokens)

    @app.context_processor
    def access_control():
        def can(need: str) -> bool:
            """Whether the one viewing the page has at least the role `need` (links they could not use are hidden)."""
            if not auth_required():
                return True
            return current_user.is_authenticated and access.allows(current_user.role, need)
        return {"auth_off": not auth_required(), "can": can}


from . import access, api, cli, views  # noqa: E402,F401
from .sessions import session_user  # noqa: E402  (routes and commands attach themselves to bp)
