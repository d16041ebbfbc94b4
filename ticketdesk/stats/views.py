"""The stats dashboard: the numbers as pictures first, drawn on the server so they show without JavaScript."""
from flask import render_template

from ..models import CATEGORIES, PRIORITIES, STATUSES
from ..ownership.panel import workload
from ..sla.compliance import WINDOWS, compliance
from ..sla.policies import all_policies
from ..triage import panel
from ..triage.training import last_training
from . import bp
from .queries import support_metrics, ticket_stats


def donut(breakdown: dict) -> list[dict]:
    """Segments of a ring whose circumference is 100: each with its share and where it starts."""
    total = sum(breakdown.values()) or 1
    segments, start = [], 0.0
    for name, count in breakdown.items():
        share = 100 * count / total
        segments.append({"name": name, "count": count, "share": share, "offset": 25 - start})
        start += share
    return segments


def bars(breakdown: dict) -> list[dict]:
    top = max(breakdown.values()) or 1
    return [{"name": name, "count": count, "width": 100 * count / top} for name, count in breakdown.items()]


@bp.get("/stats")
def dashboard():
    stats = ticket_stats()
    return render_template("stats.html", stats=stats, priority_bars=bars(stats["priority_breakdown"]),
                           category_ring=donut(stats["category_breakdown"]),
                           categories=CATEGORIES, priorities=PRIORITIES, statuses=STATUSES,
                           acceptance=panel.acceptance(), confusion=panel.confusion(), recent_days=panel.RECENT_DAYS,
                           support=support_metrics(), training=last_training(), workload=workload(),
                           sla=compliance(), sla_windows=WINDOWS, sla_policies=bool(all_policies()))
