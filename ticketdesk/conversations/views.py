"""The pages of conversations: the requester's (who they are, their tickets), the ticket page's composer
and "send again", and the saved replies."""
from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound

from ..auth import current_actor
from ..errors import ApiError
from ..extensions import db
from ..forms import MessageForm, RequesterForm, SavedReplyForm, label
from ..mail_out.delivery import send_again
from ..models import Message, Requester, SavedReply, Ticket
from ..ownership.refusals import Refused
from ..ownership.teams import all_teams, possible_owners
from ..placeholders import PLACEHOLDERS
from ..record.changes import change_ticket
from ..record.queries import ticket_count, ticket_page
from ..schemas import whole_number
from . import bp, macros
from .messages import dispatch, post
from .saved_replies import all_saved, save

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


@bp.post("/tickets/<id:ticket_id>/messages")
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
    macro = _macro_in(request.form)
    try:
        message = post(ticket, form.cleaned["kind"], form.cleaned["body"], current_actor())
        if macro is not None:
            macros.apply(ticket, macro, current_actor(), "agent")
    except (ApiError, Refused) as refused:
        db.session.rollback()
        said = str(refused) if isinstance(refused, Refused) else " ".join(
            m for messages in refused.body.values() for m in messages)
        flash(f"Nothing was sent. {said}" if macro is not None else said, "error")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="composer"))
    moved = form.then_status.data if form.then_status.data in ("in_progress", "resolved") else None
    moved = moved if moved != ticket.status else None
    if moved:
        change_ticket(ticket.id, {"status": moved}, actor=current_actor())
    db.session.commit()
    dispatch(message)
    said = {"queued": "Reply queued to be sent", "unsent": "Reply saved (not sent: mail is not configured)"}.get(
        message.delivery_state, "Note added")
    applied = f", “{macro.title}” applied" if macro is not None else ""
    flash(f"{said}{applied}{f' and status set to {label(moved).lower()}' if moved else ''}.", "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="thread"))


def _macro_in(form) -> SavedReply | None:
    """The macro the composer staged, if the agent left "Apply these changes" ticked (one deleted since
    is none)."""
    chosen = whole_number(form.get("macro", "")) if form.get("apply_macro") else None
    return db.session.get(SavedReply, chosen) if chosen else None


@bp.post("/tickets/<id:ticket_id>/messages/<id:message_id>/send")
def resend_from_page(ticket_id: int, message_id: int):
    """"Send again" on a reply that was not delivered (or kept unsent before mail was configured)."""
    message = db.session.get(Message, message_id)
    if message is None or message.ticket_id != ticket_id or not FlaskForm().validate_on_submit():
        flash("That reply could not be sent again; reload the ticket and try once more.", "error")
        return redirect(url_for("tickets.detail", ticket_id=ticket_id, _anchor="thread"))
    try:
        send_again(message)
    except ApiError as refused:
        db.session.rollback()
        flash(refused.body["detail"], "error")
        return redirect(url_for("tickets.detail", ticket_id=ticket_id, _anchor=f"message-{message_id}"))
    db.session.commit()
    dispatch(message)
    flash("Reply queued to be sent again.", "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket_id, _anchor=f"message-{message_id}"))


@bp.route("/saved-replies", methods=["GET", "POST"])
def saved_replies():
    form = SavedReplyForm().fill_choices(all_teams(), possible_owners())
    if form.validate_on_submit() and (reply := _save_from(form, SavedReply())):
        flash(f"Saved reply “{reply.title}” added.", "success")
        return redirect(url_for("conversations.saved_replies"))
    return render_template("conversations/saved_replies.html", replies=all_saved(), form=form,
                           placeholders=PLACEHOLDERS, described=macros.described)


@bp.route("/saved-replies/<id:reply_id>", methods=["GET", "POST"])
def saved_reply(reply_id: int):
    reply = db.session.get(SavedReply, reply_id)
    if reply is None:
        raise NotFound("There is no such saved reply.")
    form = SavedReplyForm(obj=reply).fill_choices(all_teams(), possible_owners())
    if request.method == "GET":
        form.show(reply)
    if form.validate_on_submit() and _save_from(form, reply):
        flash("Saved reply updated.", "success")
        return redirect(url_for("conversations.saved_replies"))
    return render_template("conversations/saved_reply.html", reply=reply, form=form, placeholders=PLACEHOLDERS,
                           described=macros.described)


def _save_from(form: SavedReplyForm, reply: SavedReply) -> SavedReply | None:
    """Save the form's saved reply and commit; None, with the reason on its field, when its title is taken or
    a change cannot be made (an agent or team gone since the page was shown, a tag that is no tag)."""
    try:
        save(reply, form.cleaned, current_actor())
    except ApiError as refused:
        db.session.rollback()
        for key, messages in refused.body.items():
            field = form[key.replace("changes.", "set_") if key in ("changes.team", "changes.assignee")
                         else key.removeprefix("changes.")]
            field.errors = [*field.errors, *messages]
        return None
    db.session.commit()
    return reply


@bp.post("/saved-replies/<id:reply_id>/delete")
def delete_saved_reply_page(reply_id: int):
    reply = db.session.get(SavedReply, reply_id)
    if reply is not None and FlaskForm().validate_on_submit():
        db.session.delete(reply)
        db.session.commit()
        flash(f"Saved reply “{reply.title}” deleted.", "success")
    return redirect(url_for("conversations.saved_replies"))
