"""TicketDesk: a support ticket desk with AI triage."""
import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_settings

from . import (admin, auth, banner, classify, conversations, headers, health, jobs, mail, openapi, request_log, stats,
               templating, tickets, triage)
from .errors import register_error_handlers
from .extensions import configure_engine, cors, csrf, db, limiter, migrate
from .auto_migrate import MIGRATIONS, upgrade_if_behind


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app for `TICKETDESK_ENV` (or `test_config["TICKETDESK_ENV"]`), `test_config` overriding."""
    app = Flask(__name__)
    app.config.from_mapping(load_settings(test_config))
    app.json.sort_keys = False
    if hops := app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _configure_logging(app.config["LOG_LEVEL"])

    db.init_app(app)
    configure_engine(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    if app.config["AUTO_MIGRATE"]:
        upgrade_if_behind(app)
    if app.config["CORS_ALLOWED_ORIGINS"]:
        cors.init_app(app, resources={r"/api/*": {"origins": app.config["CORS_ALLOWED_ORIGINS"]}})
    auth.init_app(app)  # first: the access gate runs before CSRF checks and rate limits
    csrf.init_app(app)
    limiter.init_app(app)
    request_log.init_app(app)
    headers.init_app(app)
    templating.init_app(app)
    register_error_handlers(app)
    health.init_app(app)

    tickets.init_app(app)
    mail.init_app(app)
    jobs.init_app(app)  # after the packages whose jobs it registers
    stats.init_app(app)
    classify.init_app(app)
    triage.init_app(app)
    conversations.init_app(app)
    openapi.init_app(app)
    admin.init_app(app)
    banner.init_app(app)  # last: it marks the commands every blueprint has added
    return app


def _configure_logging(level: str) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # alembic says which database dialect it found whenever the revision is read (every start, every
    # command): noise outside `flask db`, which turns it back on (banner.py)
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))
