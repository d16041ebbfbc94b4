"""Ownership: teams (their agents, how they assign, the addresses and categories routed to them), each
ticket's assignee and team, tags, and agents who are away. Beneath the capabilities that file and change
tickets (`tickets`, `mail_in`, `triage`), which ask it where a ticket goes and who takes it."""
import sqlalchemy as sa
from flask import Blueprint, Flask
from flask_login import current_user

from ..extensions import db

bp = Blueprint("ownership", __name__, cli_group=None)


def init_app(app: Flask) -> None:
    from . import api, cli, views  # noqa: F401  (routes, pages and commands attach themselves to bp)
    from .notifications import forget_after_rollback, mail_after_commit
    from .queues import QUEUES, queues_for
    from .views import KIND_NAMES

    for event, hook in (("after_commit", mail_after_commit), ("after_rollback", forget_after_rollback)):
        if not sa.event.contains(db.session, event, hook):  # once per process, however many apps
            sa.event.listen(db.session, event, hook)

    app.register_blueprint(bp)
    app.cli.add_command(cli.teams)

    @app.context_processor
    def queue_links():
        """Every page's queue links; their counts come from /api/views/ (a live part, filled by app.js). The
        page that says the database is down still shows the built-in ones."""
        try:
            links = queues_for(current_user.id if current_user.is_authenticated else None)
        except sa.exc.DBAPIError:
            db.session.rollback()
            links = list(QUEUES)
        return {"queue_links": links, "notification_kinds": KIND_NAMES}
    app.cli.add_command(cli.tags)
