"""Filing a ticket, the one path the API, the pages (and later mail intake) share: `auto` fields filled by
the desk's local classifiers, the language detected, the requester found or added, who set each label
recorded, and the suggestion the client was shown linked, all in the ticket's own transaction."""
from ..classify import local_classifier
from ..conversations.requesters import find_or_add
from ..extensions import db
from ..models import Ticket, utcnow
from ..schemas import AUTO
from ..triage import feedback
from ..triage.language import detect

LABELS = ("category", "priority")


def file_ticket(data: dict, actor: str | None, setter: str, suggestion=None) -> Ticket:
    """A new ticket from validated `data`, added and flushed (the caller commits). `setter` is who chose
    the labels that are not `auto`: "agent" or "client". `suggestion` is a row from `feedback.served`."""
    data = dict(data)
    requester = data.pop("requester", None)
    auto = [name for name in LABELS if data[name] == AUTO]
    triaged_by = None
    if auto:
        answer = local_classifier().classify(data["description"], data["title"])
        for name in auto:
            data[name] = getattr(answer, name)
        triaged_by = ",".join(dict.fromkeys(answer.by(name) for name in auto))
    now = utcnow()
    ticket = Ticket(**data, created_by=actor, updated_by=actor, triaged_by=triaged_by, created_at=now, updated_at=now,
                    language=detect(data["title"], data["description"]),
                    requester=requester and find_or_add(requester["email"], requester["name"]),
                    waiting_since=now if requester else None,  # the requester spoke first
                    **{f"{name}_set_by": "desk" if name in auto else setter for name in LABELS})
    db.session.add(ticket)
    db.session.flush()
    if suggestion is not None:
        feedback.link(suggestion, ticket)
    return ticket
