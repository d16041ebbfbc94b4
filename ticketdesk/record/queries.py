"""How tickets are filtered, searched, ordered, paged and counted: shared by the API and the pages.

Pages are keyset pages (no OFFSET, so page 5,000 costs what page 1 costs): a cursor holds the sort key of
the row a page starts after, and a `back` cursor the row the page ends before."""
import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..errors import ApiError
from ..extensions import db
from ..models import (
    DEFAULT_ORDERING,
    MAX_ID,
    PRIORITIES,
    PRIORITY_RANK,
    TAG_NAMES,
    WORKING,
    Requester,
    SlaPolicy,
    Tag,
    Team,
    Ticket,
    TicketCount,
    TicketSla,
    TicketTag,
    User,
    utcnow,
)

COUNT_CAP = 1000  # a search counts its matches up to here; past it the list says "1,000+"


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or, `back`, before) the row with this sort key. In the `sla_due` order,
    `rank` is the stretch (DUE or UNDUE) and `created_at` the due time in the DUE stretch."""

    created_at: datetime
    id: int
    rank: int | None = None  # the priority rank, for the priority ordering; the stretch, for sla_due
    back: bool = False


DUE, UNDUE = 0, 1  # the sla_due order's stretches: tickets with a due time, nearest first; then the rest, oldest first
RANKS = {"priority": len(PRIORITIES), "sla_due": 2}  # the orderings whose cursor holds a rank, and how many ranks


def encode_cursor(cursor: Cursor) -> str:
    """Opaque to clients: the sort key as a short JSON list, trailing defaults left off."""
    values = [cursor.created_at.isoformat(), cursor.id, cursor.rank, cursor.back]
    while len(values) > 2 and (values[-1] is None or values[-1] is False):
        values.pop()
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, ordering: str) -> Cursor:
    """The position a keyset page starts from; 400 naming `cursor` when it is not one of ours or is not
    for `ordering` (a time past the calendar's edge once in UTC included)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or not 2 <= len(values) <= 4:
            raise ValueError
        created, ticket_id, rank, back = values + [None, False][len(values) - 2:]  # the defaults encode left off
        created_at = datetime.fromisoformat(created)
        if created_at.tzinfo is None or type(ticket_id) is not int or not 0 <= ticket_id <= MAX_ID:
            raise ValueError
        if type(back) is not bool or (rank is not None) != (ordering in RANKS):
            raise ValueError
        if rank is not None and (type(rank) is not int or not 0 <= rank < RANKS[ordering]):
            raise ValueError
        return Cursor(created_at.astimezone(timezone.utc), ticket_id, rank, back)
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, {"cursor": ["Invalid cursor."]}) from None


def sort_key(ordering: str) -> tuple[list, bool]:
    """The columns a page is ordered by, and whether they ascend. Priority is critical first, then
    oldest first: the order a queue is worked in (`PRIORITY_RANK` is an indexed expression)."""
    if ordering == "priority":
        return [PRIORITY_RANK, Ticket.created_at, Ticket.id], True
    return [Ticket.created_at, Ticket.id], ordering == "created_at"


def cursor_for(row, ordering: str, back: bool = False) -> Cursor:
    if ordering == "sla_due":
        due = row.sla_next_due_at
        return Cursor(due, row.id, DUE, back) if due is not None else Cursor(row.created_at, row.id, UNDUE, back)
    rank = row.rank if ordering == "priority" else None
    return Cursor(row.created_at, row.id, rank, back)


NOBODY = "none"  # the assignee and team filters' word for "no assignee", "no team"
Assignee = aliased(User, name="assignee")


