"""The migrations are the only way the schema changes: they run down and up cleanly on both databases
and leave the schema the model describes, with trigram indexes on PostgreSQL."""
import flask_migrate
import sqlalchemy as sa

from ticketdesk.auto_migrate import head_revision
from ticketdesk.extensions import db


def test_downgrade_then_upgrade_round_trips(app):
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        assert "tickets" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        inspector = sa.inspect(db.engine)
        assert "tickets" in inspector.get_table_names()
        assert db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def test_schema_matches_the_model(app):
    """Autogenerate finds nothing to do: the committed migration and the model agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from migrations.filters import for_dialect

    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": for_dialect(conn.dialect.name)})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def index_names(engine) -> set[str]:
    """Every index on tickets, those on expressions included (SQLAlchemy does not reflect them on SQLite)."""
    if engine.dialect.name == "postgresql":
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'tickets'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets'"
    with engine.connect() as conn:
        return set(conn.execute(sa.text(query)).scalars())


def test_indexes_for_filters_ordering_and_search(app):
    with app.app_context():
        assert {"ix_tickets_created_id", "ix_tickets_status_created_id", "ix_tickets_priority_created_id",
                "ix_tickets_category_created_id", "ix_tickets_rank_created_id",
                "ix_tickets_status_rank_created_id"} <= index_names(db.engine)
        if db.engine.dialect.name == "postgresql":
            rows = db.session.execute(sa.text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets' AND indexdef LIKE '%gin_trgm_ops%'"
            )).all()
            assert {r.indexname for r in rows} == {"ix_tickets_title_trgm", "ix_tickets_description_trgm"}


def test_postgresql_search_can_use_the_trigram_index(app, insert_tickets):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return  # SQLite has no trigram index; the search semantics are tested on both
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    insert_tickets({"title": f"ticket {i}", "description": f"body {i}", "category": "general", "priority": "low",
                    "status": "open", "created_at": now, "updated_at": now} for i in range(200))
    with app.app_context():
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.execute(sa.text(
            "EXPLAIN SELECT id FROM tickets WHERE title ILIKE '%needle%' OR description ILIKE '%needle%'")).scalars())
        db.session.rollback()
    assert "ix_tickets_title_trgm" in plan and "ix_tickets_description_trgm" in plan


def test_the_app_migrates_a_new_database_at_start_up_unless_told_not_to(tmp_path):
    from tests.conftest import make_app

    tables = {"tickets", "ticket_counts", "ticket_events", "users", "api_tokens", "agent_sessions", "sign_in_attempts",
              "admin_events", "suggestions", "classifier_models", "requesters", "messages", "periodic_runs",
              "saved_replies", "incoming_mails", "attachments", "training_exclusions", "teams", "team_members",
              "team_routes", "tags", "ticket_tags", "notifications", "saved_views", "business_hours", "sla_policies", "ticket_slas", "sla_alerts", "sla_outcomes", "desk_generation",
              "alembic_version"}
    for auto, expected in ((False, set()), (True, tables)):
        app = make_app(f"sqlite:///{tmp_path / f'auto-{auto}.db'}", AUTO_MIGRATE=auto)
        with app.app_context():
            assert set(sa.inspect(db.engine).get_table_names()) == expected
            db.engine.dispose()


def test_the_priority_ordering_uses_the_very_expression_the_migration_indexed(app, insert_tickets):
    """An index on an expression serves only a query that writes the same expression, on both databases."""
    import importlib

    from ticketdesk.models import PRIORITY_RANK_SQL
    from ticketdesk.record.queries import ticket_page

    migration = importlib.import_module("migrations.versions.0005_priority_ordering")
    assert migration.RANK == PRIORITY_RANK_SQL
    with app.app_context():
        query = ticket_page(ordering="priority", status="open", limit=25)
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            db.session.execute(sa.text("SET LOCAL enable_sort = off"))
        plan = "\n".join(str(row) for row in db.session.execute(sa.text(
            ("EXPLAIN " if db.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN ") + sql)))
        db.session.rollback()
    assert "ix_tickets_status_rank_created_id" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # read in order, never sorted
