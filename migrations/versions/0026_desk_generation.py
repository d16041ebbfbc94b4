"""The desk's settings generation: one row whose number a trigger raises, in the same transaction, whenever
SLA policies, business hours or the routes to teams change (statement by statement on PostgreSQL, a
TRUNCATE included; row by row on SQLite). Each worker keeps what it read of those beside the number it read
them at, and the access check reads the number in its own query, so a change made anywhere is seen by the
next request on every worker and host, and an unchanged desk costs writes no query for them.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

WATCHED = ("sla_policies", "business_hours", "team_routes")


def upgrade():
    op.create_table("desk_generation", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("n", sa.BigInteger, nullable=False))
    op.execute("INSERT INTO desk_generation (id, n) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION desk_generation_raise() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN UPDATE desk_generation SET n = n + 1 WHERE id = 1; RETURN NULL; END $$")
        for table in WATCHED:
            op.execute(f"CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION desk_generation_raise()")
    else:
        for table in WATCHED:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_generation_{event.lower()} AFTER {event} ON {table} "
                           "BEGIN UPDATE desk_generation SET n = n + 1 WHERE id = 1; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_generation ON {table}")
        op.execute("DROP FUNCTION desk_generation_raise()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_generation_{event}")
    op.drop_table("desk_generation")
