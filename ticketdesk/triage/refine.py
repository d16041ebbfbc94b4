"""A second opinion in the background: a ticket the desk labelled at once with its local classifiers (mail
intake) is classified again by the configured chain, an LLM included, in the worker, never in the
request or the fetch. A label changes only while the desk still owns it: an agent who set or confirmed
it first wins, and so does any change made to the ticket meanwhile (the update names the version read).
A ticket in no team yet whose category the second opinion changes goes to that category's team, which may
assign it, as if it had been filed so."""
import logging

from ..extensions import db
from ..jobs import enqueue, task
from ..models import Ticket
from ..ownership import notifications
from ..ownership.assignment import choose_assignee
from ..ownership.teams import routed_team
from ..record.changes import VersionMismatch, change_ticket
from ..record.labels import LABELS, set_by_desk
from .suggestion import classifier

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
    ticket = db.session.get(Ticket, ticket_id)
    owned = [name for name in LABELS if ticket is not None and set_by_desk(ticket, name)]
    if not owned:
        return "nothing the desk still owns"
    answer = classifier().classify(ticket.description, ticket.title)
    remote = [name for name in owned if answer.by(name) not in LOCAL]
    if not remote:
        return "no remote answer"  # the LLM failed or abstained: the local labels stand
    changes = {name: getattr(answer, name) for name in remote if getattr(answer, name) != getattr(ticket, name)}
    triaged_by = ",".join(dict.fromkeys(answer.by(name) for name in owned))
    if "category" in changes and ticket.team_id is None and (team := routed_team(changes["category"])):
        changes["team_id"] = team
        if ticket.assignee_id is None and (chosen := choose_assignee(team)):
            changes["assignee_id"] = chosen
            notifications.assigned({chosen: [ticket_id]}, "desk")
    try:
        change_ticket(ticket_id, {**changes, "triaged_by": triaged_by}, expected_versions={ticket.version}, actor="desk")
    except VersionMismatch:
        db.session.rollback()
        return "changed meanwhile"
    db.session.commit()
    log.info("ticket %s refined by %s: %s", ticket_id, triaged_by, changes or "labels confirmed")
    return f"refined: {changes}" if changes else "confirmed"
