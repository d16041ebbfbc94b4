"""Triage that learns: each ticket's language, who set its category and priority, which classifier filled
them when a client asked for `auto`; every suggestion served, linked to the ticket filed with it; and the
models `flask triage train` builds.

New columns are nullable with no default, so adding them rewrites no row (1,000,000 tickets stay a quick
start-up). A ticket filed before this migration has no language until `flask triage languages` runs, and
no recorded provenance: its labels were set by a person, as nothing else could set them then.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("tickets", sa.Column("language", sa.String(8)))
    op.add_column("tickets", sa.Column("category_set_by", sa.String(8)))
    op.add_column("tickets", sa.Column("priority_set_by", sa.String(8)))
    op.add_column("tickets", sa.Column("triaged_by", sa.String(32)))
    op.create_index("ix_tickets_language_created_id", "tickets",
                    ["language", sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(254)),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("category_by", sa.String(32), nullable=False),
        sa.Column("priority_by", sa.String(32), nullable=False),
        sa.Column("category_confidence", sa.Float),
        sa.Column("priority_confidence", sa.Float),
        sa.Column("ticket_id", sa.Integer,
                  sa.ForeignKey("tickets.id", ondelete="CASCADE", name="fk_suggestions_ticket")),
        sa.Column("filed_category", sa.String(16)),
        sa.Column("filed_priority", sa.String(16)),
        sa.UniqueConstraint("ticket_id", name="uq_suggestions_ticket_id"),
    )
    op.create_index("ix_suggestions_created_at", "suggestions", ["created_at"])
    op.create_table(
        "classifier_models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("examples", sa.Integer, nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )


def downgrade():
    op.drop_table("classifier_models")
    op.drop_table("suggestions")
    op.drop_index("ix_tickets_language_created_id", "tickets")
    for column in ("triaged_by", "priority_set_by", "category_set_by", "language"):
        op.drop_column("tickets", column)
