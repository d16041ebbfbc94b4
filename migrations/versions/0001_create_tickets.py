"""Create the tickets table, its constraints and indexes; trigram search indexes on PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CATEGORIES = ("billing", "technical", "account", "general")
PRIORITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "in_progress", "resolved", "closed")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(_in("category", CATEGORIES), name="ck_tickets_category"),
        sa.CheckConstraint(_in("priority", PRIORITIES), name="ck_tickets_priority"),
        sa.CheckConstraint(_in("status", STATUSES), name="ck_tickets_status"),
        sa.CheckConstraint("length(title) <= 200 AND trim(title) <> ''", name="ck_tickets_title"),
        sa.CheckConstraint("trim(description) <> ''", name="ck_tickets_description"),
    )
    # newest first, alone and under each exact filter: the list's ORDER BY and keyset pages use these
    op.create_index("ix_tickets_created_id", "tickets", [sa.text("created_at DESC"), sa.text("id DESC")])
    for column in ("status", "priority", "category"):
        op.create_index(f"ix_tickets_{column}_created_id", "tickets",
                        [column, sa.text("created_at DESC"), sa.text("id DESC")])

    if op.get_bind().dialect.name == "postgresql":
        # substring search (ILIKE '%word%') through trigram indexes instead of a full scan
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_tickets_title_trgm ON tickets USING gin (title gin_trgm_ops)")
        op.execute("CREATE INDEX ix_tickets_description_trgm ON tickets USING gin (description gin_trgm_ops)")


def downgrade():
    op.drop_table("tickets")  # its indexes go with it; pg_trgm stays, other schemas may use it
