"""Ownership: teams with members, an assignment mode and routes; an assignee and a team on each ticket;
tags; agents' names and whether they are away; `admin` tokens; the partial indexes the queues count with. The audit trigger also records assignee
and team changes (by email and name, as they were), so ticket_events' values widen and may be null.

The tickets columns are added with plain ALTER TABLEs (a batch copy on SQLite would lose the tickets'
triggers) and are nullable with no default, so no ticket is rewritten. On SQLite the audit trigger is
dropped before ticket_events is copied (SQLite refuses to rename a table a trigger names while it is
missing) and made anew after.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

WORKING = "status IN ('open', 'in_progress')"
WAITING_ON_CUSTOMER = f"waiting_since IS NULL AND requester_id IS NOT NULL AND {WORKING}"
LABELS = ("status", "priority", "category")


def _pg_function(owned: bool) -> str:
    changes = [f"({i}, '{f}', o.{f}::text, n.{f}::text)" for i, f in enumerate(LABELS)]
    old, new = "change.old_value", "change.new_value"
    if owned:
        changes += ["(3, 'assignee', o.assignee_id::text, n.assignee_id::text)",
                    "(4, 'team', o.team_id::text, n.team_id::text)"]
        old, new = (f"""CASE change.field WHEN 'assignee' THEN (SELECT email FROM users WHERE id = {side}.assignee_id)
                   WHEN 'team' THEN (SELECT name FROM teams WHERE id = {side}.team_id)
                   ELSE change.{value} END""" for side, value in (("o", "old_value"), ("n", "new_value")))
    return f"""
CREATE OR REPLACE FUNCTION ticket_events_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_events (ticket_id, field, old_value, new_value, actor, created_at)
    SELECT n.id, change.field, {old}, {new}, n.updated_by, n.updated_at
    FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES {", ".join(changes)}) AS change(position, field, old_value, new_value)
    WHERE change.old_value IS DISTINCT FROM change.new_value
    ORDER BY n.id, change.position;
    RETURN NULL;
END $$;
"""


def _sqlite_trigger(owned: bool) -> str:
    columns = [*LABELS, *(("assignee_id", "team_id") if owned else ())]
    values = {f: (f"OLD.{f}", f"NEW.{f}") for f in LABELS}
    if owned:
        values["assignee"] = tuple(f"(SELECT email FROM users WHERE id = {s}.assignee_id)" for s in ("OLD", "NEW"))
        values["team"] = tuple(f"(SELECT name FROM teams WHERE id = {s}.team_id)" for s in ("OLD", "NEW"))
    inserts = " ".join(
        f"INSERT INTO ticket_events (ticket_id, field, old_value, new_value, actor, created_at) "
        f"SELECT NEW.id, '{field}', {old}, {new}, NEW.updated_by, NEW.updated_at "
        f"WHERE OLD.{column} IS NOT NEW.{column};"
        for (field, (old, new)), column in zip(values.items(), columns))
    return f"CREATE TRIGGER ticket_events_update AFTER UPDATE OF {', '.join(columns)} ON tickets BEGIN {inserts} END"


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("users", sa.Column("name", sa.String(200)))
    op.add_column("users", sa.Column("away", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("assignment", sa.String(16), nullable=False, server_default="manual"),
        sa.Column("last_assignee_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_team_members_user_id", "team_members", ["user_id"])
    op.create_table(
        "team_routes",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(254), primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_team_routes_team_id", "team_routes", ["team_id"])
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.UniqueConstraint("name", name="uq_tags_name"),
    )
    op.create_table(
        "ticket_tags",
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_ticket_tags_tag_id", "ticket_tags", ["tag_id", "ticket_id"])

    op.add_column("tickets", sa.Column("assignee_id", sa.Integer))
    op.add_column("tickets", sa.Column("team_id", sa.Integer))
    op.create_index("ix_tickets_assignee_created_id", "tickets",
                    ["assignee_id", sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_index("ix_tickets_team_created_id", "tickets", ["team_id", sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_index("ix_tickets_assignee_working", "tickets", ["assignee_id"],
                    sqlite_where=sa.text(WORKING), postgresql_where=sa.text(WORKING))
    op.create_index("ix_tickets_team_working", "tickets", ["team_id"],
                    sqlite_where=sa.text(WORKING), postgresql_where=sa.text(WORKING))
    op.create_index("ix_tickets_waiting_on_customer", "tickets", ["created_at"],
                    sqlite_where=sa.text(WAITING_ON_CUSTOMER), postgresql_where=sa.text(WAITING_ON_CUSTOMER))

    if postgresql:
        op.create_check_constraint("ck_teams_assignment", "teams", "assignment IN ('manual', 'round_robin', 'least_open')")
        op.create_foreign_key("fk_tickets_assignee", "tickets", "users", ["assignee_id"], ["id"])
        op.create_foreign_key("fk_tickets_team", "tickets", "teams", ["team_id"], ["id"], ondelete="SET NULL")
        op.drop_constraint("ck_api_tokens_scope", "api_tokens")
        op.create_check_constraint("ck_api_tokens_scope", "api_tokens", "scope IN ('read', 'write', 'admin')")
        for column in ("old_value", "new_value"):
            op.alter_column("ticket_events", column, type_=sa.String(254), existing_type=sa.String(16), nullable=True)
        op.execute(_pg_function(owned=True))
    else:
        op.execute("DROP TRIGGER ticket_events_update")
        with op.batch_alter_table("ticket_events") as batch:
            for column in ("old_value", "new_value"):
                batch.alter_column(column, type_=sa.String(254), existing_type=sa.String(16), nullable=True)
        op.execute(_sqlite_trigger(owned=True))


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute("DELETE FROM ticket_events WHERE field NOT IN ('status', 'priority', 'category')")
    if postgresql:
        op.execute(_pg_function(owned=False))
        for column in ("old_value", "new_value"):
            op.alter_column("ticket_events", column, type_=sa.String(16), existing_type=sa.String(254), nullable=False)
        op.execute("UPDATE api_tokens SET scope = 'write' WHERE scope = 'admin'")
        op.drop_constraint("ck_api_tokens_scope", "api_tokens")
        op.create_check_constraint("ck_api_tokens_scope", "api_tokens", "scope IN ('read', 'write')")
        op.drop_constraint("fk_tickets_team", "tickets", type_="foreignkey")
        op.drop_constraint("fk_tickets_assignee", "tickets", type_="foreignkey")
    else:
        op.execute("UPDATE api_tokens SET scope = 'write' WHERE scope = 'admin'")
        op.execute("DROP TRIGGER ticket_events_update")
        with op.batch_alter_table("ticket_events") as batch:
            for column in ("old_value", "new_value"):
                batch.alter_column(column, type_=sa.String(16), existing_type=sa.String(254), nullable=False)
        op.execute(_sqlite_trigger(owned=False))
    op.drop_index("ix_tickets_waiting_on_customer", "tickets")
    op.drop_index("ix_tickets_team_working", "tickets")
    op.drop_index("ix_tickets_assignee_working", "tickets")
    op.drop_index("ix_tickets_team_created_id", "tickets")
    op.drop_index("ix_tickets_assignee_created_id", "tickets")
    op.drop_column("tickets", "team_id")
    op.drop_column("tickets", "assignee_id")
    op.drop_table("ticket_tags")
    op.drop_table("tags")
    op.drop_table("team_routes")
    op.drop_table("team_members")
    op.drop_table("teams")
    op.drop_column("users", "away")
    op.drop_column("users", "name")
