"""Each ticket's language, detected offline by py3langid (its model ships in the package, as arrays, not
a pickle). A guess it is less than half sure of is no answer: short or mixed text, or a language written
in another's script (Hindi in Latin letters), is stored as unknown rather than as a wrong language."""
import threading

import sqlalchemy as sa

from ..extensions import db
from ..models import Ticket

MIN_PROBABILITY = 0.5
UNDETERMINED = "und"  # ISO 639-2's code for an undetermined language
_lock = threading.Lock()
_identifier = None


def _identify():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:  # loading takes about half a second: once per process, on first use
                from py3langid.langid import MODEL_FILE, LanguageIdentifier
                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect(title: str, description: str) -> str:
    """The ISO 639 code of the text's language, or `und` when the detector is unsure."""
    language, probability = _identify().classify(f"{title}. {description}")
    return language if probability >= MIN_PROBABILITY else UNDETERMINED


_tickets = Ticket.__table__
# keeps updated_at as it was (the column's onupdate would otherwise stamp it): the ticket did not change
SET_LANGUAGE = (sa.update(_tickets).where(_tickets.c.id == sa.bindparam("ticket"))
                .values(language=sa.bindparam("language"), updated_at=_tickets.c.updated_at))


def backfill(batch: int = 1000, progress=None) -> int:
    """Detect the language of every ticket that has none yet, newest first (agents see recent tickets
    labelled soonest), `batch` tickets per transaction, walking down the primary key so each batch reads
    only rows it has not seen. Returns how many tickets it labelled."""
    done, below = 0, None
    while True:
        query = sa.select(Ticket.id, Ticket.title, Ticket.description).where(Ticket.language.is_(None))
        if below is not None:
            query = query.where(Ticket.id < below)
        rows = db.session.execute(query.order_by(Ticket.id.desc()).limit(batch)).all()
        if not rows:
            return done
        db.session.execute(SET_LANGUAGE, [{"ticket": ticket_id, "language": detect(title, description)}
                                          for ticket_id, title, description in rows])
        db.session.commit()
        done += len(rows)
        below = rows[-1].id
        if progress:
            progress(len(rows))
