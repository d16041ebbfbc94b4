"""Every change to a ticket, from the API or the pages, is one UPDATE that also raises its version.
Given the version the client last saw (If-Match, or the pages' hidden field), the change applies to
exactly that version or not at all, so nobody overwrites a change they have not seen."""
import functools

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Ticket, tag_names_of, utcnow


class VersionMismatch(Exception):
    """The ticket exists, but no longer at the version the client expected."""

    def __init__(self, ticket: Ticket):
        super().__init__(ticket.version)
        self.ticket = ticket


OWNERS = {"assignee_id": "assignee", "team_id": "team"}  # the ticket's columns and the relationships they load


def change_ticket(ticket_id: int, changes: dict, expected_versions: set[int] | None = None,
                  actor: str | None = None, touch: bool = False) -> Ticket | None:
    """The ticket after `changes`, or None if there is no such ticket; raises VersionMismatch when
    `expected_versions` is given and the ticket's version is not among them. The caller commits.
    `actor` becomes `updated_by`, which the audit trigger (migration 0004) records with each change.
    `touch`: a change kept in another table (its tags) raises the version even with no column changed."""
    if changes or touch:
        statement = _update(tuple(changes), expected_versions is not None)
        values = {f"new_{name}": value for name, value in changes.items()}
        values.update(ticket_id=ticket_id, now=utcnow(), actor=actor)
        if expected_versions is not None:
            values["versions"] = list(expected_versions)
        ticket, tag_names = db.session.execute(statement, values).one_or_none() or (None, None)
        if ticket is not None:
            set_committed_value(ticket, "tag_names", tag_names)  # known for its JSON, not loaded by the ORM later
            noted([ticket], changes.keys() or {TAGS})
            if owners := [OWNERS[c] for c in changes if c in OWNERS]:  # (expire with no names expires all)
                db.session.expire(ticket, owners)  # loaded again, as changed
            return ticket
    # nothing to change, no such ticket, or not at an expected version: which one?
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is not None and expected_versions is not None and ticket.version not in expected_versions:
        raise VersionMismatch(ticket)
    return ticket


# the changed ticket's tags, found by the id the UPDATE binds: SQLite's RETURNING names columns without their
# table, which leaves a subquery correlated to the ticket (models.TAG_NAMES) ambiguous there
TAGS_BY_ID = tag_names_of(sa.bindparam("ticket_id")).scalar_subquery()


@functools.lru_cache(maxsize=256)
def _update(columns: tuple[str, ...], versioned: bool):
    """The UPDATE of these columns, built once: each change binds its values. It returns the ticket and its
    tags, in the same round trip."""
    table = Ticket.__table__
    statement = (sa.update(Ticket).where(Ticket.id == sa.bindparam("ticket_id"))
                 .values({**{name: sa.bindparam(f"new_{name}", type_=table.c[name].type) for name in columns},
                          "version": Ticket.version + 1, "updated_at": sa.bindparam("now", type_=table.c.updated_at.type),
                          "updated_by": sa.bindparam("actor", type_=table.c.updated_by.type)})
                 .returning(Ticket, TAGS_BY_ID)
                 # the returned row refreshes the session's copy: nothing left to evaluate in Python
                 .execution_options(populate_existing=True, synchronize_session=False))
    if versioned:
        statement = statement.where(Ticket.version.in_(sa.bindparam("versions", expanding=True)))
    return statement


def stamp_conversation(ticket: Ticket, times: dict) -> None:
    """Set the times a message moves (`waiting_since`, `first_reply_at`) on `ticket`, in the database at once
    by one prebuilt UPDATE (the ORM's flush of one row cost a reply more than the statement). The version
    stays: a message collides with nobody's edit. The caller notes the message (`noted`, CONVERSATION)."""
    changed = {name: value for name, value in times.items() if getattr(ticket, name) != value}
    if not changed:
        return
    now = utcnow()
    db.session.connection().execute(_stamp(tuple(sorted(changed))), {**changed, "ticket_id": ticket.id, "now": now})
    for name, value in {**changed, "updated_at": now}.items():
        set_committed_value(ticket, name, value)


@functools.lru_cache(maxsize=None)
def _stamp(columns: tuple[str, ...]):
    table = Ticket.__table__
    return (sa.update(table).where(table.c.id == sa.bindparam("ticket_id"))
            .values({**{name: sa.bindparam(name, type_=table.c[name].type) for name in columns},
                     "updated_at": sa.bindparam("now", type_=table.c.updated_at.type)}))


def change_tickets(where, changes: dict, actor: str | None) -> int:
    """`changes` on every ticket `where` selects, in one UPDATE that raises each one's version (the audit
    trigger records each change). Returns how many changed. The caller commits."""
    statement = sa.update(Ticket).where(where).values(**changes, version=Ticket.version + 1, updated_at=utcnow(),
                                                      updated_by=actor).returning(Ticket.id)
    changed = db.session.scalars(statement.execution_options(synchronize_session=False)).all()
    noted(changed, changes.keys() or {TAGS})
    return len(changed)


CHANGED = "ticketdesk.changed_tickets"
HELD = "ticketdesk.held_tickets"
TAGS, CREATED, CONVERSATION = "tags", "created", "conversation"  # what changed besides the ticket's columns


def noted(tickets, what) -> None:
    """Remember for this transaction that these tickets (ids, or Ticket objects) changed, and what (column
    names, or TAGS, CREATED, CONVERSATION), so that what follows from a change (its SLA clocks) is done once,
    before the commit, whichever path made it. Every path above the record notes its changes here or goes
    through it. A Ticket object is held until then: the session holds a flushed one only weakly, and what
    follows would otherwise read it again."""
    changed = db.session.info.setdefault(CHANGED, {})
    for ticket in tickets:
        if isinstance(ticket, Ticket):
            db.session.info.setdefault(HELD, []).append(ticket)
            ticket = ticket.id
        changed.setdefault(ticket, set()).update(what)


def changed_tickets(session) -> tuple[dict[int, set[str]], list[Ticket]]:
    """What `noted` remembered in `session`'s transaction, and the tickets it held, forgotten once read."""
    return session.info.pop(CHANGED, {}), session.info.pop(HELD, [])
