"""Macros: a saved reply may also carry field changes (status, priority, category, team, assignee, tags to add
and remove) and an internal note, applied with the reply in one step.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("saved_replies") as table:
        table.add_column(sa.Column("changes", sa.JSON))
        table.add_column(sa.Column("note", sa.Text))


def downgrade():
    with op.batch_alter_table("saved_replies") as table:
        table.drop_column("note")
        table.drop_column("changes")
