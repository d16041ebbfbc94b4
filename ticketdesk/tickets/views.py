"""The agents' pages for tickets: the list, filing a ticket, and one ticket."""
from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import NotFound

from ..auth import current_actor
from ..errors import ApiError
from ..extensions import db
from ..mail import configured
from ..mail.files import attachments_by_message, originals_by_message
from ..conversations.messages import thread
from ..conversations.saved_replies import all_saved
from ..conversations.views import composer_for
from ..forms import StatusForm, TicketForm, TriageForm, label
from ..templating import LANGUAGE_NAMES
from ..models import CATEGORIES, PRIORITIES, STATUSES, Ticket, TicketEvent
from ..schemas import ticket_query_schema, whole_number
from . import bp
from ..triage import feedback
from .changes import VersionMismatch, change_ticket
from .filing import LABELS, file_ticket
from .queries import decode_cursor, encode_cursor, page_rows, ticket_count, ticket_page

PAGE_SIZE = 25
FILTERS = ("category", "priority", "status", "language", "requester", "search")
PARAMS = (*FILTERS, "ordering", "cursor")
ORDER_LABELS = {"-created_at": "Newest first", "created_at": "Oldest first", "priority": "Priority"}
# what the pager's links say in each ordering: (previous page, next page)
PAGER_LABELS = {"-created_at": ("Newer", "Older"), "created_at": ("Older", "Newer"), "priority": ("Previous", "Next")}
# the one-click moves offered for each status (the API allows any)
NEXT_STATUSES = {"open": ["in_progress", "resolved"], "in_progress": ["resolved", "open"],
                 "resolved": ["closed", "open"], "closed": ["open"]}


def language_choices(selected: str | None) -> list[str]:
    """The language filter's options: the languages the pages name (a fixed list, so the list page never
    scans 1,000,000 tickets for their distinct languages), and whichever other one the address asked for."""
    codes = sorted(LANGUAGE_NAMES, key=LANGUAGE_NAMES.get)
    return codes if not selected or selected in LANGUAGE_NAMES else [*codes, selected]


@bp.get("/")
def index():
    given = {k: v for k, v in request.args.items() if k in PARAMS}
    raw = {k: v for k, v in given.items() if v.strip()}
    if len(raw) < len(given):  # a form sent without JavaScript names every field, filled or not
        return redirect(url_for("tickets.index", **raw))
    try:
        args = ticket_query_schema.load(raw)
        ordering = args["ordering"]
        after = decode_cursor(args.pop("cursor"), ordering) if "cursor" in args else None
    except (ValidationError, ApiError):
        flash("Some filters were not understood and have been cleared.", "warning")
        return redirect(url_for("tickets.index"))
    args.pop("limit")
    rows = db.session.execute(ticket_page(**args, after=after, limit=PAGE_SIZE)).all()
    rows, following, preceding = page_rows(rows, after, PAGE_SIZE, ordering)
    kept = {k: raw[k] for k in (*FILTERS, "ordering") if k in raw}
    link = lambda cursor: cursor and url_for("tickets.index", **kept, cursor=encode_cursor(cursor))  # noqa: E731
    filters = {k: args[k] for k in FILTERS if k in args}
    count, exact = ticket_count(**filters)
    return render_template("tickets/list.html", tickets=rows, filters={k: raw.get(k, "") for k in PARAMS},
                           filtered=bool(filters), paged=after is not None, count=count, exact=exact,
                           first=url_for("tickets.index", **kept), next_page=link(following),
                           previous_page=link(preceding), pager_labels=PAGER_LABELS[ordering],
                           orderings=ORDER_LABELS, categories=CATEGORIES, priorities=PRIORITIES, statuses=STATUSES,
                           languages=language_choices(filters.get("language")))


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


def _saved(ticket_id: int, changes: dict) -> bool:
    """Apply `changes` if the ticket is still at the version the agent's page showed (its hidden
    `version` field); otherwise save nothing and say why."""
    shown = whole_number(request.form.get("version", ""))
    try:
        change_ticket(ticket_id, changes, None if shown is None else {shown}, current_actor())
    except VersionMismatch:
        db.session.rollback()
        flash("Someone else changed this ticket while you had it open, so nothing was saved. "
              "This is the ticket as it is now.", "error")
        return False
    db.session.commit()
    return True


@bp.route("/tickets/<ticket_id:ticket_id>", methods=["GET", "POST"])
def detail(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    triage = TriageForm(obj=ticket)
    if triage.validate_on_submit():
        changed = {k: v for k, v in triage.cleaned.items() if getattr(ticket, k) != v}
        # saving the desk's own labels as they are confirms them: from now on they teach the learned model
        confirmed = [name for name in LABELS if getattr(ticket, f"{name}_set_by") == "desk"]
        changes = {**changed, **{f"{name}_set_by": "agent" for name in {*changed, *confirmed}}}
        if not changes:
            flash("Nothing changed.", "success")
        elif _saved(ticket.id, changes):
            flash("Ticket updated." if changed else "Triage confirmed.", "success")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    history = db.session.scalars(db.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id.desc())).all()
    return render_template("tickets/detail.html", ticket=ticket, triage=triage, status_form=StatusForm(),
                           moves=NEXT_STATUSES[ticket.status], history=history,
                           by_desk=[name for name in LABELS if getattr(ticket, f"{name}_set_by") == "desk"],
                           thread=thread(ticket.id), composer=composer_for(ticket), saved_replies=all_saved(),
                           mail_configured=configured(current_app.config), files=attachments_by_message(ticket.id),
                           originals=originals_by_message(ticket.id),
                           follow_ups=db.session.scalars(db.select(Ticket.id).where(Ticket.follows_up_id == ticket.id)
                                                         .order_by(Ticket.id)).all())


@bp.post("/tickets/<ticket_id:ticket_id>/status")
def change_status(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    form = StatusForm()
    if form.validate_on_submit() and "status" in form.cleaned:
        if _saved(ticket.id, {"status": form.cleaned["status"]}):
            flash(f"Status set to {label(form.cleaned['status']).lower()}.", "success")
    else:
        flash("That status change was not understood; nothing changed.", "error")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))
