"""The agents' pages for tickets: the list, filing a ticket, and one ticket."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.exceptions import NotFound

from ..auth import current_actor
from ..conversations.panel import thread_panel
from ..errors import ApiError
from ..extensions import db
from ..forms import OwnerForm, StatusForm, TicketForm, TriageForm, label
from ..models import CATEGORIES, PRIORITIES, STATUSES, Ticket, TicketEvent
from ..ownership.changes import owner_changes
from ..ownership.queues import all_due, conditions, find
from ..ownership.refusals import Refused
from ..ownership.teams import all_teams, possible_owners
from ..record.changes import VersionMismatch, change_ticket
from ..record.labels import LABELS, set_by_desk, stamp
from ..record.queries import (
    decode_cursor,
    encode_cursor,
    filtered,
    page_rows,
    ticket_count,
    ticket_rows,
)
from ..schemas import BULK_MAX, ticket_query_schema, whole_number
from ..templating import LANGUAGE_NAMES
from ..triage import feedback
from . import bp
from .bulk import change_many
from .filing import file_ticket

PAGE_SIZE = 25
BULK_LIMIT = 10_000  # tickets "all matching" may change from the list page, newest first
FILTERS = ("category", "priority", "status", "language", "requester", "search", "assignee", "team", "tag", "sla")
PARAMS = (*FILTERS, "view", "ordering", "cursor")
ORDER_LABELS = {"-created_at": "Newest first", "created_at": "Oldest first", "priority": "Priority",
                "sla_due": "Due soonest"}
# what the pager's links say in each ordering: (previous page, next page)
PAGER_LABELS = {"-created_at": ("Newer", "Older"), "created_at": ("Older", "Newer"), "priority": ("Previous", "Next"),
                "sla_due": ("Due sooner", "Due later")}
# the one-click moves offered for each status (the API allows any)
NEXT_STATUSES = {"open": ["in_progress", "resolved"], "in_progress": ["resolved", "open"],
                 "resolved": ["closed", "open"], "closed": ["open"]}


def language_choices(selected: str | None) -> list[str]:
    """The language filter's options: the languages the pages name (a fixed list, so the list page never
    scans 1,000,000 tickets for their distinct languages), and whichever other one the address asked for."""
    codes = sorted(LANGUAGE_NAMES, key=LANGUAGE_NAMES.get)
    return codes if not selected or selected in LANGUAGE_NAMES else [*codes, selected]


class Unusable(ValueError):
    """The list's address asks for what cannot be shown: say why, and show `keep` instead."""

    def __init__(self, message: str, keep: dict):
        super().__init__(message)
        self.keep = keep


def _list_args(raw: dict):
    """The list's filters as `ticket_page` takes them (`me` made the signed-in agent's id, the cursor left to
    the caller), its queue, and the queue's conditions; raises Unusable. The page and its bulk form share it."""
    me = current_user.id if current_user.is_authenticated else None
    queue = find(raw["view"], me) if "view" in raw else None
    if "view" in raw and queue is None:
        raise Unusable("That queue is not one of yours; showing every ticket.", _without(raw, "view"))
    try:
        args = ticket_query_schema.load(_without(raw, "view") | ({"tag": [raw["tag"]]} if "tag" in raw else {}) | (
            {"ordering": queue.ordering} if queue and "ordering" not in raw else {}))
    except ValidationError:
        raise Unusable("Some filters were not understood and have been cleared.", {}) from None
    args.pop("limit")
    if args.get("assignee") == "me":
        if me is None:
            raise Unusable("“Mine” needs you signed in; showing everyone's.", _without(raw, "assignee"))
        args["assignee"] = me
    return args, queue, conditions(queue, me) if queue else ()


def _without(raw: dict, name: str) -> dict:
    return {k: v for k, v in raw.items() if k != name}


@bp.get("/")
def index():
    given = {k: v for k, v in request.args.items() if k in PARAMS}
    raw = {k: v for k, v in given.items() if v.strip()}
    if len(raw) < len(given):  # a form sent without JavaScript names every field, filled or not
        return redirect(url_for("tickets.index", **raw))
    try:
        args, queue, where = _list_args(raw)
        ordering = args["ordering"]
        after = decode_cursor(args.pop("cursor"), ordering) if "cursor" in args else None
    except Unusable as e:
        flash(str(e), "warning")
        return redirect(url_for("tickets.index", **e.keep))
    except ApiError:  # a cursor that is not one of ours
        flash("Some filters were not understood and have been cleared.", "warning")
        return redirect(url_for("tickets.index"))
    rows = ticket_rows(**args, after=after, limit=PAGE_SIZE, where=where, all_due=all_due(queue))
    rows, following, preceding = page_rows(rows, after, PAGE_SIZE, ordering)
    kept = {k: raw[k] for k in (*FILTERS, "view", "ordering") if k in raw}
    link = lambda cursor: cursor and url_for("tickets.index", **kept, cursor=encode_cursor(cursor))  # noqa: E731
    filters = {k: args[k] for k in FILTERS if k in args}
    count, exact = ticket_count(**filters, where=where)
    return render_template("tickets/list.html", tickets=rows, filters={k: raw.get(k, "") for k in PARAMS},
                           filtered=bool(filters), queue=queue, paged=after is not None, count=count, exact=exact,
                           first=url_for("tickets.index", **kept), next_page=link(following),
                           previous_page=link(preceding), pager_labels=PAGER_LABELS[ordering],
                           orderings=ORDER_LABELS, categories=CATEGORIES, priorities=PRIORITIES, statuses=STATUSES,
                           languages=language_choices(filters.get("language")), teams=[t.name for t in all_teams()],
                           agents=possible_owners(), bulk_limit=BULK_LIMIT, savable=_savable(raw, queue),
                           ordering=raw.get("ordering") or (queue.ordering if queue else ""))


