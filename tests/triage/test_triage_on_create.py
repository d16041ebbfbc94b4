"""Triage on create: `"auto"` asks the desk's local classifiers for a label at once, the answer says which
one did, and the earlier contract (both fields required, a bad value a 400) holds for everyone else."""
import time

import pytest

from tests.conftest import make_app
from ticketdesk.extensions import db

OUTAGE = {"title": "Site down", "description": "The whole site is down for all users since 9:00."}


def test_auto_fills_both_fields_from_the_local_classifiers(client):
    created = client.post("/api/tickets/", json={**OUTAGE, "category": "auto", "priority": "auto"})
    assert created.status_code == 201
    assert (created.json["category"], created.json["priority"], created.json["triaged_by"]) == \
        ("technical", "critical", "keyword")
    assert client.get(f"/api/tickets/{created.json['id']}/").json == created.json  # as later read


def test_one_field_may_be_auto_and_explicit_values_are_never_overridden(client):
    created = client.post("/api/tickets/", json={**OUTAGE, "category": "billing", "priority": "auto"}).json
    assert (created["category"], created["priority"], created["triaged_by"]) == ("billing", "critical", "keyword")
    chosen = client.post("/api/tickets/", json={**OUTAGE, "category": "general", "priority": "low"}).json
    assert (chosen["category"], chosen["priority"], chosen["triaged_by"]) == ("general", "low", None)


def test_the_contract_holds_without_auto(client):
    missing = client.post("/api/tickets/", json=OUTAGE)
    assert missing.status_code == 400
    assert missing.json == {"category": ["This field is required."], "priority": ["This field is required."]}
    wrong = client.post("/api/tickets/", json={**OUTAGE, "category": "Auto", "priority": "urgent"})
    assert wrong.status_code == 400 and set(wrong.json) == {"category", "priority"}
    assert client.get("/api/tickets/").json == []


def test_patch_refuses_auto_and_no_answer_contains_it(client, make_ticket):
    ticket = make_ticket()
    for body in ({"category": "auto"}, {"priority": "auto", "status": "closed"}):
        refused = client.patch(f"/api/tickets/{ticket['id']}/", json=body)
        assert refused.status_code == 400
        name = next(iter(k for k in body if body[k] == "auto"))
        assert refused.json == {name: ['"auto" is accepted only when a ticket is created; send one of the values.']}
    assert client.get(f"/api/tickets/{ticket['id']}/").json == ticket  # nothing changed
    client.post("/api/tickets/", json={**OUTAGE, "category": "auto", "priority": "auto"})
    assert '"auto"' not in client.get("/api/tickets/").get_data(as_text=True)  # in no field of any ticket


def test_triage_on_create_lets_unchangeable_clients_leave_both_fields_out(app, client):
    app.config["TRIAGE_ON_CREATE"] = True
    created = client.post("/api/tickets/", json=OUTAGE)
    assert created.status_code == 201
    assert (created.json["category"], created.json["priority"], created.json["triaged_by"]) == \
        ("technical", "critical", "keyword")
    kept = client.post("/api/tickets/", json={**OUTAGE, "priority": "low"}).json
    assert (kept["priority"], kept["category"]) == ("low", "technical")
    assert client.post("/api/tickets/", json={**OUTAGE, "priority": "soon"}).status_code == 400
    assert client.post("/api/tickets/", json={**OUTAGE, "category": None}).status_code == 400  # null is no omission


def test_creating_never_waits_on_a_remote_provider(database_url_for_run):
    """The configured chain asks an LLM that never answers; filing with `auto` does not ask it at all."""
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    port = silent.getsockname()[1]
    app = make_app(database_url_for_run, TICKETDESK_CLASSIFIER="openai", OPENAI_API_KEY="sk-test",
                   OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", CLASSIFIER_TIMEOUT=3.0)
    try:
        started = time.monotonic()
        created = app.test_client().post("/api/tickets/", json={**OUTAGE, "category": "auto", "priority": "auto"})
        assert time.monotonic() - started < 1.5
        assert created.status_code == 201 and created.json["triaged_by"] == "keyword"
    finally:
        silent.close()
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("field", ["category", "priority"])
def test_the_openapi_document_offers_auto_on_create_only(client, field):
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    assert "auto" in schemas["NewTicket"]["properties"][field]["enum"]
    assert "auto" not in schemas["TicketChange"]["properties"][field]["enum"]
    assert "auto" not in schemas["Ticket"]["properties"][field]["enum"]
