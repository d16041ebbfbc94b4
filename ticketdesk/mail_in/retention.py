"""How long the desk keeps mail that became nothing: the bytes of ignored, bounced and quarantined mail go
after MAIL_RETENTION_DAYS (by an hourly job, or `flask mail purge`); the row (sender, subject, outcome,
date) stays for the audit. A ticket's own mails are its originals and are kept."""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..jobs import periodic
from ..models import PURGEABLE, IncomingMail, utcnow

log = logging.getLogger(__name__)

BATCH = 500  # rows emptied per transaction: a large backlog never holds a long lock


def purge(older_than_days: float) -> int:
    """Empty the eligible mail received more than `older_than_days` ago (0: all eligible now); returns how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    purged = 0
    while True:
        ids = db.session.scalars(sa.select(IncomingMail.id).where(PURGEABLE, IncomingMail.received_at <= cutoff)
                                 .order_by(IncomingMail.received_at).limit(BATCH)).all()
        if not ids:
            return purged
        db.session.execute(sa.update(IncomingMail).where(IncomingMail.id.in_(ids))
                           .values(raw=b"", view=sa.null(), purged_at=utcnow()))
        db.session.commit()
        purged += len(ids)


@periodic("mail.purge", every=lambda config: 3600 if config["MAIL_RETENTION_DAYS"] > 0 else 0)
def purge_job() -> str:
    purged = purge(current_app.config["MAIL_RETENTION_DAYS"])
    if purged:
        log.info("mail purge: emptied %d mails older than %g days", purged, current_app.config["MAIL_RETENTION_DAYS"])
    return f"purged {purged}"
