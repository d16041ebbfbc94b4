"""What an incoming mail becomes: one `ingest(raw)` behind IMAP fetching and the MTA pipe.

Every mail is kept as it came, in the same transaction as what it became, so nothing is lost and nothing
counted twice: a second copy (same Message-ID, or same bytes when it has none) is a duplicate, and a mail
the desk cannot read is quarantined with its bytes and the reason, for an admin to retry or delete.

- A reply lands in its ticket's thread as a `customer` message (quotes and signature stripped; the original
  viewable). It is matched by In-Reply-To/References against the Message-IDs of the desk's own mails, which
  carry a random part nobody can guess; the requester's own earlier mails and a `[#123]` subject token count
  only when the sender is that ticket's requester, so a stranger cannot write into someone else's ticket.
  A reply to a resolved ticket reopens it; to a closed one, it starts a new ticket that follows it up.
- Anything else from a person becomes a ticket, triaged on arrival like any `auto` ticket (the local
  classifiers at once; a configured LLM then refines the labels in the worker, unless an agent set them first).
- Automatic mail (auto-replies, bulk and list mail, the desk's own) creates nothing and is answered with
  nothing; a bounce of one of the desk's replies marks that reply's delivery failed.

A database that cannot be reached raises (sqlalchemy's OperationalError): the mail is then not taken, and
the MTA or the IMAP mailbox keeps it for the next try."""
import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..conversations.messages import post
from ..extensions import db
from ..generation import AS_COLUMN, seen
from ..mail_out import configured
from ..mail_out.delivery import dispatch
from ..mail_out.outgoing import AUTOMATIC
from ..mail_out.settings import sender
from ..models import (
    MESSAGE_MAX,
    TITLE_MAX,
    Attachment,
    IncomingMail,
    Message,
    Requester,
    Ticket,
    utcnow,
)
from ..record.inserted import insert, insert_all
from ..tickets.filing import file_ticket
from ..triage.refine import refine_later
from .limits import Limits, over
from .reading import (
    Mail,
    Options,
    Reading,
    Unreadable,
    identity,
    peek,
    read_all,
    unreadable_view,
)
from .sandbox import TooSlow, start
from .settings import imap

log = logging.getLogger(__name__)

ACTOR = "mail"
AHEAD = 16  # mails read ahead while one is written, whose copies are looked up at once, committed together
CHUNK_BYTES = 16 * 1024 * 1024  # and the most bytes of mail such a chunk holds (unless one mail alone is larger)
UNWRITTEN = "mail_in.unwritten"  # session.info: a chunk's new mails whose rows are written together
MATCHED_IDS = 50  # the most recent Message-IDs of a reply's References that are looked up
NO_TEXT = "(The mail had no text; see its attachments or the original mail.)"
CUT = "\n\n[…the rest is in the original mail]"
FOR_MAIL = (sa.orm.joinedload(Ticket.requester), sa.orm.lazyload("*"))
NAMED = (sa.select(Message.mail_message_id, Message.ticket_id, Message.kind, Ticket, AS_COLUMN)  # built once: a
         .join(Ticket, Ticket.id == Message.ticket_id)  # reply's match spent a third of its time building it
         .where(Message.mail_message_id.in_(sa.bindparam("ids", expanding=True))).options(*FOR_MAIL))


@dataclass
class Outcome:
    kind: str  # created, added, duplicate, ignored, bounce or quarantined
    said: str  # what `flask mail ingest` prints: "created ticket #12", "duplicate of …", …
    mail_id: int | None = None
    ticket_id: int | None = None


def ingest(raw: bytes, size: int | None = None) -> Outcome:
    """Take one mail (RFC 822 bytes): committed before this returns, so the caller may then let go of it.
    `size` is the whole mail's size when `raw` is only its beginning (the pipe and IMAP stop reading at
    MAIL_MAX_MESSAGE_BYTES): such a mail is kept cut, and quarantined.

    The mail is read before any transaction opens (in a child process, with a time limit); only what it
    became is written, in one short transaction."""
    return next(ingest_all([(raw, size)]))


