"""One structured line per request, with an id echoed in X-Request-ID, and nothing secret in it."""
import json
import logging
import re

import pytest


def request_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "ticketdesk.request"]


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.INFO, logger="ticketdesk.request")
    return caplog


def test_each_request_logs_one_line_with_the_id_it_answers_with(client, logged):
    response = client.get("/api/tickets/?status=open")
    lines = request_lines(logged)
    assert len(lines) == 1
    line = lines[0]
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/tickets/", 200)
    assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 10_000


def test_a_well_formed_incoming_id_is_kept_and_anything_else_replaced(client, logged):
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-42.a:b"}).headers["X-Request-ID"] == "proxy-42.a:b"
    for hostile in ("has space", "x" * 129, "line\\nbreak", "<script>"):
        echoed = client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert echoed != hostile and re.fullmatch(r"[0-9a-f]{32}", echoed)
    assert [line["request_id"] for line in request_lines(logged)][0] == "proxy-42.a:b"


def test_errors_are_logged_with_their_status(client, logged):
    client.get("/api/tickets/999999/")
    client.post("/api/tickets/", json={"title": ""})
    assert [line["status"] for line in request_lines(logged)] == [404, 400]


def test_no_description_search_text_or_key_reaches_the_log(app, logged):
    app.config["OPENAI_API_KEY"] = "sk-test-secret-key-123"
    client = app.test_client()
    secret_text = "my card 4111-1111-1111-1111 was charged twice"
    client.post("/api/tickets/", json={"title": "Card", "description": secret_text, "category": "billing",
                                       "priority": "high"})
    client.post("/api/tickets/classify/", json={"description": secret_text})
    client.get("/api/tickets/?search=4111-1111")
    everything = "\n".join(r.getMessage() for r in logged.records)
    assert len(request_lines(logged)) == 3
    for leak in ("4111", "sk-test-secret", "charged twice", "search="):
        assert leak not in everything
