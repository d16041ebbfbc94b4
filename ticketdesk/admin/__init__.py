"""Administration in the browser, for admins: agents (create, role, deactivate, reset a password), tokens
(create, revoke), the record of every such change, and recent sign-ins."""
from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")



def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (routes attach themselves to bp; importing the package runs no view)
    app.register_blueprint(bp)