def filtered(query: sa.Select, *, category=None, priority=None, status=None, language=None, requester=None,
             search=None, assignee=None, team=None, tag=None, sla=None) -> sa.Select:
    """`assignee` is an agent's email, a user id (the signed-in agent) or NOBODY; `team` a team's name or
    NOBODY; `tag` a list of tags a ticket must all have; `sla` one of SLA_FILTER's words."""
    for column, value in ((Ticket.category, category), (Ticket.priority, priority), (Ticket.status, status),
                          (Ticket.language, language)):
        if value is not None:
            query = query.where(column == value)
    if requester is not None:
        query = query.where(Ticket.requester_id == sa.select(Requester.id).where(Requester.email == requester)
                            .scalar_subquery())
    if assignee is not None:
        query = query.where(Ticket.assignee_id.is_(None) if assignee == NOBODY else Ticket.assignee_id == (
            assignee if isinstance(assignee, int) else
            sa.select(User.id).where(User.email == assignee.strip().lower()).scalar_subquery()))
    if team is not None:
        query = query.where(Ticket.team_id.is_(None) if team == NOBODY else
                            Ticket.team_id == sa.select(Team.id).where(Team.name == team.strip()).scalar_subquery())
    if tag:
        # the tags' ids first, so that the planner sees each as a value it has statistics for (how many
        # tickets carry it), not as the result of a subquery
        names = {name.strip().lower() for name in tag}
        ids = db.session.scalars(sa.select(Tag.id).where(Tag.name.in_(names))).all()
        query = query.where(sa.false()) if len(ids) < len(names) else query.where(*(
            sa.exists().where(TicketTag.ticket_id == Ticket.id, TicketTag.tag_id == tag_id) for tag_id in ids))
    if sla:
        query = query.where(sla_condition(sla))
    if search:
        pattern = like_pattern(search)
        query = query.where(sa.or_(Ticket.title.ilike(pattern, escape="\\"),
                                   Ticket.description.ilike(pattern, escape="\\")))
    return query


SLA_FILTER = re.compile(r"breached|overdue|due_within_(\d{1,5})")  # due_within_60: minutes


def sla_condition(word: str):
    """`breached`: a target was broken (for good); `overdue`: open or in progress, past its nearest due
    time; `due_within_N`: open or in progress, due in the next N minutes. Each through a partial index of
    ticket_slas."""
    if word == "breached":
        return Ticket.id.in_(sa.select(TicketSla.ticket_id).where(TicketSla.breached != ""))
    now = utcnow()
    within = SLA_FILTER.fullmatch(word)[1]
    due = TicketSla.next_due_at <= now if within is None else sa.and_(
        TicketSla.next_due_at > now, TicketSla.next_due_at <= now + timedelta(minutes=int(within)))
    return sa.and_(Ticket.status.in_(WORKING), Ticket.id.in_(sa.select(TicketSla.ticket_id).where(due)))


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally."""
    return f"%{starts_with(text)}"


def starts_with(text: str) -> str:
    """A LIKE pattern (escape `\\`) matching what starts with `text`, taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


# where a row stands against its SLA policy, under the names a Ticket has for them (models.py)
SLA_COLUMNS = (SlaPolicy.name.label("sla_policy"), TicketSla.first_response_due_at.label("sla_first_response_due_at"),
               TicketSla.next_response_due_at.label("sla_next_response_due_at"),
               TicketSla.resolution_due_at.label("sla_resolution_due_at"),
               SlaPolicy.resolution_minutes.label("sla_resolution_minutes"),
               TicketSla.resolution_running_since.label("sla_running_since"), TicketSla.breached.label("sla_breached"))


def ticket_page(*, ordering: str = DEFAULT_ORDERING, after: Cursor | None = None, limit: int = 100, where=(),
                **filters) -> sa.Select:
    """One page of tickets in `ordering`, starting at `after`.

    `where`: further conditions (a queue's). Selects `limit + 1` rows so `page_rows` can tell whether another page exists; a `back` cursor selects
    them in reverse, nearest first (`page_rows` puts them back in order). Rows are plain column tuples,
    not ORM objects: building and tracking 100 objects cost more than the query itself.
    """
    if ordering == "priority" and filters.get("priority"):
        ordering = "created_at"  # one priority: the same order, and its own index serves it
    columns, ascending = sort_key(ordering)
    position = None
    if after is not None:
        position = [after.rank, after.created_at, after.id] if ordering == "priority" else [after.created_at, after.id]
    return _keyset(_rows(where, filters), columns, ascending, position, after is not None and after.back, limit + 1)


def _rows(where, filters) -> sa.Select:
    """A list row's columns, joined and filtered."""
    return filtered(sa.select(*Ticket.__table__.columns, PRIORITY_RANK.label("rank"),
                              Requester.email.label("requester_email"), Requester.name.label("requester_name"),
                              Assignee.email.label("assignee_email"), Assignee.name.label("assignee_name"),
                              Team.name.label("team_name"), TAG_NAMES.label("tag_names"), *SLA_COLUMNS,
                              TicketSla.next_due_at.label("sla_next_due_at"))
                    .outerjoin(Requester, Requester.id == Ticket.requester_id)
                    .outerjoin(Assignee, Assignee.id == Ticket.assignee_id)
                    .outerjoin(Team, Team.id == Ticket.team_id)
                    .outerjoin(TicketSla, TicketSla.ticket_id == Ticket.id)
                    .outerjoin(SlaPolicy, SlaPolicy.id == TicketSla.policy_id).where(*where), **filters)


