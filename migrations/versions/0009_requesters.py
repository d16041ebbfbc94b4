"""Requesters: the customers who write in, and which one each ticket is from.

The new column is nullable with no default, so adding it rewrites no ticket; its index is built once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "requesters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("email", name="uq_requesters_email"),
    )
    # a plain ALTER TABLE on both databases: a batch copy on SQLite would lose the tickets' triggers (0002,
    # 0004), and SQLite cannot add a constraint to a table in place; the app sets the column (as in 0007)
    op.add_column("tickets", sa.Column("requester_id", sa.Integer))
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key("fk_tickets_requester", "tickets", "requesters", ["requester_id"], ["id"])
    op.create_index("ix_tickets_requester_created_id", "tickets",
                    ["requester_id", sa.text("created_at DESC"), sa.text("id DESC")])


def downgrade():
    op.drop_index("ix_tickets_requester_created_id", "tickets")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_tickets_requester", "tickets", type_="foreignkey")
    op.drop_column("tickets", "requester_id")
    op.drop_table("requesters")
