"""Requesters: the customer a ticket is from, found by email whatever its case, filterable, and shown on the
pages with a page of their own; the earlier contract is untouched for tickets filed without one."""
import re
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from ticketdesk.extensions import db
from ticketdesk.models import Requester

ANA = {"email": "Ana.Lima@Example.com", "name": "Ana Lima"}


def requesters(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return db.session.execute(sa.select(Requester.email, Requester.name).order_by(Requester.id)).all()


def test_a_ticket_names_its_requester_found_by_email_in_any_case(app, client, make_ticket):
    first = make_ticket(requester=ANA)
    assert first["requester"] == {"email": "ana.lima@example.com", "name": "Ana Lima"}
    assert client.get(f"/api/tickets/{first['id']}/").json == first
    again = make_ticket(requester={"email": " ANA.LIMA@example.COM ", "name": "A. Lima (mobile)"})
    assert again["requester"] == {"email": "ana.lima@example.com", "name": "Ana Lima"}  # the first name is kept
    assert requesters(app) == [("ana.lima@example.com", "Ana Lima")]
    assert make_ticket()["requester"] is None  # the earlier contract: no requester needed


def test_a_later_ticket_fills_in_a_missing_name(app, make_ticket):
    make_ticket(requester={"email": "bo@example.com"})
    make_ticket(requester={"email": "bo@example.com", "name": "Bo"})
    assert requesters(app) == [("bo@example.com", "Bo")]
CONTROL = "Control characters (such as line breaks or direction overrides) are not allowed."


def test_bad_requesters_are_refused_by_name_and_nothing_is_filed(app, client):
    ticket = {"title": "t", "description": "d", "category": "general", "priority": "low"}
    for requester, errors in (({"email": "not-an-address"}, {"email": ["Enter a valid email address."]}),
                              ({"name": "No email"}, {"email": ["This field is required."]}),
                              ({"email": "a@example.com", "name": "x" * 201}, {"name": ["Longer than maximum length 200."]}),
                              ({"email": "a@example.com", "name": "bad\x00"}, {"name": ["Null characters are not allowed."]}),
                              ({"email": "a@example.com", "name": "Eve\r\nBcc: victim@evil.test"}, {"name": [CONTROL]}),
                              ({"email": "a@example.com", "name": "Eve\u202e"}, {"name": [CONTROL]}),
                              ({"email": "eve@example.com\r\nbcc: victim@evil.test"}, {"email": ["Enter a valid email address.", CONTROL]}),
                              ("ana@example.com", {"_schema": ["Invalid input type."]})):
        refused = client.post("/api/tickets/", json={**ticket, "requester": requester})
        assert refused.status_code == 400
        assert refused.json == {"requester": errors}
    assert client.get("/api/tickets/").json == [] and requesters(app) == []


def test_tickets_from_a_new_requester_at_once_make_one_requester(app, client, make_ticket):
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda i: make_ticket(title=f"t{i}", requester={"email": "rush@example.com"}), range(8)))
    assert {t["requester"]["email"] for t in made} == {"rush@example.com"}
    assert requesters(app) == [("rush@example.com", None)]


def test_the_list_filters_by_requester(client, make_ticket):
    ana = make_ticket(requester=ANA)
    make_ticket(requester={"email": "bo@example.com"})
    make_ticket()
    assert [t["id"] for t in client.get("/api/tickets/?requester=ANA.lima@example.com").json] == [ana["id"]]
    assert client.get("/api/tickets/?requester=nobody@example.com").json == []
    refused = client.get("/api/tickets/?requester=not-an-address")
    assert refused.status_code == 400 and "requester" in refused.json


def test_the_pages_show_the_requester_and_their_page_lists_their_tickets(app, client, make_ticket):
    first = make_ticket(title="First from Ana", requester=ANA)
    make_ticket(title="Second from Ana", requester=ANA)
    make_ticket(title="From someone else", requester={"email": "bo@example.com"})
    detail = client.get(f"/tickets/{first['id']}").get_data(as_text=True)
    link = re.search(r'From</span> <a href="(/requesters/\d+)">Ana Lima</a>', detail)
    assert link and "&lt;ana.lima@example.com&gt;" in detail
    page = client.get(link.group(1)).get_data(as_text=True)
    assert page.index("Second from Ana") < page.index("First from Ana") and "From someone else" not in page
    assert "2 tickets, newest first" in page
    assert "Ana Lima" in client.get("/").get_data(as_text=True)
    assert client.get("/requesters/999").status_code == 404


def test_an_agent_corrects_a_name_on_the_requesters_page(app, client, make_ticket):
    ticket = make_ticket(requester=ANA)
    with app.app_context():
        requester_id = db.session.scalar(sa.select(Requester.id))
    page = client.get(f"/requesters/{requester_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    saved = client.post(f"/requesters/{requester_id}", data={"csrf_token": token, "name": "Ana Lima Souza"},
                        follow_redirects=True)
    assert b"Name saved." in saved.data
    assert client.get(f"/api/tickets/{ticket['id']}/").json["requester"]["name"] == "Ana Lima Souza"


def test_an_agent_files_a_ticket_for_a_customer_who_phoned(app, client):
    page = client.get("/tickets/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "title": "Phoned in", "description": "Cannot find the invoice",
            "category": "billing", "priority": "low"}
    wrong = client.post("/tickets/new", data={**form, "requester_email": "nope", "requester_name": "Cy"})
    assert wrong.status_code == 200 and b"Enter a valid email address." in wrong.data
    nameless = client.post("/tickets/new", data={**form, "requester_name": "Cy"})
    assert b"Give the requester&#39;s email too" in nameless.data
    filed = client.post("/tickets/new", data={**form, "requester_email": "Cy@Example.com", "requester_name": "Cy"})
    assert filed.status_code == 302
    assert client.get("/api/tickets/").json[0]["requester"] == {"email": "cy@example.com", "name": "Cy"}
