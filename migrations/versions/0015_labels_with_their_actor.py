"""Labels with their actor: who set each ticket's category and priority (so an admin can exclude an
actor's labels from training), which learned model is deployed and the held-out labels frozen with it
(the judge its successors face), and the excluded actors.

Plain ALTER TABLEs (a batch copy on SQLite would lose the tickets' triggers); the tickets columns are
nullable with no default, so no ticket is rewritten. Labels set before this migration have no recorded
actor. Every model stored before it counts as deployed, as it was.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("tickets", sa.Column("category_labelled_by", sa.String(254)))
    op.add_column("tickets", sa.Column("priority_labelled_by", sa.String(254)))
    op.add_column("classifier_models", sa.Column("deployed", sa.Boolean, nullable=False, server_default=sa.true()))
    op.add_column("classifier_models", sa.Column("judge", sa.Text))
    op.create_index("ix_classifier_models_deployed", "classifier_models", ["id"],
                    sqlite_where=sa.text("deployed"), postgresql_where=sa.text("deployed"))
    op.create_table(
        "training_exclusions",
        sa.Column("actor", sa.String(254), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(254)),
    )


def downgrade():
    op.drop_table("training_exclusions")
    op.drop_index("ix_classifier_models_deployed", "classifier_models")
    op.drop_column("classifier_models", "judge")
    op.drop_column("classifier_models", "deployed")
    op.drop_column("tickets", "priority_labelled_by")
    op.drop_column("tickets", "category_labelled_by")
