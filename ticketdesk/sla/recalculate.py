""""Recalculate open tickets": editing a policy or a calendar never rewrites open tickets' due times by
itself (a ticket takes the new rules when its own clocks next move); an admin who wants every open ticket
on the new rules now asks for this. It runs in the job engine, a batch of tickets per job, each batch its
own transaction, so a desk of a million tickets is neither locked nor held in one request. Closed and
resolved tickets keep what they were measured by."""
import sqlalchemy as sa

from ..auth.manage import record
from ..extensions import db
from ..jobs import enqueue, task
from ..models import WORKING, Ticket, TicketSla, utcnow
from ..ownership.tags import tags_by_ticket
from .clock import looks_at, sync
from .policies import all_policies

RECALCULATE = "sla.recalculate"
BATCH = 500


def start(actor: str) -> bool:
    """Queue the recalculation from the first open ticket (recorded as the admin's act); False when the
    queue cannot be reached."""
    record(actor, "recalculate SLA", "open tickets")
    db.session.commit()
    return enqueue(RECALCULATE, 0)


@task(RECALCULATE)
def recalculate(after_id: int = 0) -> int:
    """Bring the next batch of open tickets after `after_id` to the policies as they are now, then queue
    the batch after it; returns how many tickets this batch held."""
    done, last = recalculate_batch(after_id)
    if done == BATCH:
        enqueue(RECALCULATE, last)
    return done


def recalculate_batch(after_id: int) -> tuple[int, int]:
    """One batch, committed: (how many tickets, the last ticket's id)."""
    tickets = db.session.scalars(sa.select(Ticket).where(Ticket.status.in_(WORKING), Ticket.id > after_id)
                                 .order_by(Ticket.id).limit(BATCH)).all()
    if not tickets:
        return 0, after_id
    policies, now = all_policies(), utcnow()
    states = {state.ticket_id: state for state in db.session.scalars(
        sa.select(TicketSla).where(TicketSla.ticket_id.in_([ticket.id for ticket in tickets])))}
    tags = tags_by_ticket([ticket.id for ticket in tickets]) if looks_at(policies, "tag") else {}
    for ticket in tickets:
        sync(ticket, states.get(ticket.id), policies, now, tags=tags.get(ticket.id, set()))
    db.session.commit()
    return len(tickets), tickets[-1].id


def recalculate_all(actor: str) -> int:
    """Every open ticket, batch after batch, in this process (the shell's command); how many."""
    record(actor, "recalculate SLA", "open tickets")
    db.session.commit()
    total, last = 0, 0
    while True:
        done, last = recalculate_batch(last)
        total += done
        if done < BATCH:
            return total
