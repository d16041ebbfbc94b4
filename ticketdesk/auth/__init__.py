"""Access: agents sign in to the pages, programs send bearer tokens, and every route has a rule.

`access.RULES` is the one table of who may call what; `access.gate` enforces it before anything else runs.
With `TICKETDESK_AUTH=off` every route is open and the pages say so in a banner."""
from flask import Blueprint, Flask, current_app, g, request, session
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


def signed_in_agent() -> int | None:
    """The id of the agent whose session this request rides on: None for a token (which acts, whatever
    cookie rides along) or with access control off. A token has no "me": no own queue, view or setting."""
    if "Authorization" in request.headers:
        return None
    return current_user.id if current_user.is_authenticated else None


def current_setter() -> str:
    """Who sets a ticket's labels through this request, as record.labels.stamp records it: an agent (signed
    in to the pages) or an API client (a token)."""
    actor = current_actor()
    return "agent" if actor and not actor.startswith("token:") else "client"


def init_app(app: Flask) -> None:
    """Call before CSRF and the rate limiter are set up: the gate decides first, and the limiter's key
    is the identity the gate found."""
    from . import access, api, cli, views  # noqa: F401  (routes and commands attach themselves to bp)
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


from .sessions import session_user  # noqa: E402  (sessions.py needs nothing from here but the models)