def ingest_all(mails: Iterable[tuple[bytes, int | None]]) -> Iterator[Outcome]:
    """`ingest` for each (raw, size) in turn, in chunks of up to AHEAD mails and CHUNK_BYTES: while one mail
    is written, the chunk's next ones are already being read in the child processes, and the copies already
    taken are known by one query for the chunk.

    A chunk's mails are written in one transaction and committed together, before any of their outcomes is
    yielded: one commit for the chunk, not one for each mail. If any of them cannot go in (a constraint, a
    deadlock, a bug), that transaction is rolled back and the chunk is taken again one mail per transaction,
    as `ingest` takes a mail alone: that mail alone is then quarantined (or, with the database gone, raises)
    and the others go in as they would have. A mail's row locks (its ticket, its team) are held until its
    chunk commits."""
    for chunk in _chunks(mails):
        pending = _begin_reading(chunk)
        try:
            written = _together(chunk, pending)
        except Exception as failed:  # the database gone too: taken alone, the first mail raises it again
            db.session.rollback()
            db.session.info.pop(UNWRITTEN, None)
            log.info("a chunk of %d mails was rolled back (%s: %.200s); taking them one at a time", len(chunk),
                     type(failed).__name__, str(failed).split("\n", 1)[0])  # (a deadlock does not come back)
            yield from (outcome for outcome, _later in _each(chunk, pending, alone=True))
            continue
        for outcome, later in written:
            _after(outcome, later)
            yield outcome


