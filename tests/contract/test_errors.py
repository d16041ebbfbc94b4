"""Contract line 7: errors everywhere are JSON in the documented shapes, and nothing is half-written."""
import logging

import pytest

VALID = {"title": "t", "description": "d", "category": "general", "priority": "low"}
WRITES = [("POST", "/api/tickets/"), ("PATCH", "/api/tickets/{id}/"), ("POST", "/api/tickets/classify/")]


@pytest.fixture
def ticket_id(make_ticket):
    return make_ticket()["id"]


@pytest.mark.parametrize("method, path", WRITES)
def test_malformed_json_is_400(client, ticket_id, method, path):
    response = client.open(path.format(id=ticket_id), method=method, data='{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json["detail"].startswith("JSON parse error")


@pytest.mark.parametrize("method, path", WRITES)
@pytest.mark.parametrize("body, kind", [("[1, 2]", "list"), ('"text"', "str"), ("42", "int"), ("null", "NoneType")])
def test_a_body_that_is_not_an_object_is_400(client, ticket_id, method, path, body, kind):
    response = client.open(path.format(id=ticket_id), method=method, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}


@pytest.mark.parametrize("method, path", WRITES)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_on_a_write_is_415(client, ticket_id, method, path, content_type):
    response = client.open(path.format(id=ticket_id), method=method, data='{"title": "x"}', content_type=content_type)
    assert response.status_code == 415
    assert "Unsupported media type" in response.json["detail"]


def test_json_with_charset_is_accepted(client):
    import json
    response = client.post("/api/tickets/", data=json.dumps(VALID), content_type="application/json; charset=utf-8")
    assert response.status_code == 201


def test_invalid_utf8_is_400(client):
    response = client.post("/api/tickets/", data=b'{"title": "\xff"}', content_type="application/json")
    assert response.status_code == 400


def test_body_over_the_limit_is_413_and_nothing_is_written(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = client.post("/api/tickets/", json={**VALID, "description": "x" * 5000})
    assert response.status_code == 413
    assert "limit" in response.json["detail"]
    assert client.get("/api/tickets/").json == []


def test_body_limit_defaults_to_one_mebibyte(client):
    assert client.application.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    big = {**VALID, "description": "x" * (1024 * 1024)}
    assert client.post("/api/tickets/", json=big).status_code == 413
    fits = {**VALID, "description": "x" * 500_000}
    assert client.post("/api/tickets/", json=fits).status_code == 201


@pytest.mark.parametrize("path", ["/api/", "/api/nothing", "/api/tickets/1/comments/", "/api/tickets/stats/extra"])
def test_unknown_api_path_is_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json == {"detail": "Not found."}


@pytest.mark.parametrize("method, path", [
    ("DELETE", "/api/tickets/"), ("PUT", "/api/tickets/{id}/"), ("DELETE", "/api/tickets/{id}"),
    ("POST", "/api/tickets/stats/"), ("GET", "/api/tickets/classify/"), ("GET", "/api/tickets/classify"),
])
def test_wrong_method_is_json_405(client, ticket_id, method, path):
    response = client.open(path.format(id=ticket_id), method=method)
    assert response.status_code == 405
    assert response.json == {"detail": f'Method "{method}" not allowed.'}
    assert response.headers["Allow"]


def test_unexpected_error_is_500_with_the_cause_logged_not_shown(client, monkeypatch, caplog):
    from ticketdesk.stats import api

    def explode():
        raise RuntimeError("secret internal detail")
    monkeypatch.setattr(api, "ticket_stats", explode)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/tickets/stats/")
    assert response.status_code == 500
    assert response.json == {"error": "An unexpected error occurred"}
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "secret internal detail" in caplog.text


def test_database_rejects_values_the_api_would_never_send(app):
    """The CHECK constraints hold even for writers that bypass the API."""
    import sqlalchemy as sa

    from ticketdesk.extensions import db

    bad_rows = [
        ("t", "d", "shopping", "low", "open"), ("t", "d", "general", "urgent", "open"),
        ("t", "d", "general", "low", "archived"), ("   ", "d", "general", "low", "open"),
        ("x" * 201, "d", "general", "low", "open"), ("t", " ", "general", "low", "open"),
    ]
    with app.app_context():
        for values in bad_rows:
            with pytest.raises((sa.exc.IntegrityError, sa.exc.DataError)):
                db.session.execute(sa.text(
                    "INSERT INTO tickets (title, description, category, priority, status) "
                    "VALUES (:t, :d, :c, :p, :s)"), dict(zip("tdcps", values)))
            db.session.rollback()
        assert db.session.execute(sa.text("SELECT count(*) FROM tickets")).scalar() == 0


def test_pages_are_never_cached_and_api_answers_only_privately_with_revalidation(client, make_ticket):
    ticket = make_ticket()
    for path in ("/", f"/tickets/{ticket['id']}", "/stats", "/login", "/tickets/999999"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    first = client.get(f"/api/tickets/{ticket['id']}/")
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(f"/api/tickets/{ticket['id']}/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "private, no-cache"
    for path in ("/api/tickets/", "/api/tickets/stats/", "/api/tickets/999999/"):
        assert client.get(path).headers["Cache-Control"] == "private, no-cache", path
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_production_tells_browsers_to_use_https_only():
    from tests.conftest import make_app

    production = make_app("sqlite://", TICKETDESK_ENV="production", TRUSTED_HOSTS=["localhost"], SECRET_KEY="a" * 40, TICKETDESK_AUTH=None)
    assert production.test_client().get("/healthz").headers["Strict-Transport-Security"] == \
        "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in make_app("sqlite://").test_client().get("/healthz").headers


def test_head_on_the_sign_in_page_answers_like_get(anonymous):
    assert anonymous.head("/login").status_code == 200
