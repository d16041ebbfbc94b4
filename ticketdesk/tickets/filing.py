"""Filing a ticket, the one path the API, the pages and mail intake share: `auto` fields filled by
the desk's local classifiers, the language detected, the requester found or added, who set each label
recorded, the team it is routed to and the assignee that team chooses, and the suggestion the client was
shown linked, all in the ticket's own transaction."""
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Ticket, utcnow
from ..ownership import notifications
from ..ownership.assignment import choose_assignee
from ..ownership.teams import routed_team
from ..record.changes import CREATED, noted
from ..record.inserted import insert
from ..record.labels import LABELS, stamp
from ..record.requesters import find_or_add
from ..schemas import AUTO
from ..triage import feedback
from ..triage.language import detect
from ..triage.suggestion import local_classifier


def file_ticket(data: dict, actor: str | None, setter: str, suggestion=None, addresses=()) -> Ticket:
    """A new ticket from validated `data`, written (the caller commits). `setter` is who chose
    the labels that are not `auto`: "agent" or "client". `suggestion` is a row from `feedback.served`.
    `addresses`: the desk addresses a mail was sent to, which may route it to a team before its category."""
    data = dict(data)
    requester = data.pop("requester", None)
    auto = [name for name in LABELS if data[name] == AUTO]
    triaged_by = None
    if auto:
        answer = local_classifier().classify(data["description"], data["title"])
        for name in auto:
            data[name] = getattr(answer, name)
        triaged_by = ",".join(dict.fromkeys(answer.by(name) for name in auto))
    team_id = routed_team(data["category"], addresses)
    now = utcnow()
    requester = requester and find_or_add(requester["email"], requester["name"])
    ticket = Ticket(**data, team_id=team_id, assignee_id=choose_assignee(team_id) if team_id else None,
                    created_by=actor, updated_by=actor, triaged_by=triaged_by, created_at=now, updated_at=now,
                    language=detect(data["title"], data["description"]),
                    requester_id=requester.id if requester else None,
                    waiting_since=now if requester else None,  # the requester spoke first
                    **stamp(auto, "desk", None), **stamp([n for n in LABELS if n not in auto], setter, actor))
    insert(db.session(), ticket)  # one INSERT: the ORM's unit of work cost twice the statement
    # known, so not read back for its JSON: its requester, and no tags and no SLA clocks yet (a tag added later
    # in this transaction expires `tag_names`; the SLA hook sets `sla_state` when it starts the clocks)
    set_committed_value(ticket, "requester", requester)
    set_committed_value(ticket, "tag_names", None)
    set_committed_value(ticket, "sla_state", None)
    noted([ticket], {CREATED})
    if ticket.assignee_id is not None:
        notifications.assigned({ticket.assignee_id: [ticket.id]}, actor)
    notifications.new_ticket(ticket, actor)
    if suggestion is not None:
        feedback.link(suggestion, ticket)
    return ticket


