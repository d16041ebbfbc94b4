"""The schema's history (Alembic, through Flask-Migrate) and what autogenerate compares (filters.py)."""
