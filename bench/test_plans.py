"""The query plans behind every read endpoint, checked on PostgreSQL at 50,000 tickets loaded by the
benchmark's own loader: each uses its index, and none reads the tickets table from end to end.
(`make bench` records the same plans at 1,000,000 tickets in bench/results/plans.md.)"""
import pytest
import sqlalchemy as sa

from config import database_url
from ticketdesk import create_app
from ticketdesk.extensions import db

from . import load
from .endpoints import capture_sql, endpoints, explain

PG_URL = database_url("", "TEST_DATABASE_URL") or None
TICKETS = 50_000
SECRET_KEY = "plans-secret-key-0123456789"

pytestmark = pytest.mark.skipif(not PG_URL, reason="query plans are PostgreSQL's; set TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def loaded_app():
    url = str(sa.engine.make_url(PG_URL).set(database=sa.engine.make_url(PG_URL).database + "_plans"))
    load.build(url, TICKETS)
    headers = load.credentials(url, SECRET_KEY)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "TICKETDESK_CLASSIFIER": "keyword",
                      "TICKETDESK_ENV": "testing", "TICKETDESK_AUTH": "required", "SECRET_KEY": SECRET_KEY,
                      "BENCH_HEADERS": headers})
    yield app
    with app.app_context():
        db.engine.dispose()
    admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{sa.engine.make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def read_endpoints(app):
    with app.app_context():
        return [e for e in endpoints(TICKETS) if e.uses_database and e.method == "GET" and e.plan_checked]


def plans_for(app, endpoint) -> list[str]:
    statements = capture_sql(app, endpoint, app.config["BENCH_HEADERS"])
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            return [explain(connection, statement, parameters) for statement, parameters in statements]
        finally:
            connection.close()


def test_every_read_endpoint_uses_its_indexes_and_never_scans_the_tickets(loaded_app):
    checked = 0
    for endpoint in read_endpoints(loaded_app):
        credential_lookup, *plans = plans_for(loaded_app, endpoint)
        if endpoint.path.startswith("/api/"):  # the access gate's token lookup, then the endpoint's one query
            assert "Index Scan using uq_api_tokens_token_hash" in credential_lookup, credential_lookup
            assert len(plans) == 1, f"{endpoint.name}: one statement expected, got {len(plans)}"
        else:  # a page: the agent's session, then its count and its rows (and its filters' teams and agents)
            assert "users_pkey" in credential_lookup, credential_lookup
            on_tickets = [p for p in plans if " on tickets" in p or "ticket_counts" in p]
            assert len(on_tickets) == 2, f"{endpoint.name}: a count and a page expected, got {len(on_tickets)}"
        plan = "\n".join(plans)
        assert "Seq Scan on tickets" not in plan, f"{endpoint.name}:\n{plan}"
        for index in endpoint.uses:
            assert index in plan, f"{endpoint.name} does not use {index}:\n{plan}"
        if endpoint.uses_any:
            assert any(index in plan for index in endpoint.uses_any), f"{endpoint.name}:\n{plan}"
        checked += 1
    assert checked == 19


def test_search_through_the_trigram_indexes_keeps_the_contract_semantics(loaded_app):
    """The indexed path finds what a plain scan finds: case-insensitive substrings, `%` and `_` literal."""
    client = loaded_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = loaded_app.config["BENCH_HEADERS"]["Authorization"]
    with loaded_app.app_context():
        expected = db.session.execute(sa.text(
            "SELECT count(*) FROM tickets WHERE lower(title) LIKE '%zanzibar%' OR lower(description) LIKE '%zanzibar%'"
        )).scalar()
    found = client.get("/api/tickets/?search=ZANZIBAR&limit=1000").json
    assert len(found) == expected >= 1
    assert all("zanzibar" in (t["title"] + t["description"]).lower() for t in found)
    assert client.get("/api/tickets/?search=zan%25bar").json == []  # % is a character, not a wildcard
    assert client.get("/api/tickets/?search=zanz_bar").json == []
