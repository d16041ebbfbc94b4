"""What a worker may keep between requests without weakening what every request sees: SLA policies, business
hours, the routes to teams and which classifier model is deployed, read again only when the desk's settings
generation has moved.

The database raises the generation in the transaction that changes any of them (migrations 0026, 0027), so a
change committed on any worker or host moves it at the same instant. The access check reads the number in
its own query (`AS_COLUMN`: no extra round trip), as does a reply's match in mail intake; a request without
one (access control off, a new mail, a job) reads it once per transaction. What is kept is labelled with the
number read before it was loaded, so it is never older than its label, and used only while the transaction
sees that same number. A transaction that changes those settings itself reads its own changes, and what it
reads is not kept (it may roll back)."""
from typing import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from .extensions import db
from .models import BusinessHours, ClassifierModel, DeskGeneration, SlaPolicy, Team, TeamRoute

AS_COLUMN = sa.select(DeskGeneration.n).where(DeskGeneration.id == 1).scalar_subquery().label("generation")
READ = sa.select(AS_COLUMN)
SEEN = "ticketdesk.generation"  # session.info: (the transaction it was read in, the number)
TOUCHED = "ticketdesk.generation.touched"  # session.info: a transaction that wrote what is kept
KEPT = "ticketdesk.kept"  # app.extensions: {name: (generation, value)}
WATCHED = (SlaPolicy, BusinessHours, TeamRoute, Team, ClassifierModel)  # a team deleted deletes its routes
WATCHED_TABLES = frozenset(model.__table__ for model in WATCHED)


def seen(n: int | None) -> None:
    """The generation this transaction read (by the access check's query)."""
    session = db.session()
    session.info[SEEN] = (session.get_transaction(), n)


def current() -> int | None:
    """The generation this transaction sees: the number already read in it, else read now."""
    session = db.session()
    transaction, n = session.info.get(SEEN, (None, None))
    if transaction is None or transaction is not session.get_transaction():
        n = session.connection().execute(READ).scalar()
        seen(n)
    return n


def kept(name: str, load: Callable[[Session], object]):
    """What `load(session)` returns, as this worker last read it while the generation is the same; else read
    again and kept. What is kept outlives the request: `load` reads through a session of its own (on this
    transaction's connection) whose objects are detached once read."""
    session = db.session()
    if _touched(session):
        return load(session)
    n = current()
    held = current_app.extensions.setdefault(KEPT, {})
    generation, value = held.get(name, (None, None))
    if n is None or generation != n:
        with Session(bind=session.connection(), autoflush=False, expire_on_commit=False) as reader:
            value = load(reader)
            reader.expunge_all()
        if n is not None:
            held[name] = (n, value)
    return value


def _touched(session) -> bool:
    """Whether this transaction wrote (or is about to flush) a policy, a calendar, a route, a team or a model."""
    return session.info.get(TOUCHED) is session.get_transaction() is not None or _holds_watched(session)


def _holds_watched(session) -> bool:
    return any(isinstance(obj, WATCHED) for obj in (*session.new, *session.deleted, *session.dirty))


@sa.event.listens_for(Session, "after_flush")
def _flushed(session, _context) -> None:
    if _holds_watched(session):
        session.info[TOUCHED] = session.get_transaction()


@sa.event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and getattr(state.statement, "table", None) in WATCHED_TABLES:
        state.session.info[TOUCHED] = state.session.get_transaction()