def _savable(raw: dict, queue) -> list[tuple[str, str]] | None:
    """The filters "Save as a view" keeps, as (name, value) pairs (`tag` repeated): a saved view's own and
    those added on top. None in a built-in queue, whose rules are no filters."""
    if queue is not None and queue.kind == "built-in":
        return None
    kept = dict(queue.filters) if queue else {}
    tags = [*kept.pop("tag", []), *([raw["tag"]] if "tag" in raw else [])]
    kept.update({name: raw[name] for name in FILTERS if name in raw and name != "tag"})
    return [*kept.items(), *(("tag", tag) for tag in dict.fromkeys(tags))]


@bp.route("/tickets/new", methods=["GET", "POST"])
def new():
    form = TicketForm()
    if form.validate_on_submit():
        ticket = file_ticket(form.cleaned, current_actor(), "agent", _shown_suggestion(form.suggestion_id.data))
        db.session.commit()
        flash(f"Ticket #{ticket.id} filed.", "success")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    return render_template("tickets/new.html", form=form)


def _shown_suggestion(raw: str | None):
    """The suggestion the page showed, if it is one this agent was served and no ticket uses yet; a stale or
    tampered id only loses the feedback, never the ticket."""
    suggestion_id = whole_number(raw or "")
    if suggestion_id is None:
        return None
    try:
        return feedback.served(suggestion_id, current_actor())
    except ApiError:
        return None


class TicketNotFound(NotFound):
    name = "Ticket not found"


