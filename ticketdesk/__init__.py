"""TicketDesk: a support ticket desk with AI triage.

Importing the package imports no capability: `create_app` does, so a process that needs one module (the
child that reads a mail, a script) starts without loading every slice."""
import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_settings


def checked_settings(overrides: dict | None = None) -> dict:
    """The settings, checked: a value that cannot work raises RuntimeError saying what to change. The
    config package checks its own; each capability checks what its settings mean (mail's URLs), so the
    app factory and the gunicorn master refuse the same things."""
    from .mail_in.settings import check as check_mail_in
    from .mail_out.settings import check as check_mail_out
    settings = load_settings(overrides)
    check_mail_out(settings)
    check_mail_in(settings)
    return settings


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app for `TICKETDESK_ENV` (or `test_config["TICKETDESK_ENV"]`), `test_config` overriding."""
    from . import (
        admin,
        auth,
        banner,
        conversations,
        headers,
        health,
        jobs,
        mail_in,
        mail_out,
        openapi,
        ownership,
        request_log,
        routing,
        sla,
        stats,
        templating,
        tickets,
        triage,
    )
    from .auto_migrate import MIGRATIONS, upgrade_if_behind
    from .errors import register_error_handlers
    from .extensions import configure_engine, cors, csrf, db, init_limiter, migrate

    app = Flask(__name__)
    app.config.from_mapping(checked_settings(test_config))
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
    routing.init_app(app)  # before any blueprint: every route's ids use its `<id:...>` converter
    auth.init_app(app)  # the access gate runs before CSRF checks and rate limits
    csrf.init_app(app)
    init_limiter(app)
    request_log.init_app(app)
    headers.init_app(app)
    templating.init_app(app)
    register_error_handlers(app)
    health.init_app(app)

    ownership.init_app(app)
    sla.init_app(app)
    tickets.init_app(app)
    mail_out.init_app(app)
    triage.init_app(app)
    conversations.init_app(app)
    mail_in.init_app(app)  # after mail out, whose `flask mail` group its commands join
    jobs.init_app(app)  # after the packages whose jobs it registers
    stats.init_app(app)
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
