"""Rows a transaction writes by one Core INSERT (the ORM's unit of work costs more than the statement) and
then holds as objects the session has read. The session forgets them if the transaction, or the savepoint
they were written in, rolls back, as it forgets the objects its own flush inserted: an id the database hands
out again after a rollback then finds no stale copy in the session."""
import functools

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached

HELD = "ticketdesk.inserted"  # session.info: [(the transaction or savepoint, [objects])]


def insert(session: Session, obj) -> None:
    """Write the new `obj` (of a model keyed by an integer id) by one INSERT of the columns it sets and the
    Python defaults of the others (a column left to the database's default is read when first asked), then
    hold it."""
    table = type(obj).__table__
    obj.id = session.connection().execute(_inserting(table), _row(table, obj)).scalar_one()
    hold(session, [obj])


def insert_all(session: Session, objects: list) -> None:
    """`insert` for several new objects of one model, in one statement (their ids returned in their order)."""
    if not objects:
        return
    table = type(objects[0]).__table__
    ids = session.connection().execute(_inserting_all(table), [_row(table, obj) for obj in objects]).scalars()
    for obj, new_id in zip(objects, ids, strict=True):
        obj.id = new_id
    hold(session, objects)


def _row(table: sa.Table, obj) -> dict:
    given = obj.__dict__
    row = {}
    for column in table.columns:
        if column.key in given:
            row[column.key] = given[column.key]
        elif not column.primary_key and (column.default is not None or column.server_default is None):
            default = column.default
            value = None if default is None else default.arg if default.is_scalar else default.arg(None)
            setattr(obj, column.key, value)  # known, so never read back
            row[column.key] = value
    return row


@functools.lru_cache(maxsize=None)
def _inserting(table: sa.Table):
    return sa.insert(table).returning(table.c.id)


@functools.lru_cache(maxsize=None)
def _inserting_all(table: sa.Table):
    return sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)


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