def _ticket_or_404(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise TicketNotFound(f"There is no ticket #{ticket_id}. Check the number, or find it in the list.")
    return ticket


def _saved(ticket_id: int, changes: dict, touch: bool = False) -> bool:
    """Apply `changes` if the ticket is still at the version the agent's page showed (its hidden
    `version` field); otherwise save nothing and say why."""
    shown = whole_number(request.form.get("version", ""))
    try:
        change_ticket(ticket_id, changes, None if shown is None else {shown}, current_actor(), touch=touch)
    except VersionMismatch:
        db.session.rollback()
        flash("Someone else changed this ticket while you had it open, so nothing was saved. "
              "This is the ticket as it is now.", "error")
        return False
    db.session.commit()
    return True


@bp.route("/tickets/<id:ticket_id>", methods=["GET", "POST"])
def detail(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    triage = TriageForm(obj=ticket)
    if triage.validate_on_submit():
        changed = {k: v for k, v in triage.cleaned.items() if getattr(ticket, k) != v}
        # saving the desk's own labels as they are confirms them: from now on they teach the learned model
        confirmed = [name for name in LABELS if set_by_desk(ticket, name)]
        changes = {**changed, **stamp(sorted({*changed, *confirmed}), "agent", current_actor())}
        if not changes:
            flash("Nothing changed.", "success")
        elif _saved(ticket.id, changes):
            flash("Ticket updated." if changed else "Triage confirmed.", "success")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    history = db.session.scalars(db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id.desc())).all()
    return render_template("tickets/detail.html", ticket=ticket, triage=triage, status_form=StatusForm(),
                           owner=_owner_form(ticket), me=current_user.id if current_user.is_authenticated else None,
                           moves=NEXT_STATUSES[ticket.status], history=history,
                           by_desk=[name for name in LABELS if set_by_desk(ticket, name)],
                           **thread_panel(ticket),
                           follow_ups=db.session.scalars(db.select(Ticket.id).where(Ticket.follows_up_id == ticket.id)
                                                         .order_by(Ticket.id)).all())


@bp.post("/tickets/<id:ticket_id>/status")
def change_status(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    form = StatusForm()
    if form.validate_on_submit() and "status" in form.cleaned:
        if _saved(ticket.id, {"status": form.cleaned["status"]}):
            flash(f"Status set to {label(form.cleaned['status']).lower()}.", "success")
    else:
        flash("That status change was not understood; nothing changed.", "error")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


def _owner_form(ticket: Ticket) -> OwnerForm:
    form = OwnerForm(data={"team": ticket.team_name or "", "assignee": ticket.assignee_email or "",
                           "tags": " ".join(ticket.tags)})
    form.team.choices = [("", "No team"), *((team.name, team.name) for team in all_teams())]
    form.assignee.choices = [("", "Nobody"), *((a.email, f"{a.name} <{a.email}>" if a.name else a.email)
                                               for a in possible_owners())]
    return form


@bp.post("/tickets/<id:ticket_id>/owner")
def change_owner(ticket_id: int):
    """The owner panel: "Take it" (`take`), or the team, assignee and tags as the form has them now. Only
    what differs from the ticket is changed, so moving a ticket into a team with nobody assigned lets the
    team choose, as through the API."""
    ticket = _ticket_or_404(ticket_id)
    form = OwnerForm()
    if not form.validate_on_submit():
        flash("That change was not understood; nothing changed.", "error")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    if "take" in request.form:
        if not current_user.is_authenticated:
            flash("Sign in to take a ticket.", "error")
            return redirect(url_for("tickets.detail", ticket_id=ticket.id))
        wanted = {"assignee": current_user.email}
    else:
        given = {"team": form.team.data or None, "assignee": form.assignee.data or None}
        wanted = {k: v for k, v in given.items() if v != getattr(ticket, f"{k}_name" if k == "team" else "assignee_email")}
        tags = (form.tags.data or "").replace(",", " ").split()
        if sorted(set(t.lower() for t in tags)) != ticket.tags:
            wanted["tags"] = tags
    try:
        columns, tagged = owner_changes(ticket, wanted, current_actor())
    except Refused as e:
        db.session.rollback()
        flash(f"Nothing was saved: {e}", "error")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    if not (columns or tagged):
        flash("Nothing changed.", "success")
    elif _saved(ticket.id, columns, touch=tagged):
        flash("You own it now." if "take" in request.form else "Owner and tags saved.", "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


BULK_FIELDS = ("status", "priority", "category", "assignee", "team")


@bp.post("/tickets/bulk")
def bulk_from_page():
    """The list's bulk form: first a page that says how many tickets change and how, then (`confirm`) the
    change, at most BULK_MAX tickets to a statement, BULK_LIMIT in all."""
    form = request.form
    filters = {k.removeprefix("filter_"): v for k, v in form.items() if k.startswith("filter_") and v.strip()}
    back = url_for("tickets.index", **filters)
    changes = {k: (None if form[k] == "none" and k in ("assignee", "team") else form[k])
               for k in BULK_FIELDS if form.get(k, "").strip()}
    add, remove = [t for t in [form.get("add_tag", "").strip()] if t], [t for t in [form.get("remove_tag", "").strip()] if t]
    ids, capped = _bulk_ids(form, filters)
    problem = ("Choose tickets first: tick them, or “All matching”." if not ids else
               None if changes or add or remove else "Choose what to change: a field to set or a tag.")
    bad = [k for k in ("status", "priority", "category") if k in changes and changes[k] not in
           {"status": STATUSES, "priority": PRIORITIES, "category": CATEGORIES}[k]]
    if problem or bad:
        flash(problem or f"That {bad[0]} was not understood; nothing changed.", "error")
        return redirect(back)
    if not form.get("confirm"):
        summary = [f"Set {k} to {label(v) if k in ('status', 'priority', 'category') else (v or 'none')}"
                   for k, v in changes.items()] + [f"Add the tag {t}" for t in add] + [f"Remove the tag {t}" for t in remove]
        kept = [(k, v) for k, v in form.items(multi=True) if k not in ("csrf_token", "confirm")]
        return render_template("tickets/bulk_confirm.html", count=len(ids), summary=summary, form=kept,
                               back=back, capped=capped)
    updated, failed = 0, 0
    try:
        for start in range(0, len(ids), BULK_MAX):
            done, missed = change_many(ids[start:start + BULK_MAX], dict(changes), add, remove, current_actor(), "agent")
            updated, failed = updated + len(done), failed + len(missed)
    except Refused as e:
        db.session.rollback()
        flash(f"Nothing was changed: {e}", "error")
        return redirect(back)
    db.session.commit()
    flash(f"{updated:,} ticket{'' if updated == 1 else 's'} changed." +
          (f" {failed:,} no longer exist." if failed else ""), "success")
    return redirect(back)


def _bulk_ids(form, filters: dict) -> tuple[list[int], bool]:
    """The tickets the form names: those ticked, or the first BULK_LIMIT matching the list's filters (and its
    queue); and whether more matched than that."""
    if not form.get("all_matching"):
        return [i for i in (whole_number(v) for v in form.getlist("ids")) if i is not None][:BULK_LIMIT], False
    try:
        args, _, where = _list_args(filters)
    except Unusable:
        return [], False
    args.pop("ordering"), args.pop("cursor", None)  # a page's position means nothing to "all matching"
    ids = db.session.scalars(filtered(sa.select(Ticket.id), **args).where(*where)
                             .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(BULK_LIMIT + 1)).all()
    return ids[:BULK_LIMIT], len(ids) > BULK_LIMIT
