"""Indexes for the priority ordering of the list (critical first, then oldest), unfiltered and by status:
keyset pages in that order read an index range instead of sorting every matching ticket.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# written out rather than imported: a migration must not change when the model module does
RANK = "CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 END"


def upgrade():
    op.create_index("ix_tickets_rank_created_id", "tickets", [sa.text(f"({RANK})"), "created_at", "id"])
    op.create_index("ix_tickets_status_rank_created_id", "tickets", ["status", sa.text(f"({RANK})"), "created_at", "id"])


def downgrade():
    op.drop_index("ix_tickets_status_rank_created_id", "tickets")
    op.drop_index("ix_tickets_rank_created_id", "tickets")
