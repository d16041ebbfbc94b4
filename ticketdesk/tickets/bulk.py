"""One change for many tickets (`POST /api/tickets/bulk/`): the fields a queue is worked by and tags, checked
once, then written set-wise (one UPDATE for all but those a team assigns one by one), each ticket's change
in its audit trail and the counts kept exact by the same triggers as any change. An id that names no ticket
fails alone; the others are changed. No reply is ever sent in bulk."""
import sqlalchemy as sa

from ..extensions import db
from ..models import Ticket
from ..ownership import notifications
from ..ownership.assignment import choose_assignee
from ..ownership.changes import resolved
from ..ownership.tags import change_tags_of
from ..record.changes import change_tickets
from ..record.labels import LABELS, stamp

NO_TICKET = "No such ticket."


def change_many(ids: list[int], changes: dict, add_tags: list[str], remove_tags: list[str], actor: str | None,
                setter: str) -> tuple[list[int], list[dict]]:
    """The ids changed and the failures ({"id", "detail"}). Raises Refused (naming the field) before anything
    is written when the change itself cannot be made (an unknown agent, team or tag). The caller commits."""
    owners = {name: changes.pop(name) for name in ("assignee", "team") if name in changes}
    columns, tags = resolved({**owners, "add_tags": add_tags, "remove_tags": remove_tags})
    columns.update(changes, **stamp([name for name in LABELS if name in changes], setter, actor))
    ids = list(dict.fromkeys(ids))
    rows = db.session.execute(sa.select(Ticket.id, Ticket.team_id, Ticket.assignee_id).where(Ticket.id.in_(ids))).all()
    found = {row.id for row in rows}
    failed = [{"id": i, "detail": NO_TICKET} for i in ids if i not in found]
    targets = [i for i in ids if i in found]
    # a ticket moving into a team with nobody assigned gets the one the team chooses, decided one by one
    chosen: dict[int, list[int]] = {}
    if columns.get("team_id") is not None and "assignee" not in owners:
        for row in rows:
            if row.assignee_id is None and row.team_id != columns["team_id"]:
                if (agent := choose_assignee(columns["team_id"])) is not None:
                    chosen.setdefault(agent, []).append(row.id)
    by_team = {i for group in chosen.values() for i in group}
    tagged = change_tags_of(targets, tags["add_tags"], tags["remove_tags"], actor)
    newly = dict(chosen)  # whom to tell of what is now theirs: one notification each, however many tickets
    if columns.get("assignee_id") is not None:
        newly[columns["assignee_id"]] = [row.id for row in rows if row.assignee_id != columns["assignee_id"]]
    notifications.assigned(newly, actor)
    if columns:
        change_tickets(Ticket.id.in_([i for i in targets if i not in by_team]), columns, actor)
        for agent, group in chosen.items():
            change_tickets(Ticket.id.in_(group), {**columns, "assignee_id": agent}, actor)
        return targets, failed
    change_tickets(Ticket.id.in_(tagged), {}, actor)  # a change of tags alone is a new version
    return [i for i in targets if i in tagged], failed
