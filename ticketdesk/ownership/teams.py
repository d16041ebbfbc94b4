"""Teams: who is in each, how it assigns, and which desk addresses and categories route new tickets to it.
Admins change them (the admin page, an `admin` token, `flask teams`); each change is recorded in
admin_events like changes to agents and tokens."""
import sqlalchemy as sa

from ..auth.manage import record
from ..extensions import db
from ..generation import kept
from ..models import ASSIGNMENTS, CATEGORIES, Team, TeamMember, TeamRoute, Ticket, User
from ..record.changes import change_tickets
from .refusals import Refused

ROUTED = {"addresses": "address", "categories": "category"}  # a team's lists of routes, by the kind they hold


def agent(email: str, field: str) -> User:
    """The active agent or admin with `email`: only they may own tickets (a viewer only reads)."""
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.active or user.role == "viewer":
        raise Refused(field, f"No active agent has the email {email.strip().lower()}.")
    return user


def team_named(name: str, field: str = "team") -> Team:
    team = db.session.scalars(sa.select(Team).where(Team.name == name.strip())).first()
    if team is None:
        raise Refused(field, f"No team is called {name.strip()}.")
    return team


def possible_owners() -> list[sa.Row]:
    """Who may own tickets: active agents and admins (email, name), by email."""
    return db.session.execute(sa.select(User.email, User.name).where(User.active, User.role != "viewer")
                              .order_by(User.email)).all()


def all_teams() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def save_team(actor: str, team: Team | None, data: dict) -> Team:
    """Create (`team` None) or change a team from validated `data`: `name`, `assignment`, and the full new
    lists `members` (emails), `addresses` and `categories`, each only if given. The caller commits."""
    created = team is None
    if created:
        team = Team(name=data["name"], assignment=data.get("assignment", "manual"))
    name = data.get("name", team.name)
    taken = db.session.scalar(sa.select(Team.id).where(Team.name == name, Team.id != team.id) if team.id else
                              sa.select(Team.id).where(Team.name == name))
    if taken is not None:
        raise Refused("name", f"A team called {name} already exists.", 409)
    if data.get("assignment", team.assignment) not in ASSIGNMENTS:
        raise Refused("assignment", f"The assignment must be one of {', '.join(ASSIGNMENTS)}.")
    team.name, team.assignment = name, data.get("assignment", team.assignment)
    members = [agent(email, "members") for email in dict.fromkeys(data["members"])] if "members" in data else None
    db.session.add(team)
    db.session.flush()
    if members is not None:
        db.session.execute(sa.delete(TeamMember).where(TeamMember.team_id == team.id))
        db.session.add_all(TeamMember(team_id=team.id, user_id=user.id) for user in members)
    for field, kind in ROUTED.items():
        if field in data:
            _route(team, field, kind, data[field])
    db.session.flush()
    record(actor, "create team" if created else "change team", team.name, _summary(team)[:254])
    return team


def _route(team: Team, field: str, kind: str, values: list[str]) -> None:
    values = list(dict.fromkeys(v.strip().lower() for v in values))
    if kind == "category" and (unknown := [v for v in values if v not in CATEGORIES]):
        raise Refused(field, f"{unknown[0]} is not a category: use {', '.join(CATEGORIES)}.")
    elsewhere = db.session.execute(sa.select(TeamRoute.value, Team.name).join(Team, Team.id == TeamRoute.team_id).where(
        TeamRoute.kind == kind, TeamRoute.value.in_(values or [""]), TeamRoute.team_id != team.id)).first()
    if elsewhere is not None:
        raise Refused(field, f"{elsewhere.value} already routes to the team {elsewhere.name}.", 409)
    db.session.execute(sa.delete(TeamRoute).where(TeamRoute.team_id == team.id, TeamRoute.kind == kind))
    db.session.add_all(TeamRoute(kind=kind, value=value, team_id=team.id) for value in values)


def add_member(actor: str, team: Team, email: str) -> None:
    user = agent(email, "members")
    if db.session.get(TeamMember, (team.id, user.id)) is None:
        db.session.add(TeamMember(team_id=team.id, user_id=user.id))
        record(actor, "add team member", team.name, user.email)


def remove_member(actor: str, team: Team, email: str) -> bool:
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()
    removed = user is not None and db.session.execute(sa.delete(TeamMember).where(
        TeamMember.team_id == team.id, TeamMember.user_id == user.id)).rowcount > 0
    if removed:
        record(actor, "remove team member", team.name, user.email)
    return removed


def delete_team(actor: str, team: Team) -> int:
    """Delete a team; its tickets leave it (each a change in their audit trail, by `actor`) and keep their
    assignees. Returns how many tickets left it. The caller commits."""
    moved = change_tickets(Ticket.team_id == team.id, {"team_id": None}, actor)
    db.session.delete(team)
    record(actor, "delete team", team.name, f"{moved} tickets left it")
    return moved


def members(team: Team) -> list[User]:
    return list(db.session.scalars(sa.select(User).join(TeamMember, TeamMember.user_id == User.id)
                                   .where(TeamMember.team_id == team.id).order_by(User.email)))


def routes(team: Team) -> dict[str, list[str]]:
    rows = db.session.execute(sa.select(TeamRoute.kind, TeamRoute.value).where(TeamRoute.team_id == team.id)
                              .order_by(TeamRoute.value)).all()
    return {field: [r.value for r in rows if r.kind == kind] for field, kind in ROUTED.items()}


def team_json(team: Team) -> dict:
    return {"id": team.id, "name": team.name, "assignment": team.assignment,
            "members": [{"email": u.email, "name": u.name, "away": u.away} for u in members(team)], **routes(team)}


def _summary(team: Team) -> str:
    found = routes(team)
    return (f"{team.assignment}; {len(members(team))} members; addresses {', '.join(found['addresses']) or 'none'}; "
            f"categories {', '.join(found['categories']) or 'none'}")


ROUTES = sa.select(TeamRoute.kind, TeamRoute.value, TeamRoute.team_id)


def all_routes() -> dict[tuple[str, str], int]:
    """Every route, (kind, value) → team id, as this worker keeps them while the settings are unchanged (a
    new ticket reads them without a query)."""
    return kept("team routes", lambda session: {(r.kind, r.value): r.team_id for r in session.execute(ROUTES)})


def routed_team(category: str | None, addresses=()) -> int | None:
    """The team a new ticket goes to: the first of the mail's `addresses` routed to one, else its category's."""
    wanted = [("address", a) for a in addresses] + ([("category", category)] if category else [])
    if not wanted:
        return None
    found = all_routes()
    return next((found[w] for w in wanted if w in found), None)
