"""Saved views: the ticket list's filters and order kept under a name. An admin shares one with the desk;
any agent keeps their own. Each shows among every page's queue links with its count, so there are at most
VIEWS_MAX of each kind (the links stay short and their counts cheap)."""
import sqlalchemy as sa

from ..extensions import db
from ..models import SavedView
from .refusals import Refused

VIEWS_MAX = 20  # shared with the desk, and of each agent's own


def save_view(view: SavedView | None, data: dict, owner_id: int | None, actor: str | None) -> SavedView:
    """A new view (`view` None) owned by `owner_id` (None: shared with the desk), or `view` changed by `data`
    (name, filters, ordering: already checked by the schema). Raises Refused naming the field. The caller
    decides who may, and commits."""
    if view is None:
        view = SavedView(owner_id=owner_id, filters={})
        if _kept(owner_id) >= VIEWS_MAX:
            raise Refused("name", f"There are already {VIEWS_MAX} {_whose(owner_id)}: delete one first.", 409)
    name = data.get("name", view.name)
    taken = db.session.scalar(sa.select(SavedView.id).where(
        _same_owner(owner_id if view.id is None else view.owner_id),
        sa.func.lower(SavedView.name) == sa.func.lower(name), SavedView.id != (view.id or 0)))
    if taken is not None:
        raise Refused("name", f"One of the {_whose(view.owner_id)} is already called {name}.", 409)
    for key in ("name", "filters", "ordering"):
        if key in data:
            setattr(view, key, data[key])
    view.updated_by = actor
    db.session.add(view)
    db.session.flush()
    return view


def _same_owner(owner_id: int | None):
    return SavedView.owner_id.is_(None) if owner_id is None else SavedView.owner_id == owner_id


def _kept(owner_id: int | None) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SavedView).where(_same_owner(owner_id)))


def _whose(owner_id: int | None) -> str:
    return "views shared with the desk" if owner_id is None else "views of your own"


def may_change(view: SavedView, user_id: int | None, is_admin: bool) -> bool:
    """An admin changes the desk's shared views; an agent, their own."""
    return is_admin if view.owner_id is None else view.owner_id == user_id
