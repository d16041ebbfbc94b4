"""Each ticket's language: detected offline when it is filed, shown and filterable, and found for older
tickets by a command that never touches what else the ticket says."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from ticketdesk.extensions import db
from ticketdesk.models import Ticket

GERMAN = {"title": "Passwort zurücksetzen", "description": "Ich kann mich seit gestern nicht mehr anmelden, "
                                                           "der Link zum Zurücksetzen kommt nicht an.",
          "category": "account", "priority": "high"}
SPANISH = {"title": "Factura duplicada", "description": "Nos han cobrado dos veces la factura de marzo, "
                                                        "por favor devuelvan uno de los cargos.",
           "category": "billing", "priority": "high"}
HINGLISH = {"title": "Spelling galat hai", "description": "Home page par Welcom likha hai, Welcome hona chahiye.",
            "category": "general", "priority": "low"}


def test_the_language_is_detected_when_a_ticket_is_filed(client, make_ticket):
    assert make_ticket(**GERMAN)["language"] == "de"
    assert make_ticket(**SPANISH)["language"] == "es"
    assert make_ticket()["language"] == "en"
    assert make_ticket(**HINGLISH)["language"] == "und"  # unsure is said, not guessed


def test_the_list_filters_by_language_in_the_api_and_on_the_page(client, make_ticket):
    german = make_ticket(**GERMAN)
    make_ticket(**SPANISH)
    listed = client.get("/api/tickets/?language=de").json
    assert [t["id"] for t in listed] == [german["id"]]
    refused = client.get("/api/tickets/?language=German")
    assert refused.status_code == 400 and "language" in refused.json
    page = client.get("/?language=de").get_data(as_text=True)
    assert "Passwort zurücksetzen" in page and "Factura duplicada" not in page
    assert '<option value="de" selected>German</option>' in page
    assert "1 ticket matches these filters" in page
    assert '<span class="chip language" title="German">DE</span>' in page
    detail = client.get(f"/tickets/{german['id']}").get_data(as_text=True)
    assert '<span class="chip language">German</span>' in detail


def test_older_tickets_get_theirs_from_a_command_that_changes_nothing_else(app, runner, insert_tickets):
    then = datetime(2026, 1, 5, tzinfo=timezone.utc)
    insert_tickets([{**ticket, "created_at": then + timedelta(minutes=i), "updated_at": then}
                    for i, ticket in enumerate([GERMAN, SPANISH, HINGLISH] * 3)])
    result = runner.invoke(args=["triage", "languages", "--batch", "4"])
    assert result.exit_code == 0, result.output
    assert "Detected the language of 9 tickets." in result.output
    with app.app_context():
        rows = db.session.execute(sa.select(Ticket.title, Ticket.language, Ticket.updated_at, Ticket.version)).all()
    assert {(title, language) for title, language, *_ in rows} == {
        ("Passwort zurücksetzen", "de"), ("Factura duplicada", "es"), ("Spelling galat hai", "und")}
    assert {(updated, version) for *_, updated, version in rows} == {(then, 1)}
    assert "Detected the language of 0 tickets." in runner.invoke(args=["triage", "languages"]).output
