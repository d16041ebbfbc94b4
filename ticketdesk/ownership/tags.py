"""Tags: words agents file tickets under. A tag is made on first use; a ticket's tags change by additions and
removals (rows in ticket_tags), so two agents tagging one ticket at once never overwrite each other; each
addition and removal that took effect is an event in the ticket's audit trail. Admins rename and merge tags."""
import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..auth.manage import record
from ..extensions import db
from ..models import TAG_MAX, Tag, Ticket, TicketEvent, TicketTag, utcnow
from ..record.changes import change_tickets
from ..record.queries import starts_with
from .refusals import Refused

SHAPE = re.compile(rf"[\w-]{{1,{TAG_MAX}}}")  # letters, digits, `-` and `_` (\w is letters, digits and `_`)
RULE = f"1 to {TAG_MAX} letters, digits, - and _"
SUGGESTED = 10


def normalised(name, field: str = "tags") -> str:
    """`name` trimmed and lower-cased, or Refused naming `field`."""
    tag = name.strip().lower() if isinstance(name, str) else ""
    if not SHAPE.fullmatch(tag):
        raise Refused(field, f"{str(name)[:60]!r} is not a tag: a tag is {RULE}.")
    return tag


def _insert(model):
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(model)


def tag_ids(names) -> dict[str, int]:
    """Each tag's id, made on first use (two agents making one tag at once both get the same one)."""
    names = sorted(set(names))
    if not names:
        return {}
    db.session.execute(_insert(Tag).values([{"name": n} for n in names]).on_conflict_do_nothing())
    return dict(db.session.execute(sa.select(Tag.name, Tag.id).where(Tag.name.in_(names))).all())


def change_tags(ticket_id: int, add=(), remove=(), actor: str | None = None) -> bool:
    """Add and remove tags on an existing ticket; True when anything changed. The caller raises the ticket's
    version (record.changes.change_ticket with touch) and commits."""
    return bool(change_tags_of([ticket_id], add, remove, actor))


def change_tags_of(ticket_ids, add=(), remove=(), actor: str | None = None) -> set[int]:
    """Add and remove tags on existing tickets, each addition and removal that took effect an event; the
    ids of the tickets whose tags changed. The caller raises their versions and commits."""
    add, remove = set(add), set(remove) - set(add)
    ids = tag_ids(add)
    added = removed = []
    if ids and ticket_ids:
        added = db.session.execute(_insert(TicketTag).values(
            [{"ticket_id": t, "tag_id": i} for t in ticket_ids for i in ids.values()])
            .on_conflict_do_nothing().returning(TicketTag.ticket_id, TicketTag.tag_id)).all()
    if remove and ticket_ids:
        removed = db.session.execute(sa.delete(TicketTag).where(
            TicketTag.ticket_id.in_(ticket_ids), TicketTag.tag_id.in_(sa.select(Tag.id).where(Tag.name.in_(remove))))
            .returning(TicketTag.ticket_id, TicketTag.tag_id)).all()
    names = dict(db.session.execute(sa.select(Tag.id, Tag.name).where(
        Tag.id.in_({row.tag_id for row in [*added, *removed]}))).all())
    now = utcnow()
    events = [{"ticket_id": row.ticket_id, "field": "tag", "old_value": None, "new_value": names[row.tag_id]}
              for row in added] + \
             [{"ticket_id": row.ticket_id, "field": "tag", "old_value": names[row.tag_id], "new_value": None}
              for row in removed]
    if events:
        events.sort(key=lambda e: (e["ticket_id"], e["old_value"] is not None, e["new_value"] or e["old_value"]))
        db.session.execute(sa.insert(TicketEvent), [{**e, "actor": actor, "created_at": now} for e in events])
    changed = {e["ticket_id"] for e in events}
    for ticket_id in changed:
        if ticket := db.session.identity_map.get(db.session.identity_key(Ticket, ticket_id)):
            db.session.expire(ticket, ["tag_names"])
    return changed


def tags_of(ticket_id: int) -> set[str]:
    return tags_by_ticket([ticket_id]).get(ticket_id, set())


def tags_by_ticket(ticket_ids) -> dict[int, set[str]]:
    """Each of these tickets' tags, in one query (a ticket without any is left out)."""
    found: dict[int, set[str]] = {}
    for ticket_id, name in db.session.execute(sa.select(TicketTag.ticket_id, Tag.name).join(
            Tag, Tag.id == TicketTag.tag_id).where(TicketTag.ticket_id.in_(list(ticket_ids)))):
        found.setdefault(ticket_id, set()).add(name)
    return found


def suggest(prefix: str) -> list[str]:
    """The first tags, by name, that start with `prefix` (as typed: trimmed, lower-cased)."""
    return list(db.session.scalars(sa.select(Tag.name).where(Tag.name.like(starts_with(prefix.strip().lower()),
                                                                           escape="\\"))
                                   .order_by(Tag.name).limit(SUGGESTED)))


def rename(actor: str, old: str, new: str) -> None:
    """Rename a tag everywhere it is used; into a tag that exists, that is a merge."""
    source, target = _existing(old), normalised(new, "name")
    if db.session.scalar(sa.select(Tag.id).where(Tag.name == target)) is not None:
        return merge(actor, old, target)
    source.name = target
    # the tickets' JSON changed: their versions (ETags) move on
    change_tickets(Ticket.id.in_(sa.select(TicketTag.ticket_id).where(TicketTag.tag_id == source.id)), {}, actor)
    record(actor, "rename tag", old, f"now {target}")


def merge(actor: str, old: str, into: str) -> None:
    """Every ticket tagged `old` is tagged `into` instead, and `old` is gone."""
    source, target = _existing(old), _existing(into, "into")
    if source.id == target.id:
        return
    tagged = sa.select(TicketTag.ticket_id).where(TicketTag.tag_id == source.id)
    db.session.execute(_insert(TicketTag).from_select(
        ["ticket_id", "tag_id"], sa.select(TicketTag.ticket_id, sa.literal(target.id)).where(TicketTag.tag_id == source.id))
        .on_conflict_do_nothing())
    count = change_tickets(Ticket.id.in_(tagged), {}, actor)
    db.session.delete(source)
    record(actor, "merge tag", source.name, f"into {target.name}: {count} tickets")


def _existing(name: str, field: str = "name") -> Tag:
    tag = db.session.scalars(sa.select(Tag).where(Tag.name == name.strip().lower())).first()
    if tag is None:
        raise Refused(field, f"No tag is called {name.strip().lower()}.")
    return tag
