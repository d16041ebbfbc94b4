"""A change to who owns tickets and how they are tagged, as the ticket API's PATCH, the ticket page and bulk
changes ask for it: validated whole before anything is written, then the team's automatic assignment, then
the tags."""
from ..extensions import db
from ..models import Ticket
from ..record.changes import change_ticket
from ..record.labels import LABELS, stamp
from . import notifications
from .assignment import choose_assignee
from .refusals import Refused
from .tags import change_tags, normalised, tags_of
from .teams import agent, team_named

FIELDS = ("assignee", "team", "tags", "add_tags", "remove_tags")


def resolved(data: dict) -> tuple[dict, dict[str, set[str]]]:
    """`data`'s `assignee` (an email or None) and `team` (a name or None) as column changes, and its tags
    (`tags`, the full new list; `add_tags`, `remove_tags`) normalised; raises Refused naming the field.
    Writes nothing."""
    columns = {}
    if "assignee" in data:
        columns["assignee_id"] = None if data["assignee"] is None else agent(data["assignee"], "assignee").id
    if "team" in data:
        columns["team_id"] = None if data["team"] is None else team_named(data["team"]).id
    tags = {field: {normalised(name, field) for name in data[field]} for field in ("tags", "add_tags", "remove_tags")
            if field in data}
    if "tags" in tags and ({"add_tags", "remove_tags"} & tags.keys()):
        raise Refused("tags", "Send either the full list of tags or tags to add and remove, not both.")
    return columns, tags


def joins_unowned(ticket: Ticket, columns: dict, data: dict) -> bool:
    """Whether this change moves an unassigned ticket into a team without naming an assignee: then the team
    chooses one."""
    return columns.get("team_id") not in (None, ticket.team_id) and "assignee" not in data and ticket.assignee_id is None


def owner_changes(ticket: Ticket, data: dict, actor: str | None) -> tuple[dict, bool]:
    """The ticket's column changes for `data` (see `resolved`), and whether its tags changed, which are
    written here. Raises Refused naming the field, before anything is written. The caller writes the
    columns through record.changes.change_ticket (with touch, when tags changed) and commits.

    A ticket that joins a team with no assignee, and is not given one in the same change, gets the one the
    team's assignment mode chooses."""
    columns, tags = resolved(data)
    if joins_unowned(ticket, columns, data) and (chosen := choose_assignee(columns["team_id"])):
        columns["assignee_id"] = chosen
    if columns.get("assignee_id") not in (None, ticket.assignee_id):
        notifications.assigned({columns["assignee_id"]: [ticket.id]}, actor)
    if "tags" in tags:
        current = tags_of(ticket.id)
        add, remove = tags["tags"] - current, current - tags["tags"]
    else:
        add, remove = tags.get("add_tags", set()), tags.get("remove_tags", set())
    return columns, change_tags(ticket.id, add, remove, actor) if add or remove else False


def change_fields(ticket_id: int, data: dict, actor: str | None, setter: str,
                  expected_versions: set[int] | None = None) -> Ticket | None:
    """One ticket's change as a PATCH says it: its own fields, who set its labels, and its owners and tags
    (`owner_changes`). The ticket after it, or None if there is none; raises Refused (naming the field) or
    record.changes.VersionMismatch, having written nothing the caller must keep. The caller commits."""
    changes = dict(data)
    owners = {name: changes.pop(name) for name in FIELDS if name in changes}
    changes.update(stamp([name for name in LABELS if name in changes], setter, actor))
    tagged = False
    if owners:
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is None:
            return None
        columns, tagged = owner_changes(ticket, owners, actor)
        changes.update(columns)
    return change_ticket(ticket_id, changes, expected_versions, actor, touch=tagged)
