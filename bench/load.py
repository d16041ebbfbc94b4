"""A dedicated PostgreSQL database with N realistic tickets, built by the project's own migrations and
filled with one set-based INSERT ... SELECT (the demo templates, filled in by SQL), the indexes built
once afterwards rather than row by row."""
import secrets
import time

import flask_migrate
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ticketdesk import create_app
from ticketdesk.auth.passwords import hash_password
from ticketdesk.auth.sessions import start_session
from ticketdesk.auth.tokens import create_token
from ticketdesk.extensions import db
from ticketdesk.models import User
from ticketdesk.tickets.demo import COUNTRIES, NAMES, PRODUCTS, TEMPLATES

RARE_WORD = "Zanzibar"  # in one ticket out of RARE_EVERY
RARE_EVERY = 50_000
COMMON_WORD = "password"  # in the description of two templates out of 29: about 7% of tickets
DAYS = 730

FILL = """
INSERT INTO tickets (title, description, category, priority, status, created_at, updated_at, language)
SELECT left(pg_temp.fill(t.title), 200),
       pg_temp.fill(t.description) || CASE WHEN r.g % :rare_every = 0 THEN ' Customer office: {rare}.' ELSE '' END,
       t.category, t.priority,
       CASE WHEN r.created > now() - interval '30 days'
            THEN (ARRAY['open','open','in_progress','resolved','closed'])[1 + floor(random() * 5)::int]
            ELSE (ARRAY['closed','closed','closed','closed','closed','closed','closed','closed','resolved','open'])
                 [1 + floor(random() * 10)::int] END,
       r.created, r.created + random() * interval '3 days',
       -- a European desk's mix, so that a language filter has a minority to find
       (ARRAY['en','en','en','en','en','en','en','en','en','en','en','en','en','en','de','es','fr','pt','it','und'])
           [1 + floor(random() * 20)::int]
FROM (SELECT g, 1 + floor(random() * :templates)::int AS ti,
             now() - make_interval(secs => (:n - g) * (:days * 86400.0 / :n) + random() * 60) AS created
      FROM generate_series(1, :n) AS g) AS r
JOIN tpl AS t ON t.i = r.ti
ORDER BY r.g
"""

# {product} and friends, filled per row by a throwaway SQL function (VOLATILE: new picks for every call)
FILL_FUNCTION = """
CREATE FUNCTION pg_temp.fill(text) RETURNS text LANGUAGE sql VOLATILE AS $$
SELECT replace(replace(replace(replace(replace($1,
    '{product}', (:products)[1 + floor(random() * :n_products)::int]),
    '{name}', (:names)[1 + floor(random() * :n_names)::int]),
    '{country}', (:countries)[1 + floor(random() * :n_countries)::int]),
    '{n}', (2 + floor(random() * 99998))::int::text),
    '{amount}', '$' || (9 + floor(random() * 490))::int || '.' || lpad(floor(random() * 100)::int::text, 2, '0'))
$$
"""


def recreate_database(url: str) -> None:
    url = make_url(url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def migrate(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "TICKETDESK_CLASSIFIER": "keyword"})
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


def _sql_literal_array(values) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def fill_tickets(engine: sa.Engine, count: int, seed: float = 0.42) -> float:
    """Insert `count` tickets spread evenly over the last two years, newest last; returns seconds taken.

    Secondary indexes are dropped and rebuilt around the insert (their definitions are read back from
    PostgreSQL, so they are exactly what the migrations made); the triggers keep the stats counts as usual.
    """
    started = time.perf_counter()
    with engine.begin() as conn:
        indexes = conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'tickets'::regclass)")).all()
        for name, _ in indexes:
            conn.execute(sa.text(f'DROP INDEX "{name}"'))
        conn.execute(sa.text("SELECT setseed(:seed)"), {"seed": seed})
        function = FILL_FUNCTION
        for key, values in (("products", PRODUCTS), ("names", NAMES), ("countries", COUNTRIES)):
            function = function.replace(f":{key}", _sql_literal_array(values)).replace(f":n_{key}", str(len(values)))
        conn.exec_driver_sql(function)  # no bind parameters: its `::int` casts go through as written
        conn.execute(sa.text(
            "CREATE TEMP TABLE tpl AS SELECT * FROM unnest(CAST(:c AS text[]), CAST(:p AS text[]), "
            "CAST(:t AS text[]), CAST(:d AS text[])) WITH ORDINALITY AS t(category, priority, title, description, i)"),
            {"c": [t[0] for t in TEMPLATES], "p": [t[1] for t in TEMPLATES],
             "t": [t[2] for t in TEMPLATES], "d": [t[3] for t in TEMPLATES]})
        conn.execute(sa.text(FILL.replace("{rare}", RARE_WORD)),
                     {"n": count, "templates": len(TEMPLATES), "days": DAYS, "rare_every": RARE_EVERY})
        conn.execute(sa.text("SET LOCAL maintenance_work_mem = '512MB'"))
        for _, definition in indexes:
            conn.execute(sa.text(definition))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM (ANALYZE) tickets"))  # fresh statistics and a visibility map
        conn.execute(sa.text("VACUUM (ANALYZE) ticket_counts"))
    return time.perf_counter() - started


def build(url: str, count: int) -> float:
    """A new database at `url` with `count` tickets; returns the seconds the fill took."""
    recreate_database(url)
    migrate(url)
    engine = sa.create_engine(url)
    try:
        return fill_tickets(engine, count)
    finally:
        engine.dispose()


def credentials(url: str, secret_key: str, scope: str = "write") -> dict[str, str]:
    """Headers for a benchmark client, since the desk requires them as in production: a new bearer token for
    the API (of `scope`), and the session cookie a signed-in agent's browser holds (signed with `secret_key`)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "TICKETDESK_CLASSIFIER": "keyword",
                      "SECRET_KEY": secret_key})
    with app.app_context():
        token = create_token(f"bench-{secrets.token_hex(4)}", scope)
        agent = User(email=f"bench-{secrets.token_hex(4)}@example.com",
                     password_hash=hash_password(secrets.token_hex()))
        db.session.add(agent)
        db.session.commit()
        session = {"_user_id": str(agent.id), "_fresh": True, "sid": start_session(agent.id)}
        cookie = app.session_interface.get_signing_serializer(app).dumps(session)
        db.engine.dispose()
    return {"Authorization": f"Bearer {token}", "Cookie": f"session={cookie}"}
