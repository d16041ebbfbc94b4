"""The pages and files of incoming mail: the quarantine admins retry or delete mail from, a mail's original
(for agents, beside the stripped text the thread shows), and attachments, always served as downloads.

A mail's page shows what intake stored of it (`IncomingMail.view`): no page parses a mail. Mail behind a
ticket is for whoever may read that ticket; mail that became no ticket (ignored, bounced, quarantined) is
for admins only."""
import io

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound

from ..auth.access import ADMIN, allows
from ..extensions import db
from ..models import Attachment, IncomingMail
from ..schemas import whole_number
from ..text import visible
from . import bp
from .intake import read_bounded, retry
from .reading import unreadable_view

RECENT = 50
SHOWN = 200  # quarantined mails listed, newest first (a flood of junk must not make the page unusable)
# served with their own type (still as downloads); anything else is application/octet-stream
INERT_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
               "text/calendar", "application/zip", "message/rfc822"}
FILES_PER_PAGE = 50
DELETABLE = ("quarantined", "ignored")  # what became a ticket, a message or a bounce's record is kept


@bp.route("/admin/mail")
def quarantine():
    quarantined = db.session.scalars(sa.select(IncomingMail).where(IncomingMail.outcome == "quarantined")
                                     .order_by(IncomingMail.id.desc()).limit(SHOWN)).all()
    total = db.session.scalar(sa.select(sa.func.count()).where(IncomingMail.outcome == "quarantined"))
    recent = db.session.scalars(sa.select(IncomingMail).order_by(IncomingMail.id.desc()).limit(RECENT)).all()
    return render_template("mail/quarantine.html", quarantined=quarantined, total=total, recent=recent,
                           form=FlaskForm())


@bp.post("/admin/mail/<id:mail_id>/retry")
def retry_mail(mail_id: int):
    row = _mail_or_404(mail_id)
    if row.outcome != "quarantined":
        flash(f"Mail #{mail_id} is not in quarantine (it was taken in: {row.outcome}).", "error")
    elif row.purged_at is not None:
        flash(f"Mail #{mail_id} was emptied by retention (MAIL_RETENTION_DAYS): there is nothing to read again.", "error")
    elif FlaskForm().validate_on_submit():
        outcome = retry(row)
        flash(f"Mail #{mail_id}: {outcome.said}.", "error" if outcome.kind == "quarantined" else "success")
    return redirect(url_for("mail.quarantine"))


@bp.post("/admin/mail/<id:mail_id>/delete")
def delete_mail(mail_id: int):
    """Only quarantined and ignored mail may be deleted: what became a ticket or message is its original."""
    row = _mail_or_404(mail_id)
    if row.outcome not in DELETABLE:
        flash(f"Mail #{mail_id} was taken in ({row.outcome}), so it is kept.", "error")
    elif FlaskForm().validate_on_submit():
        db.session.delete(row)
        db.session.commit()
        flash(f"Mail #{mail_id} deleted.", "success")
    return redirect(url_for("mail.quarantine"))


@bp.route("/mail/<id:mail_id>")
def original(mail_id: int):
    """The mail as it came: its headers and its whole text, quotes and signature included; its files a page
    at a time."""
    row = _readable_or_404(mail_id)
    view = _view(row)
    if view.get("unreadable"):
        flash("This mail cannot be read as mail; the beginning of its bytes is shown as text.", "error")
    page = whole_number(request.args.get("page")) or 1
    files = db.session.scalars(sa.select(Attachment).where(Attachment.mail_id == row.id).order_by(Attachment.id)
                               .offset((page - 1) * FILES_PER_PAGE).limit(FILES_PER_PAGE + 1)).all()
    return render_template("mail/original.html", row=row, headers=view.get("headers", []), text=view.get("text", ""),
                           files=files[:FILES_PER_PAGE], page=page, more=len(files) > FILES_PER_PAGE,
                           form=FlaskForm(), deletable=row.outcome in DELETABLE)


@bp.route("/mail/<id:mail_id>/raw")
def raw(mail_id: int):
    row = _readable_or_404(mail_id)
    if row.purged_at is not None:
        raise NotFound(f"Mail #{row.id} was emptied by retention (MAIL_RETENTION_DAYS); only its record is kept.")
    return _download(row.raw, f"mail-{row.id}.eml", "message/rfc822")


@bp.route("/attachments/<id:attachment_id>")
def attachment(attachment_id: int):
    file = db.session.get(Attachment, attachment_id)
    if file is None:
        raise NotFound("There is no such attachment.")
    if file.data is None:
        raise NotFound(f"{file.filename} was larger than MAIL_MAX_ATTACHMENT_BYTES, so it was kept only in the "
                       f"original mail: download that from {url_for('mail.original', mail_id=file.mail_id)}.")
    return _download(file.data, file.filename, file.content_type)


def _download(data: bytes, filename: str, content_type: str):
    """Always a download, never shown in the page: the browser may neither guess a type nor run anything."""
    response = send_file(io.BytesIO(data), mimetype=content_type if content_type in INERT_TYPES else "application/octet-stream",
                         as_attachment=True, download_name=visible(filename) or "file", etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _view(row: IncomingMail) -> dict:
    """What intake stored; a mail taken in before it did so is read once (in the sandbox) and kept."""
    if row.purged_at is not None:
        return {"headers": [], "text": "(Emptied by retention, MAIL_RETENTION_DAYS: only the mail's record is kept.)"}
    if row.view is None:
        raw = row.raw
        reading, _why = read_bounded(raw)
        view = reading.view if reading is not None else unreadable_view(raw)
        row = db.session.get(IncomingMail, row.id)
        row.view = view
        db.session.commit()
    return row.view


def _readable_or_404(mail_id: int) -> IncomingMail:
    row = _mail_or_404(mail_id)
    of_a_ticket = row.ticket_id is not None and row.outcome in ("ticket", "message")  # a bounce's is the desk's
    if not of_a_ticket and not allows(g.get("role", ADMIN), ADMIN):
        abort(403, description="Only admins may read mail that became no ticket (ignored, bounced or quarantined).")
    return row


def _mail_or_404(mail_id: int) -> IncomingMail:
    row = db.session.get(IncomingMail, mail_id)
    if row is None:
        raise NotFound("There is no such mail.")
    return row
