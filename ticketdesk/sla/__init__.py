"""Time: calendars of business hours, and next SLA policies and due times. Above `ownership` (whose
notifications warn of targets about to break) and beneath `triage`; `business_time` is pure arithmetic."""
import sqlalchemy as sa
from flask import Blueprint, Flask

from ..extensions import db

bp = Blueprint("sla", __name__, cli_group=None)


def init_app(app: Flask) -> None:
    from . import alerts, api, cli, recalculate, views  # noqa: F401  (routes, pages, commands and jobs attach themselves)
    from .badge import sla_badge
    from .clock import before_commit, forget_after_rollback

    for event, hook in (("before_commit", before_commit), ("after_rollback", forget_after_rollback)):
        if not sa.event.contains(db.session, event, hook):  # once per process, however many apps
            sa.event.listen(db.session, event, hook)

    app.add_template_global(sla_badge)
    app.register_blueprint(bp)
    app.cli.add_command(cli.business_hours)
    app.cli.add_command(cli.sla_policies)
