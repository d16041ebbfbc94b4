"""Mail read once: what a mail's page shows (computed at intake, so no page parses a mail again), whether
its sender was verified, and when retention emptied it.

Plain ALTER TABLEs on both databases (a batch copy on SQLite would lose the tickets' triggers); every new
column is nullable with no default, so no row is rewritten.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PURGEABLE = sa.text("outcome IN ('ignored', 'bounce', 'quarantined') AND purged_at IS NULL")


def upgrade():
    op.add_column("incoming_mails", sa.Column("view", sa.JSON))
    op.add_column("incoming_mails", sa.Column("unverified", sa.String(120)))
    op.add_column("incoming_mails", sa.Column("purged_at", sa.DateTime(timezone=True)))
    op.create_index("ix_incoming_mails_purgeable", "incoming_mails", ["received_at"],
                    sqlite_where=PURGEABLE, postgresql_where=PURGEABLE)


def downgrade():
    op.drop_index("ix_incoming_mails_purgeable", "incoming_mails")
    op.drop_column("incoming_mails", "purged_at")
    op.drop_column("incoming_mails", "unverified")
    op.drop_column("incoming_mails", "view")
