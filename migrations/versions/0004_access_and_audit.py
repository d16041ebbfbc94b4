"""Agents and API tokens; who created and last changed each ticket; and an event per status, priority or
category change, written by triggers in the changing transaction so no write path can skip the trail.

The actor of an event is the ticket's `updated_by`, which every change sets in the same UPDATE.
On PostgreSQL the trigger is statement-level with transition tables, like the counts of 0002.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FIELDS = ("status", "priority", "category")

PG_TRIGGER = f"""
CREATE FUNCTION ticket_events_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_events (ticket_id, field, old_value, new_value, actor, created_at)
    SELECT n.id, change.field, change.old_value, change.new_value, n.updated_by, n.updated_at
    FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES {", ".join(f"({i}, '{f}', o.{f}, n.{f})" for i, f in enumerate(FIELDS))})
        AS change(position, field, old_value, new_value)
    WHERE change.old_value IS DISTINCT FROM change.new_value
    ORDER BY n.id, change.position;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_events_update AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_record();
"""

SQLITE_TRIGGER = "CREATE TRIGGER ticket_events_update AFTER UPDATE OF {fields} ON tickets BEGIN {inserts} END".format(
    fields=", ".join(FIELDS),
    inserts=" ".join(
        f"INSERT INTO ticket_events (ticket_id, field, old_value, new_value, actor, created_at) "
        f"SELECT NEW.id, '{f}', OLD.{f}, NEW.{f}, NEW.updated_by, NEW.updated_at WHERE OLD.{f} IS NOT NEW.{f};"
        for f in FIELDS))


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("name", name="uq_api_tokens_name"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.add_column("tickets", sa.Column("created_by", sa.String(254)))
    op.add_column("tickets", sa.Column("updated_by", sa.String(254)))
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer,
                  sa.ForeignKey("tickets.id", ondelete="CASCADE", name="fk_ticket_events_ticket"), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("old_value", sa.String(16), nullable=False),
        sa.Column("new_value", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(254)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ticket_events_update ON tickets")
        op.execute("DROP FUNCTION ticket_events_record()")
    else:
        op.execute("DROP TRIGGER ticket_events_update")
    op.drop_table("ticket_events")
    op.drop_column("tickets", "updated_by")
    op.drop_column("tickets", "created_by")
    op.drop_table("api_tokens")
    op.drop_table("users")
