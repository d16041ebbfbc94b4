"""A notification mail is claimed for MAIL_CLAIM_SECONDS, like a reply: one whose worker died while sending it
is sent again by the sweep once its claim has run out, instead of staying "sending" forever.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

UNSENT = "mail_state IN ('queued', 'sending')"


def upgrade():
    with op.batch_alter_table("notifications") as table:
        table.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True)))
    op.drop_index("ix_notifications_queued", "notifications")
    op.create_index("ix_notifications_unsent", "notifications", ["id"], sqlite_where=sa.text(UNSENT),
                    postgresql_where=sa.text(UNSENT))


def downgrade():
    op.drop_index("ix_notifications_unsent", "notifications")
    op.create_index("ix_notifications_queued", "notifications", ["id"], sqlite_where=sa.text("mail_state = 'queued'"),
                    postgresql_where=sa.text("mail_state = 'queued'"))
    with op.batch_alter_table("notifications") as table:
        table.drop_column("claimed_until")
