"""The pages of conversations: the requester's (who they are, their tickets) and the ticket page's composer."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from werkzeug.exceptions import NotFound

from ..auth import current_actor
from ..errors import ApiError
from ..extensions import db
from ..forms import MessageForm, RequesterForm, label
from ..models import Requester, Ticket
from ..tickets.changes import change_ticket
from ..tickets.queries import ticket_count, ticket_page
from . import bp
from .messages import post

SHOWN = 50  # tickets on the page; the list, filtered by this requester, pages through the rest


@bp.route("/requesters/<int:requester_id>", methods=["GET", "POST"])
def requester(requester_id: int):
    person = db.session.get(Requester, requester_id)
    if person is None:
        raise NotFound("There is no such requester.")
    form = RequesterForm(obj=person)
    if form.validate_on_submit():
        person.name = form.cleaned["name"]
        db.session.commit()
        flash("Name saved.", "success")
        return redirect(url_for("conversations.requester", requester_id=person.id))
    tickets = db.session.execute(ticket_page(requester=person.email, limit=SHOWN)).all()[:SHOWN]
    count, exact = ticket_count(requester=person.email)
    return render_template("conversations/requester.html", person=person, form=form, tickets=tickets,
                           count=count, exact=exact, shown=SHOWN)


@bp.post("/tickets/<ticket_id:ticket_id>/messages")
def post_from_page(ticket_id: int):
    """The composer on the ticket's page: reply or note, and optionally move the ticket in the same step."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("There is no such ticket.")
    form = MessageForm()
    if not form.validate_on_submit() or form.cleaned["kind"] not in ("reply", "note"):
        problems = [e for f in (form.body, form.kind) for e in f.errors] or ["Nothing was sent."]
        flash(" ".join(problems), "error")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="composer"))
    try:
        post(ticket, form.cleaned["kind"], form.cleaned["body"], current_actor())
    except ApiError as refused:
        db.session.rollback()
        flash(" ".join(m for messages in refused.body.values() for m in messages), "error")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="composer"))
    moved = form.then_status.data if form.then_status.data in ("in_progress", "resolved") else None
    moved = moved if moved != ticket.status else None
    if moved:
        change_ticket(ticket.id, {"status": moved}, actor=current_actor())
    db.session.commit()
    said = "Reply saved (not sent: mail is not configured)" if form.cleaned["kind"] == "reply" else "Note added"
    flash(f"{said}{f' and status set to {label(moved).lower()}' if moved else ''}.", "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="thread"))
