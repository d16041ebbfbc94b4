"""The pages and files of incoming mail: the quarantine admins retry or delete mail from, a mail's original
(for agents, beside the stripped text the thread shows), and attachments, always served as downloads."""
import io
from email import policy
from email.parser import BytesHeaderParser

import sqlalchemy as sa
from flask import flash, redirect, render_template, send_file, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import Attachment, IncomingMail
from . import bp
from .intake import retry
from .reading import Unreadable, decode, read

RECENT = 50
SHOWN = 200  # quarantined mails listed, newest first (a flood of junk must not make the page unusable)
# served with their own type (still as downloads); anything else is application/octet-stream
INERT_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
               "text/calendar", "application/zip", "message/rfc822"}
SHOWN_BYTES = 200_000  # of an original that cannot be read as mail, shown as text


@bp.route("/admin/mail")
def quarantine():
    quarantined = db.session.scalars(sa.select(IncomingMail).where(IncomingMail.outcome == "quarantined")
                                     .order_by(IncomingMail.id.desc()).limit(SHOWN)).all()
    total = db.session.scalar(sa.select(sa.func.count()).where(IncomingMail.outcome == "quarantined"))
    recent = db.session.scalars(sa.select(IncomingMail).order_by(IncomingMail.id.desc()).limit(RECENT)).all()
    return render_template("mail/quarantine.html", quarantined=quarantined, total=total, recent=recent,
                           form=FlaskForm())


@bp.post("/admin/mail/<ticket_id:mail_id>/retry")
def retry_mail(mail_id: int):
    row = _mail_or_404(mail_id)
    if row.outcome != "quarantined":
        flash(f"Mail #{mail_id} is not in quarantine (it was taken in: {row.outcome}).", "error")
    elif FlaskForm().validate_on_submit():
        outcome = retry(row)
        flash(f"Mail #{mail_id}: {outcome.said}.", "error" if outcome.said.startswith("quarantined") else "success")
    return redirect(url_for("mail.quarantine"))


@bp.post("/admin/mail/<ticket_id:mail_id>/delete")
def delete_mail(mail_id: int):
    """Only quarantined mail may be deleted: what became a ticket or message is its original."""
    row = _mail_or_404(mail_id)
    if row.outcome != "quarantined":
        flash(f"Mail #{mail_id} is not in quarantine (it was taken in: {row.outcome}), so it is kept.", "error")
    elif FlaskForm().validate_on_submit():
        db.session.delete(row)
        db.session.commit()
        flash(f"Mail #{mail_id} deleted.", "success")
    return redirect(url_for("mail.quarantine"))


@bp.route("/mail/<ticket_id:mail_id>")
def original(mail_id: int):
    """The mail as it came: its headers and its whole text, quotes and signature included."""
    row = _mail_or_404(mail_id)
    try:
        text, headers = read(row.raw, max_attachment=0).text, _headers(row.raw)
    except Unreadable as why:
        headers, text = [], decode(row.raw[:SHOWN_BYTES], "utf-8")
        flash(f"This mail cannot be read as mail ({why}); its bytes are shown as text.", "error")
    files = db.session.scalars(sa.select(Attachment).where(Attachment.mail_id == row.id)
                               .order_by(Attachment.id)).all()
    return render_template("mail/original.html", row=row, headers=headers, text=text, files=files)


@bp.route("/mail/<ticket_id:mail_id>/raw")
def raw(mail_id: int):
    row = _mail_or_404(mail_id)
    return _download(row.raw, f"mail-{row.id}.eml", "message/rfc822")


@bp.route("/attachments/<ticket_id:attachment_id>")
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
                         as_attachment=True, download_name=filename, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _headers(raw: bytes) -> list[tuple[str, str]]:
    message = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    return [(name, " ".join(str(message[name]).split())) for name in ("From", "To", "Cc", "Date", "Subject")
            if message[name] is not None]


def _mail_or_404(mail_id: int) -> IncomingMail:
    row = db.session.get(IncomingMail, mail_id)
    if row is None:
        raise NotFound("There is no such mail.")
    return row
