"""The queues every agent has (the API calls them views): the built-in ones, the views admins share with the
desk and each agent's own (saved_views.py keeps those); which tickets each holds, and how many.

Counts must stay cheap at 1,000,000 tickets, so none counts the whole table: a queue whose tickets are a set
of statuses reads the trigger-kept counts (exact); every other one counts its matches up to COUNT_CAP + 1 and
says "1,000+" beyond, through a partial index for the built-in ones (ix_tickets_assignee_working,
ix_tickets_team_working, ix_tickets_waiting_on_customer) and the list's own indexes for a saved view. Mine, My
teams, an agent's own views and any view that says `me` belong to a signed-in agent: a token has none."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..extensions import db
from ..models import WAITING_ON_CUSTOMER, WORKING, SavedView, TeamMember, Ticket, TicketCount
from ..record.queries import COUNT_CAP, filtered
from ..schemas import whole_number

ME = "me"  # the assignee filter's word for whoever looks at the view


@dataclass(frozen=True)
class Queue:
    key: str
    name: str
    description: str
    personal: bool = False  # needs a signed-in agent
    statuses: tuple[str, ...] = ()  # its tickets are exactly those in these statuses: counted exactly
    ordering: str = "priority"  # the order it is worked in (record.queries orderings)
    filters: dict = field(default_factory=dict, hash=False)  # the ticket list's filters that make it
    kind: str = "built-in"  # or a saved view's: "shared" (with the desk) or "personal"


QUEUES = (
    Queue("mine", "Mine", "Open and in progress, assigned to you.", personal=True),
    Queue("unassigned", "Unassigned", "Open and in progress, assigned to nobody."),
    Queue("my-teams", "My teams", "Open and in progress, in your teams' queues.", personal=True),
    Queue("open", "All open", "Every open and in-progress ticket.", statuses=WORKING),
    Queue("waiting", "Waiting on customer", "Open and in progress, where an agent answered last."),
    Queue("solved", "Recently solved", "Resolved and not yet closed, newest first.", statuses=("resolved",),
          ordering="-created_at"),
    Queue("overdue", "Overdue", "Open and in progress, past an SLA due time; the longest overdue first.",
          filters={"sla": "overdue"}, ordering="sla_due"),
    Queue("due-soon", "Due soon", "Open and in progress, an SLA target due within the hour; the nearest first.",
          filters={"sla": "due_within_60"}, ordering="sla_due"),
)
BY_KEY = {queue.key: queue for queue in QUEUES}


def saved_queue(view: SavedView) -> Queue:
    filters = view.filters or {}
    return Queue(str(view.id), view.name, described(filters), ordering=view.ordering, filters=filters,
                 personal=view.owner_id is not None or filters.get("assignee") == ME,
                 kind="shared" if view.owner_id is None else "personal")


def described(filters: dict) -> str:
    """A saved view's filters in words, for its link's title and the list's heading."""
    said = [f"{name}: {', '.join(value) if isinstance(value, list) else value}" for name, value in filters.items()]
    text = "; ".join(said)
    return f"{text[0].upper()}{text[1:]}." if said else "Every ticket."


def saved_views(user_id: int | None) -> list[SavedView]:
    """The views `user_id` sees: those shared with the desk, then their own, each by name."""
    mine = SavedView.owner_id.is_(None) if user_id is None else sa.or_(SavedView.owner_id.is_(None),
                                                                       SavedView.owner_id == user_id)
    return list(db.session.scalars(sa.select(SavedView).where(mine).order_by(
        SavedView.owner_id.is_not(None), sa.func.lower(SavedView.name), SavedView.id)))


def queues_for(user_id: int | None) -> list[Queue]:
    """Every queue `user_id` has, built-in then saved (None: a token, which has no own queues)."""
    every = [*QUEUES, *map(saved_queue, saved_views(user_id))]
    return [queue for queue in every if user_id is not None or not queue.personal]


def find(key: str, user_id: int | None) -> Queue | None:
    """The queue `key` names among `user_id`'s (a built-in one is found without asking the database)."""
    if key in BY_KEY:
        queue = BY_KEY[key]
    elif (number := whole_number(key)) is not None and (view := db.session.get(SavedView, number)) is not None \
            and view.owner_id in (None, user_id):
        queue = saved_queue(view)
    else:
        return None
    return queue if user_id is not None or not queue.personal else None


def all_due(queue: Queue | None) -> bool:
    """Whether every ticket in `queue` has a due time (it asks for overdue or due-soon ones): the sla_due
    order then never looks among the tickets with nothing due."""
    return queue is not None and queue.filters.get("sla") not in (None, "breached")


def conditions(queue: Queue, user_id: int | None) -> list:
    """What a ticket must be to be in `queue`, for the agent `user_id` (None: a token, which has no own queues)."""
    if queue.filters:
        filters = {**queue.filters, **({"assignee": user_id} if queue.filters.get("assignee") == ME else {})}
        clause = filtered(sa.select(Ticket.id), **filters).whereclause
        return [] if clause is None else [clause]
    if queue.statuses:
        return [Ticket.status.in_(queue.statuses)]
    working = Ticket.status.in_(WORKING)
    if queue.key == "mine":
        return [working, Ticket.assignee_id == user_id]
    if queue.key == "unassigned":
        return [working, Ticket.assignee_id.is_(None)]
    if queue.key == "my-teams":
        return [working, Ticket.team_id.in_(sa.select(TeamMember.team_id).where(TeamMember.user_id == user_id))]
    return [sa.text(WAITING_ON_CUSTOMER)]


def count(queue: Queue, user_id: int | None) -> tuple[int, bool]:
    """How many tickets `queue` holds, and whether that is exact."""
    if queue.statuses:
        exact = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(TicketCount.n), 0))
                                  .where(TicketCount.status.in_(queue.statuses)))
        return int(exact), True
    matches = sa.select(Ticket.id).where(*conditions(queue, user_id)).limit(COUNT_CAP + 1).subquery()
    found = db.session.scalar(sa.select(sa.func.count()).select_from(matches))
    return min(found, COUNT_CAP), found <= COUNT_CAP


def queue_json(queue: Queue, user_id: int | None) -> dict:
    number, exact = count(queue, user_id)
    return {"key": queue.key, "name": queue.name, "description": queue.description, "kind": queue.kind,
            "filters": queue.filters, "ordering": queue.ordering, "count": number, "exact": exact}
