"""Ticket counts per (status, priority, category), kept exact by triggers, so stats read a few dozen rows
instead of aggregating every ticket.

The triggers run in the writing transaction, so the counts commit or roll back with the ticket.
On PostgreSQL they are statement-level with transition tables (one upsert per statement, also for COPY
and bulk INSERT ... SELECT), and each connection adds to its own shard of rows so that concurrent
writers do not queue on one hot row; upserts go in key order so two writers cannot deadlock.
On SQLite (one writer at a time) row-level triggers keep a single shard.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SHARDS = 8
KEY = "status, priority, category"

PG_FUNCTIONS = f"""
CREATE FUNCTION ticket_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_counts AS c ({KEY}, shard, n)
        SELECT {KEY}, pg_backend_pid() % {SHARDS}, n
        FROM (SELECT {KEY}, count(*) AS n FROM new_rows GROUP BY {KEY}) AS d ORDER BY {KEY}
        ON CONFLICT ({KEY}, shard) DO UPDATE SET n = c.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ticket_counts AS c ({KEY}, shard, n)
        SELECT {KEY}, pg_backend_pid() % {SHARDS}, -n
        FROM (SELECT {KEY}, count(*) AS n FROM old_rows GROUP BY {KEY}) AS d ORDER BY {KEY}
        ON CONFLICT ({KEY}, shard) DO UPDATE SET n = c.n + excluded.n;
    ELSE
        INSERT INTO ticket_counts AS c ({KEY}, shard, n)
        SELECT {KEY}, pg_backend_pid() % {SHARDS}, n
        FROM (SELECT {KEY}, sum(delta) AS n
              FROM (SELECT {KEY}, 1 AS delta FROM new_rows
                    UNION ALL SELECT {KEY}, -1 FROM old_rows) AS changes
              GROUP BY {KEY} HAVING sum(delta) <> 0) AS d ORDER BY {KEY}
        ON CONFLICT ({KEY}, shard) DO UPDATE SET n = c.n + excluded.n;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION ticket_counts_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ticket_counts;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_add();
CREATE TRIGGER ticket_counts_update AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_add();
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_add();
CREATE TRIGGER ticket_counts_truncate AFTER TRUNCATE ON tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_clear();
"""


def _sqlite_upsert(row: str, delta: str) -> str:
    return (f"INSERT INTO ticket_counts ({KEY}, shard, n) VALUES ({row}.status, {row}.priority, {row}.category, 0, {delta}) "
            f"ON CONFLICT ({KEY}, shard) DO UPDATE SET n = n + {delta};")


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN {_sqlite_upsert('NEW', '1')} END",
    f"CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN {_sqlite_upsert('OLD', '-1')} END",
    f"CREATE TRIGGER ticket_counts_update AFTER UPDATE OF {KEY} ON tickets BEGIN "
    f"{_sqlite_upsert('OLD', '-1')} {_sqlite_upsert('NEW', '1')} END",
)


def upgrade():
    op.create_table(
        "ticket_counts",
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("shard", sa.SmallInteger, nullable=False),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("status", "priority", "category", "shard", name="pk_ticket_counts"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # no ticket may be written between the count below and the triggers taking over
        op.execute("LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE")
        op.execute(PG_FUNCTIONS)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute(f"INSERT INTO ticket_counts ({KEY}, shard, n) SELECT {KEY}, 0, count(*) FROM tickets GROUP BY {KEY}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER ticket_counts_{event} ON tickets")
        op.execute("DROP FUNCTION ticket_counts_add(), ticket_counts_clear()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER ticket_counts_{event}")
    op.drop_table("ticket_counts")
