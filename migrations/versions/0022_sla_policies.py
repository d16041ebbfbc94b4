"""SLA policies: conditions on a ticket, a calendar of business hours (none: 24/7) and up to three targets in
minutes (first response, next response, resolution); the first policy by position that fits applies.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("match", sa.JSON, nullable=False),
        sa.Column("business_hours_id", sa.Integer, sa.ForeignKey("business_hours.id", ondelete="RESTRICT")),
        sa.Column("first_response_minutes", sa.Integer),
        sa.Column("next_response_minutes", sa.Integer),
        sa.Column("resolution_minutes", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(254)),
        sa.UniqueConstraint("name", name="uq_sla_policies_name"),
    )
    op.create_index("ix_sla_policies_position", "sla_policies", ["position", "id"])


def downgrade():
    op.drop_index("ix_sla_policies_position", "sla_policies")
    op.drop_table("sla_policies")
