"""Mail: replies leave the desk as email, delivered by the job worker over SMTP; mail to the support address
comes in by IMAP (fetched by the worker) or an MTA's pipe, and becomes tickets and messages."""
from flask import Blueprint, Flask

bp = Blueprint("mail", __name__, cli_group="mail")


def configured(config) -> bool:
    return bool(config.get("SMTP_URL"))


def init_app(app: Flask) -> None:
    # imported here, not above: the conversations package imports delivery from this package, and these
    # import the tickets package, which imports conversations
    from . import api, cli, delivery, imap, views  # noqa: F401  (routes and commands attach to bp; jobs register)
    app.register_blueprint(bp)
