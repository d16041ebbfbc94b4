"""The ticket triggers that read a transition table run without JIT (PostgreSQL).

PL/pgSQL keeps the plan of each statement in a trigger function for the life of the connection, costed for
the rows the transition table held when it was first planned. After a bulk change of 1,000 tickets that cost
is far above `jit_above_cost`, so every later write on that pooled connection compiled the trigger's query
again: about 320 ms each, one ticket at a time, until the connection closed. Their queries are small joins
that gain nothing from JIT.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

FUNCTIONS = ("ticket_counts_add()", "ticket_events_record()")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for function in FUNCTIONS:
            op.execute(f"ALTER FUNCTION {function} SET jit = off")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for function in FUNCTIONS:
            op.execute(f"ALTER FUNCTION {function} RESET jit")
