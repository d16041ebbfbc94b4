"""Each ticket's SLA clocks, moved when the events they measure happen: a ticket filed, a public reply or a
customer's words, a status change, a change of priority, category, team or tags (the policy is matched
again). Every path that changes a ticket notes it in the record (record.changes.noted); before the
transaction commits, `before_commit` brings each noted ticket's clocks up to date, in the same transaction.

- first response: from the ticket's creation (an agent's ticket for a customer too: its description is not
  sent to them) to the first public reply by an agent.
- next response: from the oldest customer message not yet answered (the ticket's `waiting_since`), once the
  first response is given, to the reply that answers it.
- resolution: from creation until resolved or closed, paused while the desk waits on the customer (an
  agent's public reply was the last word) and running again when the customer answers or it reopens; the
  business time it ran is kept, so a new policy or calendar carries it over.
A target met or breached is recorded once in the ticket's audit trail (`field` = `sla`); a breached one
stays breached."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from ..models import WORKING, SlaOutcome, Ticket, TicketEvent, TicketSla, utcnow
from ..ownership.tags import tags_by_ticket, tags_of
from ..record.changes import CONVERSATION, CREATED, TAGS, changed_tickets
from .business_time import ALWAYS, Calendar, add, between
from .calendars import calendar_of
from .policies import in_session, policies_in_force, policy_for

MOVES_CLOCKS = {CREATED, CONVERSATION, TAGS, "status", "priority", "category", "team_id"}
STATES = sa.select(TicketSla).where(TicketSla.ticket_id.in_(sa.bindparam("ids", expanding=True)))  # built once
INSERT_STATES = sa.insert(TicketSla.__table__)
OUTCOMES = "sla.outcomes"  # session.info: the audit events and outcome rows written at commit


def before_commit(session) -> None:
    """The session's hook: bring the clocks of every ticket this transaction changed up to date, then write
    the targets met or breached since the transaction began."""
    notes, _held = changed_tickets(session)  # the held tickets stay in the session while this runs (`_tickets`)
    changed = {ticket_id: what for ticket_id, what in notes.items() if what & MOVES_CLOCKS}
    # no policy: nothing to measure (a ticket's standing under a policy deleted since shows as none)
    policies = policies_in_force() if changed else []
    if policies:
        existing = [ticket_id for ticket_id, what in changed.items() if CREATED not in what]  # a new one has none
        states = {s.ticket_id: s for s in session.scalars(STATES, {"ids": existing})} if existing else {}
        tags = tags_by_ticket(changed) if looks_at(policies, "tag") else {}
        tickets = _tickets(session, changed)
        # only a ticket now resolved or closed can have just left work (a move between open and in progress
        # costs no query)
        left_work = _left_work([ticket.id for ticket in tickets
                                if "status" in changed[ticket.id] and ticket.status not in WORKING])
        now, started = utcnow(), []
        for ticket in tickets:
            state = sync(ticket, states.get(ticket.id), policies, now, changed[ticket.id], tags.get(ticket.id, set()),
                         ticket.id in left_work, started)
            set_committed_value(ticket, "sla_state", state)  # known: the ticket's JSON shows it without a query
        if started:
            session.connection().execute(INSERT_STATES, [{key: getattr(state, key) for key in COLUMNS}
                                                         for state in started])
        session.flush()
    _write_outcomes(session)


COLUMNS = tuple(column.key for column in TicketSla.__table__.columns)


def _tickets(session, ids) -> list[Ticket]:
    """These tickets: those this transaction already holds as they are, the others in one query."""
    held = [session.identity_map.get(identity_key(Ticket, ticket_id)) for ticket_id in ids]
    found = [ticket for ticket in held if ticket is not None]
    missing = [ticket_id for ticket_id, ticket in zip(ids, held) if ticket is None]
    return found + (list(session.scalars(sa.select(Ticket).where(Ticket.id.in_(missing)))) if missing else [])


def forget_after_rollback(session) -> None:
    changed_tickets(session)
    session.info.pop(OUTCOMES, None)


def _targets(text: str) -> set[str]:
    return set(filter(None, text.split(",")))


def waiting_on_customer(ticket: Ticket) -> bool:
    """An agent's public reply was the last word (the "Waiting on customer" queue's rule)."""
    return ticket.requester_id is not None and ticket.waiting_since is None


def looks_at(policies: list, condition: str) -> bool:
    """Whether any policy has this condition (else what it asks of a ticket is never read: its tags, its
    requester's address)."""
    return any(condition in policy.match for policy in policies)


def sync(ticket: Ticket, state: TicketSla | None, policies: list, now: datetime, what: set[str] = frozenset(),
         tags: set[str] | None = None, left_work: bool = False, started: list | None = None) -> TicketSla | None:
    """`ticket`'s clocks as of `now`, after `what` just happened to it (record.changes.noted's words);
    `tags` its tags (None: read them if a policy needs them), `left_work` whether this transaction's status
    change took it out of work (read in one query for every ticket by `_left_work`). Clocks started now are
    added to the session, or, given `started`, appended to it for the caller to INSERT (outside the session:
    the ORM's unit of work, and merging the kept policy in, cost more than the statement)."""
    requester = (ticket.requester.email if ticket.requester_id is not None and looks_at(policies, "requester_domain")
                 else None)
    if tags is None:
        tags = tags_of(ticket.id) if looks_at(policies, "tag") else set()
    policy = policy_for(policies, priority=ticket.priority, category=ticket.category, team_id=ticket.team_id,
                        tags=tags, requester=requester)
    if state is None:
        if policy is None or ticket.status not in WORKING:  # a ticket done before any policy applied to it
            return None  # is not measured after the fact
        state = TicketSla(ticket_id=ticket.id, policy_id=policy.id, resolution_spent=0.0, breached="", met="",
                          resolution_running_since=ticket.created_at)
        if started is None:
            state.policy = in_session(policy)
            db.session.add(state)
        else:  # never in a session, so the kept policy may be its own (as read, not changed)
            set_committed_value(state, "policy", policy)
            started.append(state)
    was = state.policy
    ran_in = calendar_of(was.business_hours) if was else ALWAYS
    # the resolution clock: what it ran is counted in the calendar it ran in, up to now
    since = state.resolution_running_since
    ran = between(ran_in, since, now).total_seconds() if since is not None else 0.0
    running = policy is not None and ticket.status in WORKING and not waiting_on_customer(ticket)
    # a clock that runs on under the same policy keeps counting from where it started: its due time stays (an
    # overdue one's too), so its row is not written again (a move between open and in progress writes nothing)
    goes_on = running and since is not None and was is not None and was.id == policy.id
    if not goes_on:
        state.resolution_spent += ran
    _judge(ticket, state, was, now, resolved_now="status" in what and ticket.status not in WORKING and left_work)
    if not goes_on:
        state.resolution_running_since = now if running else None
    if policy is not was and (policy is None or was is None or policy.id != was.id):
        state.policy = in_session(policy)
    _due(ticket, state, policy, calendar_of(policy.business_hours) if policy else ALWAYS)
    return state


def _left_work(ticket_ids: list[int]) -> set[int]:
    """Those of these tickets whose latest status change (this transaction's) was from open or in progress,
    from their audit trail, in one query: each ticket's newest status event, found from the newest end of its
    trail (the cost does not grow with a long history)."""
    if not ticket_ids:
        return set()
    latest = (sa.select(TicketEvent.old_value).where(TicketEvent.ticket_id == Ticket.id, TicketEvent.field == "status")
              .order_by(TicketEvent.id.desc()).limit(1).correlate(Ticket).scalar_subquery())
    return set(db.session.scalars(sa.select(Ticket.id).where(Ticket.id.in_(ticket_ids), latest.in_(WORKING))))


def _due(ticket: Ticket, state: TicketSla, policy, calendar: Calendar) -> None:
    minutes = lambda name: getattr(policy, f"{name}_minutes") if policy else None  # noqa: E731
    first = (add(calendar, ticket.created_at, timedelta(minutes=minutes("first_response")))
             if minutes("first_response") else None)
    answered = ticket.first_reply_at is not None
    following = (add(calendar, ticket.waiting_since, timedelta(minutes=minutes("next_response")))
                 if minutes("next_response") and answered and ticket.waiting_since else None)
    left = (timedelta(minutes=minutes("resolution")) - timedelta(seconds=state.resolution_spent)
            if minutes("resolution") else None)
    resolution = (add(calendar, state.resolution_running_since, left)
                  if left is not None and state.resolution_running_since is not None else None)
    _put(state, first_response_due_at=first, next_response_due_at=following, resolution_due_at=resolution)
    dues = [due for _, due in open_targets(ticket, state)] if ticket.status in WORKING else []  # nothing is due
    # of a resolved or closed ticket: it leaves the due-time index (the sla_due order, the scan)
    warn = timedelta(minutes=current_app.config["SLA_WARN_MINUTES"])
    _put(state, next_due_at=min(dues, default=None), next_alert_at=min(dues) - warn if dues else None)


def _put(state: TicketSla, **values) -> None:
    """Set what differs: a clock whose due times stand is left clean, so the flush has nothing to look at."""
    held = state.__dict__  # what is loaded (a new clock's columns are not, yet)
    for name, value in values.items():
        if name not in held or held[name] != value:
            setattr(state, name, value)


def open_targets(ticket: Ticket, state: TicketSla) -> list[tuple[str, datetime]]:
    """The targets still running, with their due times."""
    running = (("first_response", None if ticket.first_reply_at else state.first_response_due_at),
               ("next_response", state.next_response_due_at), ("resolution", state.resolution_due_at))
    return [(target, due) for target, due in running if due is not None]


def _judge(ticket: Ticket, state: TicketSla, policy, now: datetime, resolved_now: bool) -> None:
    """Record the targets this change met or broke, against the policy and due times it had until now."""
    if state.first_response_due_at and ticket.first_reply_at and not (
            {"first_response"} & (_targets(state.met) | _targets(state.breached))):
        outcome(ticket, state, "first_response", ticket.first_reply_at <= state.first_response_due_at, now)
    if state.next_response_due_at and ticket.waiting_since is None:  # the reply that answered it
        outcome(ticket, state, "next_response", now <= state.next_response_due_at, now)
    if resolved_now and policy is not None and policy.resolution_minutes:
        outcome(ticket, state, "resolution", state.resolution_spent <= policy.resolution_minutes * 60, now)
    if ticket.status not in WORKING and not resolved_now:
        return  # out of work, nothing runs: a due time that passes since breaks nothing
    for target in ("first_response", "next_response", "resolution"):  # passed by while nobody looked
        due = getattr(state, f"{target}_due_at")
        if due is not None and due < now and not (target == "first_response" and ticket.first_reply_at):
            outcome(ticket, state, target, False, now)


def outcome(ticket: Ticket, state: TicketSla, target: str, met: bool, now: datetime) -> None:
    """A target met (each time: every answered message meets or breaks the next response) or breached (once:
    breached is breached), in the state, the audit trail and the outcomes the dashboard counts."""
    kept = "met" if met else "breached"
    targets = _targets(getattr(state, kept))
    if not met and target in targets:
        return
    setattr(state, kept, ",".join(sorted(targets | {target})))
    due = getattr(state, f"{target}_due_at")
    events, outcomes = db.session.info.setdefault(OUTCOMES, ([], []))
    events.append({"ticket_id": state.ticket_id, "field": "sla", "created_at": now, "actor": None,
                   "old_value": due and f"due {due:%Y-%m-%d %H:%M} UTC", "new_value": f"{target} {kept}"})
    outcomes.append({"ticket_id": state.ticket_id, "target": target, "met": met, "due_at": due, "decided_at": now,
                     "policy_id": state.policy.id if state.policy else None, "team_id": ticket.team_id})


def _write_outcomes(session) -> None:
    """The targets met or breached in this transaction, into the audit trail and sla_outcomes: one
    statement each however many tickets (ORM objects would be inserted one by one, to learn their ids)."""
    events, outcomes = session.info.pop(OUTCOMES, ((), ()))
    if events:
        session.execute(sa.insert(TicketEvent), events)
        session.execute(sa.insert(SlaOutcome), outcomes)
