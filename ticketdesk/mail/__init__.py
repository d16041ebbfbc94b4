"""Mail: replies leave the desk as email, delivered by the job worker over SMTP (and, next, mail comes in)."""
from flask import Blueprint, Flask

bp = Blueprint("mail", __name__, cli_group="mail")


def configured(config) -> bool:
    return bool(config.get("SMTP_URL"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


from . import cli, delivery  # noqa: E402,F401  (commands attach themselves to bp; jobs register themselves)
