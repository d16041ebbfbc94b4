"""Automatic assignment: a ticket that joins a team with no assignee (filed from any channel, routed, or
moved by hand) gets one of the team's present agents, as the team's mode says.

- `manual`: nobody; the team's agents take tickets themselves.
- `round_robin`: the next present member after the last one given a ticket, in a stable order (by id).
- `least_open`: the present member with the fewest open and in-progress tickets (ties: the stable order).

Several workers and hosts file tickets at once, so each decision is made under the team's row lock, taken by
an UPDATE before anything is read: on PostgreSQL that locks the team's row until the ticket's transaction
commits (the next decision then reads what this one wrote); on SQLite the first write takes the database's
write lock, with the same effect. No decision is ever made from a stale pointer or stale counts."""
import sqlalchemy as sa

from ..extensions import db
from ..models import WORKING, Team, TeamMember, Ticket, User


def choose_assignee(team_id: int) -> int | None:
    """The id of the agent `team_id`'s next ticket goes to, or None (manual, or nobody present). Call it in
    the transaction that writes the ticket: the team stays locked until that transaction ends."""
    locked = db.session.execute(sa.update(Team).where(Team.id == team_id)
                                .values(last_assignee_id=Team.last_assignee_id)
                                .returning(Team.assignment, Team.last_assignee_id)
                                .execution_options(synchronize_session=False)).first()
    if locked is None or locked.assignment == "manual":
        return None
    present = list(db.session.scalars(
        sa.select(User.id).join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team_id, User.active, ~User.away, User.role != "viewer").order_by(User.id)))
    if not present:
        return None
    if locked.assignment == "round_robin":
        chosen = next((user for user in present if locked.last_assignee_id is None or user > locked.last_assignee_id),
                      present[0])
    else:
        load = dict(db.session.execute(
            sa.select(Ticket.assignee_id, sa.func.count()).where(Ticket.assignee_id.in_(present),
                                                                 Ticket.status.in_(WORKING))
            .group_by(Ticket.assignee_id)).all())
        chosen = min(present, key=lambda user: (load.get(user, 0), user))
    db.session.execute(sa.update(Team).where(Team.id == team_id).values(last_assignee_id=chosen)
                       .execution_options(synchronize_session=False))
    return chosen
