"""What Alembic's autogenerate should compare on a given database."""


def for_dialect(dialect_name: str):
    """An `include_object` hook leaving out objects the model declares for another database only
    (`ddl_if(dialect=...)`), such as PostgreSQL's trigram indexes when comparing against SQLite."""
    def include_object(obj, name, type_, reflected, compare_to):
        condition = getattr(obj, "_ddl_if", None)
        return not (condition and condition.dialect and condition.dialect != dialect_name)
    return include_object
