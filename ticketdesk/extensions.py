"""Extension objects, created unbound so that every module can import them; bound in create_app()."""
import sqlalchemy as sa
from flask import g
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from . import pg_connections

# expire_on_commit=False: a just-written ticket is serialised from memory, not SELECTed again.
db = SQLAlchemy(session_options={"expire_on_commit": False})
migrate = Migrate()
cors = CORS()
csrf = CSRFProtect()  # every form; JSON API views are exempted by api_route


def client_key() -> str:
    """Whom a rate limit counts: the agent or token the access gate found, else the client's address."""
    actor = g.get("actor")
    return f"actor:{actor}" if actor else get_remote_address()


# per-client limits on costly routes only; storage from RATELIMIT_STORAGE_URI (memory, or Redis shared by workers)
limiter = Limiter(key_func=client_key)


def init_limiter(app) -> None:
    """Every limit is a route's own (`@limiter.limit`), and a limited view counts itself when it is called.
    The extension's check before every request finds nothing more to count on any route, at 5 % of reading
    a ticket, so it is taken off; set a default or application-wide limit and it is kept."""
    limiter.init_app(app)
    if not (app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION")):
        app.before_request_funcs[None].remove(limiter._check_request_limit)


def configure_engine(app) -> None:
    """PostgreSQL through psycopg 3: plans kept across requests, one round trip to check a pooled connection
    and begin (pg_connections.py). SQLite: WAL so gunicorn workers read while one writes, a busy timeout
    instead of 'database is locked', foreign keys on, and a Unicode-aware lower() so case-insensitive
    search matches PostgreSQL's."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.driver == "psycopg":
        pg_connections.init_engine(engine)
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _lower(value):
    return value.lower() if isinstance(value, str) else value
