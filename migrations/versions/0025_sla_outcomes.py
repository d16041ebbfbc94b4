"""Each SLA target met or breached, kept as a row with when it was decided, under which policy and in which
team's queue: the dashboard's compliance (the share met over 7 and 30 days, overall, per policy and per
team) reads a window of them through the index on `decided_at`, never the audit trail.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sla_outcomes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("met", sa.Boolean, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("policy_id", sa.Integer, sa.ForeignKey("sla_policies.id", ondelete="SET NULL")),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="SET NULL")),
    )
    op.create_index("ix_sla_outcomes_decided", "sla_outcomes", ["decided_at"])
    op.create_index("ix_sla_outcomes_ticket", "sla_outcomes", ["ticket_id"])


def downgrade():
    op.drop_table("sla_outcomes")
