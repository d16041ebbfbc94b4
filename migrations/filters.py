"""What Alembic's autogenerate should compare on a given database."""
import sqlalchemy as sa


def for_dialect(dialect_name: str):
    """An `include_object` hook leaving out objects the model declares for another database only
    (`ddl_if(dialect=...)`), such as PostgreSQL's trigram indexes when comparing against SQLite, and
    indexes on an expression, which each database reflects in its own rewriting (PostgreSQL adds casts,
    SQLite reflects none): tests/test_migrations.py checks those directly."""
    def include_object(obj, name, type_, reflected, compare_to):
        condition = getattr(obj, "_ddl_if", None)
        if condition and condition.dialect and condition.dialect != dialect_name:
            return False
        return not (type_ == "index" and _on_expression(obj if not reflected else compare_to))
    return include_object


def _on_expression(index) -> bool:
    return index is not None and any(isinstance(e, sa.TextClause) or hasattr(e, "text")
                                     for e in getattr(index, "expressions", ()))
