"""The settings generation also moves when a classifier model is trained or its deployment changes, so each
worker keeps which model is deployed instead of asking on every suggestion (migration 0026's triggers, on
classifier_models).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

TABLE = "classifier_models"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {TABLE}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION desk_generation_raise()")
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {TABLE}_generation_{event.lower()} AFTER {event} ON {TABLE} "
                       "BEGIN UPDATE desk_generation SET n = n + 1 WHERE id = 1; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TABLE}_generation ON {TABLE}")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {TABLE}_generation_{event}")
