"""Probes a load balancer (and the compose health check) can trust."""
import flask_migrate

from tests.conftest import make_app
from tests.fixtures.servers import free_port
from ticketdesk.auto_migrate import head_revision
from ticketdesk.extensions import db


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_says_ready_when_the_database_holds_the_current_schema(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "schema": head_revision()}


def test_readyz_is_503_while_the_schema_is_behind(app, client):
    with app.app_context():
        flask_migrate.downgrade(revision="0001")
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["status"] == "unavailable"
        assert "0001" in response.json["reason"]
    finally:
        with app.app_context():
            flask_migrate.upgrade()


def test_readyz_is_503_when_the_database_is_unreachable_and_healthz_still_answers():
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere")
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "database unreachable"}
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()
