"""What the ticket page shows of the conversation, in one call: the newest messages (a page at a time),
the composer (holding a saved reply the agent asked to insert), the saved replies, each mail's files and
original, and whether the mail that opened the ticket has an unverified sender. The tickets package asks
for this panel instead of importing the conversation's internals."""
from flask import current_app, request

from ..extensions import db
from ..forms import MessageForm
from ..mail_out import configured
from ..models import SavedReply, Ticket
from ..placeholders import fill
from ..schemas import whole_number
from .files import (
    FILES_SHOWN,
    attachments_by_message,
    originals_by_message,
    unverified_sender,
)
from .macros import described
from .messages import thread_page
from .saved_replies import all_saved


def thread_panel(ticket: Ticket) -> dict:
    """The template values the ticket page's conversation needs (`?before=ID` pages back, `?saved_reply=ID`
    fills the composer)."""
    shown, earlier = thread_page(ticket.id, whole_number(request.args.get("before")))
    chosen = whole_number(request.args.get("saved_reply"))
    saved = db.session.get(SavedReply, chosen) if chosen else None
    staged = described(saved) if saved is not None else []
    return {"thread": shown, "earlier": earlier, "composer": composer_for(ticket, saved),
            "macro": saved if staged else None, "staged": staged,
            "staged_note": fill(saved.note, ticket) if staged and saved.note else None, "saved_replies": all_saved(),
            "mail_configured": configured(current_app.config),
            "files": attachments_by_message(ticket.id, [m.id for m in shown]), "files_shown": FILES_SHOWN,
            "originals": originals_by_message(ticket.id), "unverified": unverified_sender(ticket.id)}


def composer_for(ticket: Ticket, saved: SavedReply | None) -> MessageForm:
    """The ticket page's composer, holding the saved reply the agent asked to insert, filled in for this
    ticket (its changes and note, if it is a macro, are staged beside it: see the template)."""
    form = MessageForm()
    if saved is not None and not form.body.data:
        form.body.data = fill(saved.body, ticket)
    return form
