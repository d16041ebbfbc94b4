"""SLA policies as admins keep them, and which one a ticket falls under: the first by position whose every
condition holds (none: no targets). Teams are kept by id, so renaming one keeps its policies; a tag by name."""
import sqlalchemy as sa

from ..auth.manage import record
from ..extensions import db
from ..generation import kept
from ..models import SLA_TARGETS, SlaPolicy, Team
from ..ownership.refusals import Refused
from ..ownership.tags import normalised
from ..ownership.teams import team_named
from .calendars import named


ALL = sa.select(SlaPolicy).order_by(SlaPolicy.position, SlaPolicy.id)


def all_policies() -> list[SlaPolicy]:
    """The policies, in this session (to show or change them)."""
    return list(db.session.scalars(ALL))


def policies_in_force() -> list[SlaPolicy]:
    """The policies, in order, as this worker keeps them while the settings are unchanged: read before every
    commit that changed a ticket, without a query. Detached: `in_session` one to link a ticket's clocks to it."""
    return kept("sla policies", lambda session: list(session.scalars(ALL).unique()))


def in_session(policy: SlaPolicy | None) -> SlaPolicy | None:
    """`policy` (perhaps a kept, detached one) as an object of this session, without a query."""
    return None if policy is None else db.session.merge(policy, load=False)


def save_policy(actor: str, policy: SlaPolicy | None, data: dict) -> SlaPolicy:
    """A new policy (`policy` None) or `policy` changed by `data` (checked by the schema). Raises Refused
    naming the field: an unknown calendar, team or tag shape (400), a name another policy has (409). The
    caller commits."""
    created = policy is None
    policy = policy or SlaPolicy(match={})
    name = data.get("name", policy.name)
    if db.session.scalar(sa.select(SlaPolicy.id).where(sa.func.lower(SlaPolicy.name) == sa.func.lower(name),
                                                       SlaPolicy.id != (policy.id or 0))) is not None:
        raise Refused("name", f"A policy called {name} already exists.", 409)
    if "match" in data:
        policy.match = _stored(data["match"])
    if "business_hours" in data:
        policy.business_hours = None if data["business_hours"] is None else named(data["business_hours"])
    for key in ("name", *(f"{target}_minutes" for target in SLA_TARGETS)):
        if key in data:
            setattr(policy, key, data[key])
    if not any(getattr(policy, f"{target}_minutes") for target in SLA_TARGETS):
        raise Refused("first_response_minutes", "Give at least one target in minutes.")
    if "position" in data:
        policy.position = data["position"]
    elif created:
        policy.position = (db.session.scalar(sa.select(sa.func.max(SlaPolicy.position))) or 0) + 1
    policy.updated_by = actor
    db.session.add(policy)
    db.session.flush()
    record(actor, "create SLA policy" if created else "change SLA policy", policy.name, _said(policy)[:254])
    return policy


def _stored(match: dict) -> dict:
    """The conditions as kept: teams by id, tags and domains normalised, nothing empty."""
    stored = {key: sorted(set(values)) for key, values in match.items() if values and key not in ("team", "tag")}
    if match.get("team"):
        stored["team"] = sorted({team_named(name, "match.team").id for name in match["team"]})
    if match.get("tag"):
        stored["tag"] = sorted({normalised(tag, "match.tag") for tag in match["tag"]})
    if "requester_domain" in stored:
        stored["requester_domain"] = sorted({d.strip().lower() for d in stored["requester_domain"]})
    return stored


def delete_policy(actor: str, policy: SlaPolicy) -> None:
    db.session.delete(policy)
    record(actor, "delete SLA policy", policy.name)


def policy_json(policy: SlaPolicy) -> dict:
    match = dict(policy.match)
    if "team" in match:
        names = dict(db.session.execute(sa.select(Team.id, Team.name).where(Team.id.in_(match["team"]))).all())
        match["team"] = sorted(names[i] for i in match["team"] if i in names)
    return {"id": policy.id, "name": policy.name, "position": policy.position, "match": match,
            "business_hours": policy.business_hours.name if policy.business_hours else None,
            **{f"{target}_minutes": getattr(policy, f"{target}_minutes") for target in SLA_TARGETS}}


def _said(policy: SlaPolicy) -> str:
    targets = ", ".join(f"{t.replace('_', ' ')} {getattr(policy, f'{t}_minutes')} min" for t in SLA_TARGETS
                        if getattr(policy, f"{t}_minutes"))
    return f"#{policy.position}; {targets}; {policy.business_hours.name if policy.business_hours else '24/7'}"


def fits(policy: SlaPolicy, priority: str, category: str, team_id: int | None, tags: set[str],
         requester: str | None) -> bool:
    """Whether every condition of `policy` holds for a ticket with these values."""
    match = policy.match
    domain = requester.rsplit("@", 1)[-1].lower() if requester else None
    return (priority in match.get("priority", (priority,)) and category in match.get("category", (category,))
            and ("team" not in match or team_id in match["team"])
            and ("tag" not in match or bool(tags & set(match["tag"])))
            and ("requester_domain" not in match or domain in match["requester_domain"]))


def policy_for(policies: list[SlaPolicy], **ticket) -> SlaPolicy | None:
    """The first of `policies` (in order) that fits the ticket; None when none does."""
    return next((policy for policy in policies if fits(policy, **ticket)), None)
