"""Roles for agents (admin, agent, viewer), scopes, expiry and last use for tokens, a password an agent must
change at next sign-in, and a record of every change an admin makes.

Existing agents become `agent` and existing tokens `write`, so nobody loses what they could do; a desk with
agents but no admin afterwards makes its oldest active agent `admin`, so someone can manage the rest.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("role", sa.String(16), nullable=False, server_default="agent"))
    op.add_column("users", sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("api_tokens", sa.Column("scope", sa.String(8), nullable=False, server_default="write"))
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True)))
    op.add_column("api_tokens", sa.Column("last_used_at", sa.DateTime(timezone=True)))
    op.create_table(
        "admin_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(254), nullable=False),
        sa.Column("detail", sa.String(254)),
    )
    op.create_index("ix_admin_events_at", "admin_events", ["at"])
    # CHECK constraints on SQLite need a table copy, which would drop 0004's triggers' neighbours; the values
    # are guarded by the app (and on PostgreSQL by these constraints)
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("ck_users_role", "users", "role IN ('admin', 'agent', 'viewer')")
        op.create_check_constraint("ck_api_tokens_scope", "api_tokens", "scope IN ('read', 'write')")
    op.execute("""
        UPDATE users SET role = 'admin' WHERE id = (
            SELECT id FROM users WHERE active ORDER BY created_at, id LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin')""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_api_tokens_scope", "api_tokens")
        op.drop_constraint("ck_users_role", "users")
    op.drop_table("admin_events")
    op.drop_column("api_tokens", "last_used_at")
    op.drop_column("api_tokens", "expires_at")
    op.drop_column("api_tokens", "scope")
    op.drop_column("users", "must_change_password")
    op.drop_column("users", "role")