def _chunks(mails: Iterable[tuple[bytes, int | None]]) -> Iterator[list[tuple[bytes, int | None]]]:
    """The mails in order, in lists of at most AHEAD mails and, unless one mail alone is larger, CHUNK_BYTES."""
    chunk, size = [], 0
    for mail in mails:
        if chunk and (len(chunk) == AHEAD or size + len(mail[0]) > CHUNK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(mail)
        size += len(mail[0])
    if chunk:
        yield chunk


def _together(chunk: list[tuple[bytes, int | None]], pending: list[tuple]) -> list[tuple[Outcome, list[Message]]]:
    """Write the chunk's mails in one transaction and commit it; raises (the transaction left for the caller
    to roll back) if any of them could not go in."""
    written = list(_each(chunk, pending, alone=False))
    _write_rows()  # one INSERT of the chunk's mails
    db.session.commit()
    return written


def _each(chunk: list[tuple[bytes, int | None]], pending: list[tuple],
          alone: bool) -> Iterator[tuple[Outcome, list[Message]]]:
    """Each mail's outcome, and the replies to hand to the worker once it is committed: `alone`, each mail
    in a transaction of its own, committed and handed on before it is yielded; else each added to the open
    transaction (a copy earlier in the chunk is read there), for the caller to commit."""
    taken_here: set[str] = set()
    for (raw, size), (message_id, key, known, answer) in zip(chunk, pending):
        if known is None and key in taken_here:  # the same mail twice in one chunk
            _write_rows()
            known = _by_key(key)
            if alone:
                db.session.commit()
        if known is not None:
            yield _duplicate(known), []
            continue
        reading, why = answer()
        taken_here.add(key)
        row = IncomingMail(key=key, mail_message_id=message_id if message_id and len(message_id) <= 255 else None,
                           raw=raw, size=len(raw) if size is None else size, received_at=utcnow(),
                           outcome="quarantined")
        yield ((_take(row, raw, reading, why, new=True), []) if alone
               else _write(row, raw, reading, why, new=True, together=True))


def _begin_reading(chunk: list[tuple[bytes, int | None]]) -> list[tuple]:
    """For each mail: its Message-ID, its key, the copy already taken (or None) and what to call for its
    reading, begun now for each mail not taken before. Nothing is held open while they are read."""
    identities = [identity(raw) for raw, _size in chunk]
    keys = [key for _message_id, key in identities]
    known = {row.key: row for row in db.session.scalars(sa.select(IncomingMail).where(IncomingMail.key.in_(keys)))}
    db.session.commit()
    return [(message_id, key, known.get(key), None if key in known else _reading(raw, size))
            for (raw, size), (message_id, key) in zip(chunk, identities)]


def retry(row: IncomingMail) -> Outcome:
    """An admin's retry of a quarantined mail, read again by the code as it is now."""
    raw = row.raw
    db.session.commit()
    reading, why = read_bounded(raw, row.size if row.size != len(raw) else None)
    return _take(db.session.get(IncomingMail, row.id), raw, reading, why, new=False)


def read_bounded(raw: bytes, size: int | None = None) -> tuple[Reading | None, str | None]:
    """The mail's reading, or why there is none: a limit it is over (checked first, in one linear pass), or
    what went wrong reading it in the child process within MAIL_PARSE_SECONDS."""
    return _reading(raw, size)()


def _reading(raw: bytes, size: int | None) -> Callable[[], tuple[Reading | None, str | None]]:
    """`read_bounded`, begun now: the limits are checked at once, the reading starts in a child process,
    and what is returned waits for it."""
    config = current_app.config
    why = over(raw, Limits.of(config), size)
    if why:
        return lambda: (None, why)
    options = Options(max_attachment=config["MAIL_MAX_ATTACHMENT_BYTES"], max_attachments=config["MAIL_MAX_ATTACHMENTS"],
                      authserv_id=config.get("MAIL_AUTHSERV_ID"))
    try:
        answer = start(read_all, raw, options, seconds=config["MAIL_PARSE_SECONDS"])
    except Exception as bug:  # no child could take it: the mail is kept and quarantined, never lost
        log.exception("mail could not be read")
        failed = f"the desk failed reading it ({type(bug).__name__}: {bug})"[:500]
        return lambda: (None, failed)

    def result():
        try:
            return answer(), None
        except (Unreadable, TooSlow) as e:
            return None, str(e)
        except Exception as bug:  # a parser path nobody foresaw: the mail is kept and quarantined, never lost
            log.exception("mail could not be read")
            return None, f"the desk failed reading it ({type(bug).__name__}: {bug})"[:500]

    return result


def _take(row: IncomingMail, raw: bytes, reading: Reading | None, why: str | None, new: bool) -> Outcome:
    """Take one mail in a transaction of its own: what it became, or else the mail quarantined with the reason
    (a duplicate if another worker took the same mail at this moment)."""
    if reading is None:
        return _quarantine(row, raw, new, why)
    try:
        outcome, later = _write(row, raw, reading, why, new)
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        raise
    except sa.exc.IntegrityError:
        db.session.rollback()
        known = _by_key(row.key)
        if known is not None and known.id != row.id:  # the same mail, taken at this moment by another worker
            return _duplicate(known)
        log.exception("mail %s could not be stored", row.id)
        return _quarantine(row, raw, new, "the desk could not store it (a database constraint refused it)")
    except Exception as bug:  # never lose a mail to a bug: keep it, say why, let an admin retry it
        db.session.rollback()
        log.exception("mail could not be taken in")
        return _quarantine(row, raw, new, f"the desk failed reading it ({type(bug).__name__}: {bug})")
    _after(outcome, later)
    return outcome


def _write(row: IncomingMail, raw: bytes, reading: Reading | None, why: str | None,
           new: bool, together: bool = False) -> tuple[Outcome, list[Message]]:
    """Add what the mail became, and the mail itself, to the open transaction (the caller commits); returns the
    outcome and the replies to hand to the worker after the commit. A new mail's row goes in last, with its
    outcome: a copy being taken this moment by another worker then waits on the key, and this one is rolled
    back as a duplicate of it. `together`: a new mail's row waits for the chunk's others (`_write_rows`)."""
    if reading is None:
        return _kept(row, raw, new, why), []
    mail = reading.mail
    row.sender, row.subject, row.detail = mail.sender_email, mail.subject[:255] or None, None
    row.view, row.unverified = reading.view, mail.unverified
    session = db.session()
    session.connection()
    transaction = session.get_transaction()
    outcome, later = _become(row, reading)
    if session.get_transaction() is not transaction:  # something on the way ended it (a classifier's
        raise RuntimeError("the transaction ended while the mail was taken in")  # database): what it held is gone
    files = mail.files if row.outcome in ("ticket", "message") else ()
    if new and together:
        session.info.setdefault(UNWRITTEN, []).append((row, files, outcome))
    else:
        if new:
            insert(session, row)  # one INSERT, as a new ticket's
        else:
            session.flush()
        _filed(row, files, outcome)
    return outcome, later


def _write_rows() -> None:
    """The new mails of the open transaction whose rows are not written yet, in one INSERT, then their files.
    Done before the chunk commits, and before anything reads the mails taken (a copy of a mail, the requester's
    own earlier mail), so that what it reads is as if each had been written at once."""
    unwritten = db.session.info.pop(UNWRITTEN, [])
    insert_all(db.session(), [row for row, _files, _outcome in unwritten])
    for row, files, outcome in unwritten:
        _filed(row, files, outcome)


def _filed(row: IncomingMail, files: list, outcome: Outcome) -> None:
    """The written mail's files, and its id in its outcome."""
    for file in files:
        db.session.add(Attachment(mail_id=row.id, ticket_id=row.ticket_id, message_id=row.message_id,
                                  filename=file.filename, content_type=file.content_type, size=file.size,
                                  data=file.data))
    outcome.mail_id = row.id


def _after(outcome: Outcome, later: list[Message]) -> None:
    """What follows a mail's commit: its replies handed to the worker, an LLM's second opinion on its new
    ticket asked for (when one is configured), its quarantine logged."""
    for message in later:
        dispatch(message)
    if outcome.kind == "created":
        refine_later(outcome.ticket_id)
    elif outcome.kind == "quarantined":
        log.warning("mail %s %s", outcome.mail_id, outcome.said)


def _become(row: IncomingMail, reading: Reading) -> tuple[Outcome, list[Message]]:
    """Add what the mail becomes and say so in `row` (which holds its sender and subject already); the caller
    commits. Returns the outcome and the replies to hand to the worker after the commit."""
    config = current_app.config
    mail = reading.mail
    if mail.bounce:
        return _bounce(row, mail), []
    if mail.from_desk or mail.sender_email in _own_addresses(config):
        return _ignore(row, "mail from the desk's own address"), []
    if mail.automatic:
        return _ignore(row, mail.automatic), []
    if mail.unverified:  # never into an existing ticket as its requester: a new one, flagged for agents
        return _new_ticket(row, mail, follows=None)
    ids = mail.answers[:MATCHED_IDS]
    named = _named(ids + [row.mail_message_id] if row.mail_message_id else ids) if ids else None
    earlier = answered_ticket(mail, named)
    # an answer to a closed ticket's mail goes to the follow-up an earlier such answer started, if still open
    target = _open_follow_up(earlier) if earlier is not None and earlier.status == "closed" else earlier
    if target is not None:
        return _add_to(target, row, mail, reading.latest, named), []
    return _new_ticket(row, mail, follows=earlier)


def _open_follow_up(closed: Ticket) -> Ticket | None:
    return db.session.scalars(sa.select(Ticket).where(Ticket.follows_up_id == closed.id, Ticket.status != "closed")
                              .order_by(Ticket.id.desc()).limit(1)).first()


def _add_to(ticket: Ticket, row: IncomingMail, mail: Mail, text: str, named: dict | None) -> Outcome:
    """`named`: the messages that carry the Message-IDs the mail answers and its own, when they were read."""
    # the author: the requester, or whoever else answered the desk's mail
    # its Message-ID kept with it, so that the desk's next reply answers this mail (unless a message has it)
    own = row.mail_message_id
    taken = own in named if named is not None else own is not None and _taken(own)
    answers = own if own and not taken else None
    message = post(ticket, "customer", _fit(text, MESSAGE_MAX) or NO_TEXT, ACTOR, author=mail.sender_email,
                   mail_message_id=answers)
    row.outcome, row.ticket_id, row.message_id = "message", ticket.id, message.id
    return Outcome("added", f"added to ticket #{ticket.id}", ticket_id=ticket.id)


def _new_ticket(row: IncomingMail, mail: Mail, follows: Ticket | None) -> tuple[Outcome, list[Message]]:
    title = mail.subject if len(mail.subject) <= TITLE_MAX else mail.subject[:TITLE_MAX - 1].rstrip() + "…"
    ticket = file_ticket({"title": title or "(no subject)", "description": _fit(mail.text, MESSAGE_MAX) or NO_TEXT,
                          "category": "auto", "priority": "auto",
                          "requester": {"email": mail.sender_email, "name": mail.sender_name},
                          "follows_up_id": follows.id if follows else None},
                         actor=ACTOR, setter="desk", addresses=mail.recipients)
    row.outcome, row.ticket_id = "ticket", ticket.id
    later = [_acknowledgement(ticket)] if _may_acknowledge(mail) else []
    said = f"created ticket #{ticket.id}" + (f" (follows up closed ticket #{follows.id})" if follows else "")
    return Outcome("created", said, ticket_id=ticket.id), later


def _may_acknowledge(mail: Mail) -> bool:
    """Whether to acknowledge a new ticket (MAIL_ACKNOWLEDGE): never to a sender that is not verified or to
    mail RFC 3834 says not to answer automatically, and at most MAIL_ACK_LIMIT times an hour per address,
    counted in the database under the requester's row lock (PostgreSQL; SQLite writes one at a time), so
    several workers and hosts share the count."""
    config = current_app.config
    if not (config["MAIL_ACKNOWLEDGE"] and configured(config)) or mail.unverified or mail.no_reply:
        return False
    requester = db.session.execute(sa.select(Requester.id).where(Requester.email == mail.sender_email)
                                   .with_for_update()).scalar_one()
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(Message).join(Ticket, Ticket.id == Message.ticket_id)
                             .where(Ticket.requester_id == requester, Message.author == AUTOMATIC,
                                    Message.kind == "reply", Message.created_at >= utcnow() - timedelta(hours=1)))
    if sent >= config["MAIL_ACK_LIMIT"]:
        log.info("no acknowledgement to %s: %d sent in the last hour (MAIL_ACK_LIMIT)", mail.sender_email, sent)
        return False
    return True


