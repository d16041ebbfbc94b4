"""A ticket's thread: replies to the requester, internal notes and the requester's own words, through the
API and the ticket's page. Until the desk sends mail, a reply is kept and shown as not sent."""
import re

import pytest

ANA = {"email": "ana@example.com", "name": "Ana Lima"}


def post(client, ticket_id, **body):
    return client.post(f"/api/tickets/{ticket_id}/messages/", json=body)


def test_notes_replies_and_customer_words_make_a_thread_oldest_first(client, make_ticket):
    ticket = make_ticket(requester=ANA)
    note = post(client, ticket["id"], kind="note", body="  Checked the logs: 500 from the export worker.  ")
    assert note.status_code == 201
    assert note.json["kind"] == "note" and note.json["body"] == "Checked the logs: 500 from the export worker."
    assert note.json["author"] == "token:test-client" and note.json["delivery"] is None
    reply = post(client, ticket["id"], kind="reply", body="We are on it, Ana.").json
    assert reply["delivery"] == {"state": "unsent", "detail": "mail is not configured"}
    said = post(client, ticket["id"], kind="customer", body="Thanks, it works now.").json
    assert said["author"] == "ana@example.com" and said["delivery"] is None
    thread = client.get(f"/api/tickets/{ticket['id']}/messages/").json
    assert [m["id"] for m in thread] == [note.json["id"], reply["id"], said["id"]]
    assert thread[1] == reply
    assert set(thread[0]) == {"id", "kind", "body", "author", "created_at", "delivery", "attachments"}


def test_a_reply_needs_someone_to_reply_to_and_the_kind_is_required(client, make_ticket):
    ticket = make_ticket()
    refused = post(client, ticket["id"], kind="reply", body="Hello?")
    assert refused.status_code == 400
    assert refused.json == {"kind": ["This ticket has no requester to reply to: add one, or write a note."]}
    assert post(client, ticket["id"], body="which kind?").json == {"kind": ["This field is required."]}
    for body, errors in (({"kind": "email", "body": "x"}, {"kind": ['"email" is not a valid choice.']}),
                         ({"kind": "note", "body": "   "}, {"body": ["This field may not be blank."]}),
                         ({"kind": "note", "body": "a\x00b"}, {"body": ["Null characters are not allowed."]}),
                         ({"kind": "note", "body": "x" * 50_001},
                          {"body": ["Ensure this field has no more than 50000 characters."]})):
        answer = post(client, ticket["id"], **body)
        assert answer.status_code == 400 and answer.json == errors
    assert client.get(f"/api/tickets/{ticket['id']}/messages/").json == []
    assert post(client, 999_999, kind="note", body="x").status_code == 404


def test_the_customer_writing_on_a_resolved_ticket_reopens_it(client, make_ticket):
    ticket = make_ticket(requester=ANA, status="resolved")
    post(client, ticket["id"], kind="note", body="Closed the loop.")
    assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == "resolved"
    post(client, ticket["id"], kind="customer", body="It broke again.")
    assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == "open"
    events = client.get(f"/api/tickets/{ticket['id']}/events/").json
    assert [(e["field"], e["from"], e["to"]) for e in events] == [("status", "resolved", "open")]


def test_the_first_reply_time_is_recorded_once(app, client, make_ticket):
    from ticketdesk.extensions import db
    from ticketdesk.models import Ticket
    ticket = make_ticket(requester=ANA)
    post(client, ticket["id"], kind="note", body="Looking.")
    with app.app_context():
        assert db.session.get(Ticket, ticket["id"]).first_reply_at is None
    first = post(client, ticket["id"], kind="reply", body="Hello Ana.").json
    post(client, ticket["id"], kind="reply", body="Any news?")
    with app.app_context():
        assert db.session.get(Ticket, ticket["id"]).first_reply_at.isoformat().replace("+00:00", "Z") == \
            first["created_at"]


def csrf(client, ticket_id):
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_an_agent_replies_and_resolves_from_the_page(client, make_ticket):
    ticket = make_ticket(requester=ANA)
    answer = client.post(f"/tickets/{ticket['id']}/messages", data={
        "csrf_token": csrf(client, ticket["id"]), "kind": "reply", "body": "Fixed on our side.",
        "then_status": "resolved"}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "Reply saved (not sent: mail is not configured) and status set to resolved." in page
    assert "Fixed on our side." in page and "not sent: mail is not configured" in page
    assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == "resolved"
    assert client.get(f"/api/tickets/{ticket['id']}/messages/").json[0]["author"] == "agent@example.com"


@pytest.mark.parametrize("form, problem", [
    ({"kind": "note", "body": " "}, "Write the message first."),
    ({"body": "no button"}, "Choose Reply to customer or Internal note."),
    ({"kind": "customer", "body": "pretending"}, "Nothing was sent."),
])
def test_the_composer_says_what_is_missing_and_sends_nothing(client, make_ticket, form, problem):
    ticket = make_ticket(requester=ANA)
    page = client.post(f"/tickets/{ticket['id']}/messages", data={"csrf_token": csrf(client, ticket["id"]), **form},
                       follow_redirects=True).get_data(as_text=True)
    assert problem in page
    assert client.get(f"/api/tickets/{ticket['id']}/messages/").json == []


def test_a_ticket_without_requester_offers_notes_only(client, make_ticket):
    ticket = make_ticket()
    page = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert 'value="note">Internal note</button>' in page and 'value="reply"' not in page
    answer = client.post(f"/tickets/{ticket['id']}/messages", data={
        "csrf_token": csrf(client, ticket["id"]), "kind": "reply", "body": "Hi"}, follow_redirects=True)
    assert "no requester to reply to" in answer.get_data(as_text=True)
    assert client.get(f"/api/tickets/{ticket['id']}/messages/").json == []


def test_the_dashboard_shows_who_waits_on_an_agent_and_the_median_first_response(app, client, make_ticket):
    from datetime import timedelta

    import sqlalchemy as sa

    from ticketdesk.extensions import db
    from ticketdesk.models import Ticket
    from ticketdesk.stats.queries import support_metrics

    waiting = [make_ticket(requester=ANA) for _ in range(3)]
    make_ticket()  # no requester: nobody waits
    make_ticket(requester=ANA, status="resolved")  # answered or not, nobody waits on a resolved ticket
    for ticket, minutes in zip(waiting, (10, 30, 600)):
        post(client, ticket["id"], kind="reply", body="On it.")
        with app.app_context():  # as if the reply came `minutes` after the ticket
            row = db.session.get(Ticket, ticket["id"])
            db.session.execute(sa.update(Ticket).where(Ticket.id == row.id).values(
                created_at=row.first_reply_at - timedelta(minutes=minutes)))
            db.session.commit()
    post(client, waiting[0]["id"], kind="customer", body="Still broken.")  # waiting again
    with app.app_context():
        metrics = support_metrics()
    assert metrics["waiting_on_agent"] == 1
    assert metrics["first_response_median"][7] == pytest.approx(30 * 60, abs=1)
    page = client.get("/stats").get_data(as_text=True)
    assert re.search(r'id="waiting"><span class="kpi-label">Waiting on an agent</span><span class="kpi-value">1<', page)
    assert re.search(r'id="first-response-30">.*?<span class="kpi-value">30 min<', page)
