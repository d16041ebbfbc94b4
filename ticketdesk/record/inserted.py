"""Rows a transaction writes by one Core INSERT (the ORM's unit of work costs more than the statement) and
then holds as objects the session has read. The session forgets them if the transaction, or the savepoint
they were written in, rolls back, as it forgets the objects its own flush inserted: an id the database hands
out again after a rollback then finds no stale copy in the session."""
import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached

HELD = "ticketdesk.inserted"  # session.info: [(the transaction or savepoint, [objects])]


def hold(session: Session, objects: list) -> None:
    """Put these objects, just INSERTed with their primary keys set, into the session as rows it has read."""
    for obj in objects:
        make_transient_to_detached(obj)
        session.add(obj)
    written_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(HELD, []).append((written_in, objects))


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, rolled_back) -> None:
    held = session.info.get(HELD)
    if not held:
        return
    kept = []
    for written_in, objects in held:
        if _within(written_in, rolled_back):
            for obj in objects:
                if obj in session:
                    session.expunge(obj)
        else:
            kept.append((written_in, objects))
    session.info[HELD] = kept


@sa.event.listens_for(Session, "after_commit")
def _settled(session: Session) -> None:
    session.info.pop(HELD, None)


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False