def _acknowledgement(ticket: Ticket) -> Message:
    """The optional mail that tells the requester their ticket's number: a reply from the desk, threaded
    under their mail, written through the same path as every reply, that counts as no agent's answer (first
    response and waiting are left alone). It repeats nothing the sender wrote (their subject is cut in the
    mail's own Subject, see mail_out/outgoing.py)."""
    body = (f"Thank you for writing to us. Your request is number #{ticket.id}.\n\n"
            "We will answer as soon as we can. To add anything, reply to this mail.")
    return post(ticket, "reply", body, ACTOR, author=AUTOMATIC, automatic=True)


def answered_ticket(mail: Mail, named: dict | None = None) -> Ticket | None:
    """The ticket this mail answers, or None. The desk's own Message-IDs first (anyone may answer those:
    they had the mail); then the requester's own earlier mails and the subject's [#123], from the requester only.
    `named`: the messages carrying those Message-IDs (`_named`), when the caller read them already."""
    ids = mail.answers[:MATCHED_IDS]
    if ids:
        named = _named(ids) if named is None else named
        rank = {mid: i for i, mid in enumerate(ids)}
        desk = sorted((r for r in named.values() if r.kind != "customer" and r.mail_message_id in rank),
                      key=lambda r: rank[r.mail_message_id])
        if desk:
            return desk[0].Ticket
        _write_rows()  # a mail of the same chunk is one of them
        own = db.session.scalars(sa.select(IncomingMail.ticket_id).where(
            IncomingMail.mail_message_id.in_(ids), IncomingMail.ticket_id.is_not(None))).all()
        for ticket_id in dict.fromkeys(own):
            ticket = _ticket(ticket_id)
            if ticket is not None and ticket.requester_email == mail.sender_email:
                return ticket
    token = mail.ticket_token
    if token is not None:
        ticket = _ticket(token) if token < 2**31 else None
        if ticket is not None and ticket.requester_email == mail.sender_email:
            return ticket
    return None


