"""Business hours: calendars (a time zone, weekly hours, holidays) that SLA targets count their minutes in.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "business_hours",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("week", sa.JSON, nullable=False),
        sa.Column("holidays", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(254)),
        sa.UniqueConstraint("name", name="uq_business_hours_name"),
    )


def downgrade():
    op.drop_table("business_hours")
