"""Mail out: each reply's Message-ID and delivery attempts, and the periodic jobs' claimed periods.

Adding columns with a constant default rewrites no rows on PostgreSQL 11 and later.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

QUEUED = sa.text("delivery_state = 'queued'")


def upgrade():
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("mail_message_id", sa.String(255)))
        batch.add_column(sa.Column("delivery_attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True)))
    op.create_index("ix_messages_mail_message_id", "messages", ["mail_message_id"], unique=True)
    op.create_index("ix_messages_queued", "messages", ["next_attempt_at"], sqlite_where=QUEUED, postgresql_where=QUEUED)
    op.create_table(
        "periodic_runs",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("periodic_runs")
    op.drop_index("ix_messages_queued", "messages")
    op.drop_index("ix_messages_mail_message_id", "messages")
    with op.batch_alter_table("messages") as batch:
        for column in ("delivered_at", "claimed_until", "next_attempt_at", "delivery_attempts", "mail_message_id"):
            batch.drop_column(column)
