"""A version number per ticket, raised by every change: the API's ETag, so that a PATCH sent with
If-Match cannot silently overwrite a change it has not seen.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# plain ALTER TABLE on both databases (SQLite 3.35+ drops columns): a batch copy of the table on SQLite
# would lose the stats triggers of 0002

def upgrade():
    op.add_column("tickets", sa.Column("version", sa.Integer, nullable=False, server_default="1"))


def downgrade():
    op.drop_column("tickets", "version")