def _ticket(ticket_id: int) -> Ticket | None:
    """The ticket a mail answers, with its requester: what taking the mail reads of it (not its owner, team
    and SLA, which its page joins in; the commit reads the clocks it moves)."""
    return db.session.get(Ticket, ticket_id, options=FOR_MAIL)


def _named(ids: list[str]) -> dict:
    """{Message-ID: (mail_message_id, ticket_id, kind, Ticket, generation)} of the messages that carry these
    Message-IDs, each with its ticket as `_ticket` reads it (the match then reads no ticket again) and the
    settings generation (the commit's SLA clocks then ask no more)."""
    rows = db.session.execute(NAMED, {"ids": ids}).all()
    if rows:
        seen(rows[0].generation)
    return {r.mail_message_id: r for r in rows}


def _bounce(row: IncomingMail, mail: Mail) -> Outcome:
    """A delivery report: the desk's reply it names is marked failed with the report's reason."""
    replies = db.session.scalars(sa.select(Message).where(
        Message.mail_message_id.in_(mail.desk_ids or [""]), Message.kind == "reply")).all()
    reason = f"bounced: {mail.bounce_reason or 'the mail server returned it undelivered'}"[:500]
    for reply in replies:
        reply.delivery_state, reply.delivery_detail = "failed", reason
    row.outcome = "bounce"
    if replies:
        row.ticket_id, row.message_id = replies[0].ticket_id, replies[0].id
        row.detail = f"bounce of the reply to ticket #{replies[0].ticket_id}"
        return Outcome("bounce", f"bounce: marked the reply to ticket #{replies[0].ticket_id} not delivered")
    row.detail = "bounce of no mail the desk sent"
    return Outcome("ignored", "ignored: a bounce of no mail the desk sent")


