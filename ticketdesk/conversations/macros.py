"""Macros: a saved reply that also changes the ticket (status, priority, category, team, assignee, tags) and
adds an internal note. Its changes are checked when it is saved and again when it is applied (a team or an
agent may be gone since); applied, they go in with the reply in one transaction, or nothing does."""
from ..forms import label
from ..models import SavedReply, Ticket
from ..ownership.changes import change_fields, resolved
from ..ownership.refusals import Refused
from ..ownership.tags import normalised
from ..placeholders import fill
from .messages import post

TAG_LISTS = ("add_tags", "remove_tags")


def checked(changes: dict) -> dict:
    """`changes` as a macro keeps them: agents and teams that exist, tags normalised, nothing empty. Raises
    Refused naming `changes.<field>`."""
    kept = {name: value for name, value in changes.items() if value != [] and name not in TAG_LISTS}
    try:
        resolved({name: kept[name] for name in ("assignee", "team") if name in kept})
        for name in TAG_LISTS:
            if changes.get(name):
                kept[name] = sorted({normalised(tag, name) for tag in changes[name]})
    except Refused as e:
        raise Refused(f"changes.{e.field}", str(e)) from None
    if "assignee" in kept and kept["assignee"] is not None:
        kept["assignee"] = kept["assignee"].strip().lower()
    if set(kept.get("add_tags", ())) & set(kept.get("remove_tags", ())):
        raise Refused("changes.remove_tags", "A tag cannot be both added and removed.")
    return kept


def apply(ticket: Ticket, saved: SavedReply, actor: str | None, setter: str) -> Ticket:
    """The saved reply's changes and note on `ticket`; the caller posts the reply and commits. Raises Refused
    naming `saved_reply_id` when a change can no longer be made."""
    try:
        changed = change_fields(ticket.id, saved.changes or {}, actor, setter)
    except Refused as e:
        raise Refused("saved_reply_id", f"“{saved.title}” cannot be applied: {e}") from None
    if saved.note:
        post(changed, "note", fill(saved.note, changed), actor)
    return changed


def described(saved: SavedReply) -> list[str]:
    """What applying `saved` does besides the reply, one line each, for the composer to show."""
    changes, lines = saved.changes or {}, []
    for name in ("status", "priority", "category"):
        if name in changes:
            lines.append(f"{label(name)}: {label(changes[name])}")
    if "team" in changes:
        lines.append(f"Team: {changes['team'] or 'none'}")
    if "assignee" in changes:
        lines.append(f"Assignee: {changes['assignee'] or 'nobody'}")
    for name, verb in (("add_tags", "Add tags"), ("remove_tags", "Remove tags")):
        if changes.get(name):
            lines.append(f"{verb}: {', '.join(changes[name])}")
    if saved.note:
        lines.append("An internal note")
    return lines
