"""Mail in: every mail that reached the desk (kept as it came), the files that came with them, and the
closed ticket a new one follows up.

The new tickets column is nullable with no default, so adding it rewrites no ticket.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

QUARANTINED = sa.text("outcome = 'quarantined'")
OUTCOMES = ("ticket", "message", "ignored", "bounce", "quarantined")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    # a plain ALTER TABLE, as in 0009: a batch copy on SQLite would lose the tickets' triggers
    op.add_column("tickets", sa.Column("follows_up_id", sa.Integer))
    if postgresql:
        op.create_foreign_key("fk_tickets_follows_up", "tickets", "tickets", ["follows_up_id"], ["id"])
    op.create_index("ix_tickets_follows_up_id", "tickets", ["follows_up_id"])
    op.create_table(
        "incoming_mails",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("mail_message_id", sa.String(255)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(254)),
        sa.Column("subject", sa.String(255)),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(500)),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="SET NULL")),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id", ondelete="SET NULL")),
        sa.UniqueConstraint("key", name="uq_incoming_mails_key"),
    )
    if postgresql:
        op.create_check_constraint("ck_incoming_mails_outcome", "incoming_mails",
                                   f"outcome IN ({', '.join(repr(o) for o in OUTCOMES)})")
    op.create_index("ix_incoming_mails_mail_message_id", "incoming_mails", ["mail_message_id"])
    op.create_index("ix_incoming_mails_ticket_id", "incoming_mails", ["ticket_id"])
    op.create_index("ix_incoming_mails_quarantined", "incoming_mails", ["id"],
                    sqlite_where=QUARANTINED, postgresql_where=QUARANTINED)
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mail_id", sa.Integer, sa.ForeignKey("incoming_mails.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id", ondelete="CASCADE")),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(127), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary),
    )
    op.create_index("ix_attachments_ticket_id", "attachments", ["ticket_id", "id"])


def downgrade():
    op.drop_table("attachments")
    op.drop_table("incoming_mails")
    op.drop_index("ix_tickets_follows_up_id", "tickets")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_tickets_follows_up", "tickets", type_="foreignkey")
    op.drop_column("tickets", "follows_up_id")