# built once: one ticket as a list row carries it (plain columns, no ORM object), for a GET of one ticket
ONE = _rows((Ticket.id == sa.bindparam("ticket_id"),), {})


def ticket_row(ticket_id: int):
    """One ticket as a list row (the names `schemas.ticket_json` reads), or None."""
    return db.session.connection().execute(ONE, {"ticket_id": ticket_id}).first()


def _keyset(query: sa.Select, columns: list, ascending: bool, position: list | None, back: bool,
            n: int) -> sa.Select:
    """`query`'s first `n` rows past `position` in the order of `columns` (read backwards when `back`)."""
    forward = not back
    if position is not None:
        position = [sa.literal(value, column.type) for value, column in zip(position, columns)]
        later = sa.tuple_(*columns) > sa.tuple_(*position)
        earlier = sa.tuple_(*columns) < sa.tuple_(*position)
        query = query.where(later if ascending == forward else earlier)
    direction = (lambda c: c.asc()) if ascending == forward else (lambda c: c.desc())
    return query.order_by(*map(direction, columns)).limit(n)


def ticket_rows(*, ordering: str = DEFAULT_ORDERING, after: Cursor | None = None, limit: int = 100, where=(),
                all_due: bool = False, **filters) -> list:
    """The rows `ticket_page` selects (up to `limit` + 1), for every ordering: `sla_due` reads its two
    stretches one after the other, each through its own index (the due times' partial index on
    ticket_slas, then the tickets' own order), so that neither sorts the whole table. `all_due`: `where`
    admits only tickets with a due time (an overdue or due-soon queue), so the second stretch is not read."""
    if ordering != "sla_due":
        return db.session.execute(ticket_page(ordering=ordering, after=after, limit=limit, where=where,
                                              **filters)).all()
    back = after is not None and after.back
    first = after.rank if after is not None else DUE
    # overdue and due-soon tickets all have a due time: the stretch without one holds none of them (and
    # looking there would walk every ticket to find none)
    last = DUE if all_due or filters.get("sla") not in (None, "breached") else UNDUE
    rows = []
    for stretch in (range(first, DUE - 1, -1) if back else range(first, last + 1)):
        query = _rows(where, filters)
        if stretch == DUE:
            query, columns = query.where(TicketSla.next_due_at.is_not(None)), [TicketSla.next_due_at, TicketSla.ticket_id]
        else:
            query, columns = query.where(TicketSla.next_due_at.is_(None)), [Ticket.created_at, Ticket.id]
        position = [after.created_at, after.id] if after is not None and stretch == after.rank else None
        rows += db.session.execute(_keyset(query, columns, True, position, back, limit + 1 - len(rows))).all()
        if len(rows) > limit:
            break
    return rows


def page_rows(rows: list, after: Cursor | None, limit: int, ordering: str):
    """The page's rows in order, and the cursors of the pages beyond each end (None where none is)."""
    back = after is not None and after.back
    more = len(rows) > limit
    rows = rows[:limit][::-1] if back else rows[:limit]
    if not rows:
        return rows, None, None
    further = more if not back else True  # read backwards, the page it came from lies ahead
    earlier = (after is not None) if not back else more
    return (rows, cursor_for(rows[-1], ordering) if further else None,
            cursor_for(rows[0], ordering, back=True) if earlier else None)


def ticket_count(*, category=None, priority=None, status=None, language=None, requester=None,
                 search=None, assignee=None, team=None, tag=None, sla=None, where=()) -> tuple[int, bool]:
    """How many tickets match, and whether that is exact. Filtered by the counted fields alone it is read
    from the trigger-kept counts (exact, and as cheap at 1,000,000 tickets as at 10); otherwise it counts
    matches up to `COUNT_CAP` + 1, so a common word or language never counts the whole table."""
    if not (search or language or requester or assignee is not None or team is not None or tag or sla or where):
        query = sa.select(sa.func.coalesce(sa.func.sum(TicketCount.n), 0))
        for column, value in ((TicketCount.category, category), (TicketCount.priority, priority),
                              (TicketCount.status, status)):
            if value is not None:
                query = query.where(column == value)
        return int(db.session.scalar(query)), True
    matches = filtered(sa.select(Ticket.id), category=category, priority=priority, status=status, language=language,
                       requester=requester, search=search, assignee=assignee, team=team, tag=tag,
                       sla=sla).where(*where)
    found = db.session.scalar(sa.select(sa.func.count()).select_from(matches.limit(COUNT_CAP + 1).subquery()))
    return min(found, COUNT_CAP), found <= COUNT_CAP
