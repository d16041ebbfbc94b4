"""Notifications: what an agent is told (a ticket assigned to them, a customer's answer, a mention, a new
ticket in their team), read in the desk and, kind by kind as each agent chooses, by mail.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("mail_notifications", sa.String(100), nullable=False,
                                     server_default="assigned,answered,mentioned"))
    op.add_column("users", sa.Column("new_ticket_alerts", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE")),
        sa.Column("count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("actor", sa.String(254)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("mail_state", sa.String(8)),
        sa.Column("mail_detail", sa.String(500)),
    )
    op.create_index("ix_notifications_user_id", "notifications", ["user_id", sa.text("id DESC")])
    op.create_index("ix_notifications_unread", "notifications", ["user_id"],
                    sqlite_where=sa.text("read_at IS NULL"), postgresql_where=sa.text("read_at IS NULL"))
    op.create_index("ix_notifications_ticket_id", "notifications", ["ticket_id"])
    op.create_index("ix_notifications_queued", "notifications", ["id"],
                    sqlite_where=sa.text("mail_state = 'queued'"), postgresql_where=sa.text("mail_state = 'queued'"))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("ck_notifications_kind", "notifications",
                                   "kind IN ('assigned', 'answered', 'mentioned', 'new_ticket')")


def downgrade():
    op.drop_table("notifications")
    op.drop_column("users", "new_ticket_alerts")
    op.drop_column("users", "mail_notifications")
