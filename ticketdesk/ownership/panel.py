"""The dashboard's workload panel: open and in-progress tickets per team and per assignee, and how many
nobody owns. Read through the partial indexes of open work (ix_tickets_team_working,
ix_tickets_assignee_working), never the closed history."""
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import WORKING, Team, Ticket, User


@dataclass
class Workload:
    teams: list[tuple[str, int]]  # (team, its open tickets), most first; teams with none included
    agents: list[tuple[str, int]]  # (the agent's name or email, their open tickets), most first
    unassigned: int


def workload() -> Workload:
    working = Ticket.status.in_(WORKING)
    per_team = dict(db.session.execute(sa.select(Ticket.team_id, sa.func.count()).where(
        working, Ticket.team_id.is_not(None)).group_by(Ticket.team_id)).all())
    teams = sorted(((team.name, per_team.get(team.id, 0)) for team in db.session.scalars(sa.select(Team))),
                   key=lambda row: (-row[1], row[0]))
    agents = db.session.execute(
        sa.select(sa.func.coalesce(User.name, User.email), sa.func.count()).select_from(Ticket)
        .join(User, User.id == Ticket.assignee_id)
        .where(working).group_by(User.id, User.name, User.email).order_by(sa.func.count().desc(), User.email)).all()
    unassigned = db.session.scalar(sa.select(sa.func.count()).where(working, Ticket.assignee_id.is_(None)))
    return Workload(teams=teams, agents=[tuple(row) for row in agents], unassigned=unassigned)
