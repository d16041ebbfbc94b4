"""A ticket's thread in the JSON API: `/api/tickets/<id>/messages/`, and the desk's saved replies."""
from flask import jsonify

from ..api import api_route, get_or_404, json_body
from ..auth import current_actor, current_setter
from ..errors import ApiError
from ..extensions import db
from ..mail_out.delivery import send_again
from ..models import Message, SavedReply, Ticket
from ..ownership.refusals import Refused
from ..schemas import (
    load_or_400,
    message_json,
    message_schema,
    saved_reply_json,
    saved_reply_patch_schema,
    saved_reply_schema,
)
from . import bp, macros
from .files import attachments_by_message
from .messages import dispatch, post, thread
from .saved_replies import all_saved, save


@api_route(bp, "/api/tickets/<id:ticket_id>/messages/", methods=["GET"])
def list_messages(ticket_id: int):
    """The thread, oldest first (the ticket's description is its opening, in the ticket itself)."""
    get_or_404(Ticket, ticket_id)
    files = attachments_by_message(ticket_id)
    return jsonify([message_json(m, files.get(m.id, ())) for m in thread(ticket_id)])


@api_route(bp, "/api/tickets/<id:ticket_id>/messages/", methods=["POST"])
def post_message(ticket_id: int):
    ticket = get_or_404(Ticket, ticket_id)
    data = load_or_400(message_schema, json_body())
    saved = None
    if "saved_reply_id" in data and (saved := db.session.get(SavedReply, data["saved_reply_id"])) is None:
        raise ApiError(400, {"saved_reply_id": ["No such saved reply."]})
    message = post(ticket, data["kind"], data["body"], current_actor())
    if saved is not None:
        try:
            macros.apply(ticket, saved, current_actor(), current_setter())
        except Refused as e:
            db.session.rollback()
            raise ApiError(e.status, {e.field: [str(e)]}) from None
    db.session.commit()
    dispatch(message)
    return jsonify(message_json(message)), 201


@api_route(bp, "/api/tickets/<id:ticket_id>/messages/<id:message_id>/send/", methods=["POST"])
def resend_message(ticket_id: int, message_id: int):
    """Send a reply again: one that failed, or one kept unsent before mail was configured."""
    message = message_or_404(ticket_id, message_id)
    send_again(message)
    db.session.commit()
    dispatch(message)
    return jsonify(message_json(message)), 202


def message_or_404(ticket_id: int, message_id: int) -> Message:
    get_or_404(Ticket, ticket_id)
    message = db.session.get(Message, message_id)
    if message is None or message.ticket_id != ticket_id:
        raise ApiError(404, {"detail": "No such message on this ticket."})
    return message


@api_route(bp, "/api/saved-replies/", methods=["GET"])
def list_saved_replies():
    """Every saved reply, by title."""
    return jsonify([saved_reply_json(r) for r in all_saved()])


@api_route(bp, "/api/saved-replies/", methods=["POST"])
def create_saved_reply():
    reply = save(SavedReply(), load_or_400(saved_reply_schema, json_body()), current_actor())
    db.session.commit()
    return jsonify(saved_reply_json(reply)), 201


@api_route(bp, "/api/saved-replies/<id:reply_id>/", methods=["GET"])
def get_saved_reply(reply_id: int):
    return jsonify(saved_reply_json(saved_reply_or_404(reply_id)))


@api_route(bp, "/api/saved-replies/<id:reply_id>/", methods=["PATCH"])
def update_saved_reply(reply_id: int):
    reply = saved_reply_or_404(reply_id)
    save(reply, load_or_400(saved_reply_patch_schema, json_body()), current_actor())
    db.session.commit()
    return jsonify(saved_reply_json(reply))


@api_route(bp, "/api/saved-replies/<id:reply_id>/", methods=["DELETE"])
def delete_saved_reply(reply_id: int):
    db.session.delete(saved_reply_or_404(reply_id))
    db.session.commit()
    return "", 204


def saved_reply_or_404(reply_id: int) -> SavedReply:
    return get_or_404(SavedReply, reply_id, "No such saved reply.")
