"""Messages: each ticket's thread of replies to the requester, internal notes and the requester's own words;
when a ticket was first answered, and since when its requester has been waiting for an answer.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE", name="fk_messages_ticket"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("author", sa.String(254)),
        sa.Column("posted_by", sa.String(254)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery_state", sa.String(8)),
        sa.Column("delivery_detail", sa.String(500)),
    )
    op.create_index("ix_messages_ticket_id", "messages", ["ticket_id", "id"])
    op.add_column("tickets", sa.Column("first_reply_at", sa.DateTime(timezone=True)))
    op.add_column("tickets", sa.Column("waiting_since", sa.DateTime(timezone=True)))
    op.create_index("ix_tickets_waiting_since", "tickets", ["waiting_since"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("ck_messages_kind", "messages", "kind IN ('reply', 'note', 'customer')")


def downgrade():
    op.drop_index("ix_tickets_waiting_since", "tickets")
    op.drop_column("tickets", "waiting_since")
    op.drop_column("tickets", "first_reply_at")
    op.drop_table("messages")
