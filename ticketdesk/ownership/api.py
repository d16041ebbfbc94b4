"""Teams, views, tags and the agent's own settings in the JSON API: `/api/teams/`, `/api/views/`, `/api/tags/`,
`/api/me/`. Teams are read by anyone who reads tickets and changed by admins (a session or an `admin` token);
views shared with the desk likewise, and an agent's own views by that agent alone."""
import sqlalchemy as sa
from flask import g, jsonify, request, url_for

from ..api import api_route, get_or_404, json_body
from ..auth import current_actor, signed_in_agent
from ..errors import ApiError
from ..extensions import db
from ..models import Notification, SavedView, Team, TeamMember, User, utcnow
from ..schemas import load_or_400, utc_text
from . import bp
from .refusals import Refused
from .notifications import mentionable
from .queues import find, queue_json, queues_for, saved_queue
from .saved_views import may_change, save_view
from .schemas import (
    me_schema,
    read_schema,
    saved_view_patch_schema,
    saved_view_schema,
    team_patch_schema,
    team_schema,
)
from .tags import suggest
from .teams import all_teams, delete_team, save_team, team_json

NO_TEAM = "No such team."
NOT_AN_AGENT = "A token is no agent: sign in to the desk's pages for your own settings."


def refused(e: Refused) -> ApiError:
    return ApiError(e.status, {e.field: [str(e)]})


@api_route(bp, "/api/views/", methods=["GET"])
def list_views():
    """The queues the caller has, each with how many tickets it holds (see queues.py)."""
    me = signed_in_agent()
    return jsonify([queue_json(queue, me) for queue in queues_for(me)])


@api_route(bp, "/api/views/", methods=["POST"])
def create_view():
    data = load_or_400(saved_view_schema, json_body())
    me = signed_in_agent()
    if data["shared"] and g.get("role") != "admin":
        raise ApiError(403, {"detail": "Only an admin shares a view with the desk."})
    if not data["shared"] and me is None:
        raise ApiError(400, {"shared": ["A token has no views of its own: send `shared: true` (admins)."]})
    try:
        view = save_view(None, data, None if data["shared"] else me, current_actor())
    except Refused as e:
        db.session.rollback()
        raise refused(e) from None
    db.session.commit()
    return jsonify(queue_json(saved_queue(view), me)), 201


@api_route(bp, "/api/views/<key>/", methods=["PATCH"])
def update_view(key: str):
    view = _changeable_view(key)
    data = load_or_400(saved_view_patch_schema, json_body())
    try:
        save_view(view, data, view.owner_id, current_actor())
    except Refused as e:
        db.session.rollback()
        raise refused(e) from None
    db.session.commit()
    return jsonify(queue_json(saved_queue(view), signed_in_agent()))


@api_route(bp, "/api/views/<key>/", methods=["DELETE"])
def delete_view(key: str):
    db.session.delete(_changeable_view(key))
    db.session.commit()
    return "", 204


def _changeable_view(key: str) -> SavedView:
    """The saved view `key` names, if the caller sees it (404: a built-in view is no saved one) and may change
    it (403: a shared one, and the caller is no admin)."""
    me = signed_in_agent()
    queue = find(key, me)
    if queue is None or queue.kind == "built-in":
        raise ApiError(404, {"detail": "No such saved view." if queue is None else
                             "A built-in view cannot be changed or deleted."})
    view = db.session.get(SavedView, int(queue.key))
    if not may_change(view, me, g.get("role") == "admin"):
        raise ApiError(403, {"detail": "Only an admin changes a view shared with the desk."})
    return view


@api_route(bp, "/api/teams/", methods=["GET"])
def list_teams():
    return jsonify([team_json(team) for team in all_teams()])


@api_route(bp, "/api/teams/", methods=["POST"])
def create_team():
    data = load_or_400(team_schema, json_body())
    try:
        team = save_team(current_actor() or "api", None, data)
    except Refused as e:
        db.session.rollback()
        raise refused(e) from None
    db.session.commit()
    return jsonify(team_json(team)), 201


