"""A second opinion in the background: a ticket the desk labelled at once with its local classifiers (mail
intake) is classified again by the configured chain, an LLM included, in the worker, never in the
request or the fetch. A label changes only while the desk still owns it: an agent who set or confirmed
it first wins, and so does any change made to the ticket meanwhile (the update names the version read)."""
import logging

from ..classify import classifier
from ..extensions import db
from ..jobs import enqueue, task
from ..models import Ticket

log = logging.getLogger(__name__)

REFINE = "triage.refine"
LOCAL = {"learned", "keyword"}


def remote_configured() -> bool:
    return any(name not in LOCAL for name in classifier().names)


def refine_later(ticket_id: int) -> None:
    """After the ticket's commit: ask for the second opinion, when there is anyone remote to ask."""
    if remote_configured():
        enqueue(REFINE, ticket_id)


@task(REFINE)
def refine(ticket_id: int) -> str:
    from ..tickets.changes import VersionMismatch, change_ticket  # the tickets package imports triage
    from ..tickets.filing import LABELS
    ticket = db.session.get(Ticket, ticket_id)
    owned = [name for name in LABELS if ticket is not None and getattr(ticket, f"{name}_set_by") == "desk"]
    if not owned:
        return "nothing the desk still owns"
    answer = classifier().classify(ticket.description, ticket.title)
    remote = [name for name in owned if answer.by(name) not in LOCAL]
    if not remote:
        return "no remote answer"  # the LLM failed or abstained: the local labels stand
    changes = {name: getattr(answer, name) for name in remote if getattr(answer, name) != getattr(ticket, name)}
    triaged_by = ",".join(dict.fromkeys(answer.by(name) for name in owned))
    try:
        change_ticket(ticket_id, {**changes, "triaged_by": triaged_by}, expected_versions={ticket.version}, actor="desk")
    except VersionMismatch:
        db.session.rollback()
        return "changed meanwhile"
    db.session.commit()
    log.info("ticket %s refined by %s: %s", ticket_id, triaged_by, changes or "labels confirmed")
    return f"refined: {changes}" if changes else "confirmed"
