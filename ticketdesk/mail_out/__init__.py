"""Mail out: replies leave the desk as email, composed here (outgoing.py), delivered by the job worker over
SMTP (delivery.py, smtp.py), retried and swept up. Beneath the conversations that post replies; it knows
nothing of mail coming in. `flask mail test` is its command (the `mail` group, which mail in joins)."""
from flask import Blueprint, Flask

bp = Blueprint("mail_out", __name__, cli_group="mail")


def configured(config) -> bool:
    return bool(config.get("SMTP_URL"))


def init_app(app: Flask) -> None:
    from . import cli, delivery  # noqa: F401  (the command attaches to bp; the delivery jobs register)
    app.register_blueprint(bp)
