"""Each ticket's standing against its SLA policy, in a narrow table of its own: due times, the resolution
clock, breaches; written when events happen, so a reply's or status change's write never touches the big
tickets table's indexes for it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ticket_slas",
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("policy_id", sa.Integer, sa.ForeignKey("sla_policies.id", ondelete="SET NULL")),
        sa.Column("first_response_due_at", sa.DateTime(timezone=True)),
        sa.Column("next_response_due_at", sa.DateTime(timezone=True)),
        sa.Column("resolution_due_at", sa.DateTime(timezone=True)),
        sa.Column("resolution_spent", sa.Float, nullable=False, server_default="0"),
        sa.Column("resolution_running_since", sa.DateTime(timezone=True)),
        sa.Column("next_due_at", sa.DateTime(timezone=True)),
        sa.Column("breached", sa.String(64), nullable=False, server_default=""),
        sa.Column("met", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("ix_ticket_slas_next_due", "ticket_slas", ["next_due_at", "ticket_id"],
                    sqlite_where=sa.text("next_due_at IS NOT NULL"), postgresql_where=sa.text("next_due_at IS NOT NULL"))
    op.create_index("ix_ticket_slas_breached", "ticket_slas", ["ticket_id"],
                    sqlite_where=sa.text("breached <> ''"), postgresql_where=sa.text("breached <> ''"))


def downgrade():
    op.drop_index("ix_ticket_slas_breached", "ticket_slas")
    op.drop_index("ix_ticket_slas_next_due", "ticket_slas")
    op.drop_table("ticket_slas")
