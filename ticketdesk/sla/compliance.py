"""How often the desk keeps its promises: the share of SLA targets met over the last 7 and 30 days, overall,
per policy and per team (sla_outcomes, one query over its `decided_at` index), and the work at risk right
now (the Overdue and Due soon queues' counts)."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import SlaOutcome, SlaPolicy, Team, Ticket, utcnow
from ..record.queries import sla_condition

WINDOWS = (7, 30)  # days
NO_POLICY = "(a deleted policy)"
NO_TEAM = "(no team)"


@dataclass
class Share:
    """Targets met of those decided in one window."""

    met: int = 0
    decided: int = 0

    @property
    def percent(self) -> float | None:
        return 100 * self.met / self.decided if self.decided else None


@dataclass
class Compliance:
    overall: dict[int, Share] = field(default_factory=lambda: {days: Share() for days in WINDOWS})
    policies: dict[str, dict[int, Share]] = field(default_factory=dict)
    teams: dict[str, dict[int, Share]] = field(default_factory=dict)
    overdue: int = 0
    due_within_hour: int = 0


def compliance(now: datetime | None = None) -> Compliance:
    now = now or utcnow()
    since = {days: now - timedelta(days=days) for days in WINDOWS}
    in_window = {days: SlaOutcome.decided_at >= since[days] for days in WINDOWS}
    sums = [sa.func.sum(sa.case((sa.and_(in_window[days], *met), 1), else_=0))
            for days in WINDOWS for met in ((SlaOutcome.met,), ())]
    rows = db.session.execute(sa.select(SlaOutcome.policy_id, SlaOutcome.team_id, *sums)
                              .where(in_window[max(WINDOWS)])
                              .group_by(SlaOutcome.policy_id, SlaOutcome.team_id)).all()
    policies = _names(SlaPolicy, {row[0] for row in rows})
    teams = _names(Team, {row[1] for row in rows})
    result = Compliance()
    for policy_id, team_id, *figures in rows:
        shares = [result.overall, result.policies.setdefault(policies.get(policy_id, NO_POLICY), {}),
                  result.teams.setdefault(teams.get(team_id, NO_TEAM), {})]
        for i, days in enumerate(WINDOWS):
            met, decided = int(figures[2 * i] or 0), int(figures[2 * i + 1] or 0)
            for share in shares:
                into = share.setdefault(days, Share())
                into.met += met
                into.decided += decided
    result.policies, result.teams = dict(sorted(result.policies.items())), dict(sorted(result.teams.items()))
    result.overdue, result.due_within_hour = (
        db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(sla_condition(word)))
        for word in ("overdue", "due_within_60"))
    return result


def _names(model, ids: set) -> dict[int, str]:
    ids.discard(None)
    return dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}