def _ignore(row: IncomingMail, reason: str) -> Outcome:
    row.outcome, row.detail = "ignored", reason[:500]
    return Outcome("ignored", f"ignored: {reason}")


def _quarantine(row: IncomingMail, raw: bytes, new: bool, reason: str) -> Outcome:
    """Keep the mail and the reason, in a transaction of its own (whatever else was written is gone)."""
    try:
        outcome = _kept(row, raw, new, reason)
        db.session.commit()
    except sa.exc.IntegrityError:  # the same mail, quarantined this moment by another worker
        db.session.rollback()
        known = _by_key(row.key)
        if known is None:
            raise
        return _duplicate(known)
    _after(outcome, [])
    return outcome


def _kept(row: IncomingMail, raw: bytes, new: bool, reason: str) -> Outcome:
    """Add the mail to the open transaction as quarantined, with the reason. Its sender, subject and page come
    from a linear peek at its bytes: it is not parsed again."""
    sender, subject = peek(raw)
    if new:
        kept = IncomingMail(key=row.key, mail_message_id=row.mail_message_id, raw=raw, size=row.size,
                            received_at=row.received_at)
        db.session.add(kept)
    else:
        kept = db.session.get(IncomingMail, row.id)
    kept.sender, kept.subject, kept.view = sender, subject, unreadable_view(raw)
    kept.outcome, kept.detail = "quarantined", reason[:500]
    db.session.flush()
    return Outcome("quarantined", f"quarantined: {reason}", mail_id=kept.id)


def _duplicate(known: IncomingMail) -> Outcome:
    what = {"ticket": f"ticket #{known.ticket_id}", "message": f"a message on ticket #{known.ticket_id}"}.get(
        known.outcome, f"mail #{known.id} ({known.outcome})")
    return Outcome("duplicate", f"duplicate of {what}", mail_id=known.id, ticket_id=known.ticket_id)


def _by_key(key: str) -> IncomingMail | None:
    return db.session.scalars(sa.select(IncomingMail).where(IncomingMail.key == key)).first()


def _taken(mail_message_id: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).where(Message.mail_message_id == mail_message_id)) > 0


def _own_addresses(config) -> frozenset[str]:
    return _addresses(config.get("MAIL_FROM"), config.get("IMAP_URL"))


@functools.lru_cache(maxsize=8)
def _addresses(mail_from: str | None, imap_url: str | None) -> frozenset[str]:
    """The desk's own addresses, parsed once per setting rather than once per mail."""
    own = set()
    if mail_from:
        own.add(sender(mail_from).addr_spec.lower())
    mailbox_user = imap(imap_url).user if imap_url else ""
    if "@" in mailbox_user:
        own.add(mailbox_user.lower())
    return frozenset(own)


def _fit(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with a word that the rest is in the original mail."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit - len(CUT)].rstrip() + CUT


