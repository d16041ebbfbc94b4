"""SLA warnings and breaches: each sent once per ticket, target, due time and level (a unique key, so
several runners, retries and catching up after downtime never send one twice); `next_alert_at` on each
ticket's clocks says when the scan must next look at it, through a partial index. Notifications gain the
kind `sla`, mailed by default like the others an agent is likely to want.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sla_alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("ticket_id", "target", "due_at", "level", name="uq_sla_alerts_once"),
    )
    with op.batch_alter_table("ticket_slas") as table:
        table.add_column(sa.Column("next_alert_at", sa.DateTime(timezone=True)))
    op.create_index("ix_ticket_slas_next_alert", "ticket_slas", ["next_alert_at"],
                    sqlite_where=sa.text("next_alert_at IS NOT NULL"),
                    postgresql_where=sa.text("next_alert_at IS NOT NULL"))
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_notifications_kind", "notifications")
        op.create_check_constraint("ck_notifications_kind", "notifications",
                                   "kind IN ('assigned', 'answered', 'mentioned', 'new_ticket', 'sla')")
    op.execute("UPDATE users SET mail_notifications = mail_notifications || ',sla' "
               "WHERE mail_notifications <> ''")
    op.execute("UPDATE users SET mail_notifications = 'sla' WHERE mail_notifications = ''")
    if op.get_bind().dialect.name == "postgresql":  # SQLite cannot alter a column's default in place (and
        # rebuilding users would trip the audit trigger); the model's own default fills new rows there
        op.alter_column("users", "mail_notifications", server_default="assigned,answered,mentioned,sla")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("users", "mail_notifications", server_default="assigned,answered,mentioned")
    op.execute("UPDATE users SET mail_notifications = replace(replace(mail_notifications, ',sla', ''), 'sla', '')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DELETE FROM notifications WHERE kind = 'sla'")
        op.drop_constraint("ck_notifications_kind", "notifications")
        op.create_check_constraint("ck_notifications_kind", "notifications",
                                   "kind IN ('assigned', 'answered', 'mentioned', 'new_ticket')")
    op.drop_index("ix_ticket_slas_next_alert", "ticket_slas")
    with op.batch_alter_table("ticket_slas") as table:
        table.drop_column("next_alert_at")
    op.drop_table("sla_alerts")