@api_route(bp, "/api/teams/<id:team_id>/", methods=["GET"])
def get_team(team_id: int):
    return jsonify(team_json(get_or_404(Team, team_id, NO_TEAM)))


@api_route(bp, "/api/teams/<id:team_id>/", methods=["PATCH"])
def update_team(team_id: int):
    team = get_or_404(Team, team_id, NO_TEAM)
    data = load_or_400(team_patch_schema, json_body())
    try:
        save_team(current_actor() or "api", team, data)
    except Refused as e:
        db.session.rollback()
        raise refused(e) from None
    db.session.commit()
    return jsonify(team_json(team))


@api_route(bp, "/api/teams/<id:team_id>/", methods=["DELETE"])
def remove_team(team_id: int):
    delete_team(current_actor() or "api", get_or_404(Team, team_id, NO_TEAM))
    db.session.commit()
    return "", 204


@api_route(bp, "/api/agents/", methods=["GET"])
def list_agents():
    """The agents whose email or name starts with `q`, for "@" mentions as an agent writes a note."""
    return jsonify(mentionable(request.args.get("q", "").replace("\x00", "")))


@api_route(bp, "/api/tags/", methods=["GET"])
def list_tags():
    """The tags that start with `q`, for suggestions as an agent types."""
    return jsonify(suggest(request.args.get("q", "").replace("\x00", "")))


def _me(user: User) -> dict:
    teams = db.session.scalars(sa.select(Team.name).join(TeamMember, TeamMember.team_id == Team.id)
                               .where(TeamMember.user_id == user.id).order_by(Team.name)).all()
    return {"email": user.email, "name": user.name, "role": user.role, "away": user.away, "teams": teams}


def _signed_in_agent() -> User:
    """The agent whose session this is. A token (or a desk with access control off) has no "me": a 400, as
    the gate let the request through."""
    if (me := signed_in_agent()) is None:
        raise ApiError(400, {"detail": NOT_AN_AGENT})
    return db.session.get(User, me)


@api_route(bp, "/api/me/", methods=["GET"])
def get_me():
    return jsonify(_me(_signed_in_agent()))


@api_route(bp, "/api/me/", methods=["PATCH"])
def update_me():
    user = _signed_in_agent()
    data = load_or_400(me_schema, json_body())
    if "away" in data:
        user.away = data["away"]
    if "name" in data:
        user.name = (data["name"] or "").strip() or None
    db.session.commit()
    return jsonify(_me(user))


NOTIFICATIONS_SHOWN = 50


def notification_json(n: Notification) -> dict:
    return {"id": n.id, "kind": n.kind, "text": n.text, "ticket_id": n.ticket_id, "count": n.count, "actor": n.actor,
            "created_at": utc_text(n.created_at), "read": n.read_at is not None,
            "url": url_for("tickets.detail", ticket_id=n.ticket_id) if n.ticket_id else url_for(
                "tickets.index", view="mine")}


def unread(user_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)))


@api_route(bp, "/api/notifications/", methods=["GET"])
def list_notifications():
    """The signed-in agent's newest notifications, and how many are unread."""
    user = _signed_in_agent()
    newest = db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id.desc()).limit(NOTIFICATIONS_SHOWN))
    return jsonify({"unread": unread(user.id), "notifications": [notification_json(n) for n in newest]})


@api_route(bp, "/api/notifications/read/", methods=["POST"])
def read_notifications():
    """Mark the notifications `ids` names read, or every one when it names none."""
    user = _signed_in_agent()
    data = load_or_400(read_schema, json_body())
    mark_read(user.id, data.get("ids"))
    db.session.commit()
    return jsonify({"unread": unread(user.id)})


def mark_read(user_id: int, ids=None) -> None:
    statement = sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    db.session.execute(statement.values(read_at=utcnow()))
