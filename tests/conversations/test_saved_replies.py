"""Saved replies: the desk's shared answers, managed through the API and a page, inserted into a ticket's
composer with the fixed placeholders filled in (and nothing else in the text interpreted). Both databases."""
import re

from tests.conversations.test_messages import ANA

REFUND = {"title": "Refund on its way", "body": "Hello {{ requester.name }},\n\nthe refund for ticket #{{ticket.id}} "
                                                "({{ ticket.title }}) is on its way to {{ requester.email }}."}


def test_saved_replies_are_added_listed_changed_and_deleted_through_the_api(client):
    created = client.post("/api/saved-replies/", json={**REFUND, "title": "  Refund on its way "})
    assert created.status_code == 201
    assert created.json["title"] == "Refund on its way" and created.json["updated_by"] == "token:test-client"
    assert set(created.json) == {"id", "title", "body", "changes", "note", "updated_at", "updated_by"}
    assert (created.json["changes"], created.json["note"]) == ({}, None)  # a plain saved reply: no macro
    other = client.post("/api/saved-replies/", json={"title": "Asking for logs", "body": "Could you send the logs?"}).json
    assert [r["title"] for r in client.get("/api/saved-replies/").json] == ["Asking for logs", "Refund on its way"]
    path = f"/api/saved-replies/{created.json['id']}/"
    changed = client.patch(path, json={"body": "Refunded, {{ requester.name }}."})
    assert changed.status_code == 200 and changed.json["title"] == "Refund on its way"
    assert client.get(path).json["body"] == "Refunded, {{ requester.name }}."
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404 and client.delete(path).status_code == 404
    assert [r["id"] for r in client.get("/api/saved-replies/").json] == [other["id"]]


def test_bad_saved_replies_are_refused_with_what_is_wrong_and_nothing_is_written(client):
    client.post("/api/saved-replies/", json=REFUND)
    for body, status, errors in (
            ({"title": "refund ON ITS WAY", "body": "x"}, 409, {"title": ["A saved reply with this title already exists."]}),
            ({"title": "Hi", "body": "Hi {{ customer.first_name }} {{ ticket.secret }}"}, 400, {"body": [
                "Unknown placeholder {{ customer.first_name }}, {{ ticket.secret }}: use {{ requester.name }}, "
                "{{ requester.email }}, {{ ticket.id }}, {{ ticket.title }}."]}),
            ({"title": " ", "body": "x"}, 400, {"title": ["This field may not be blank."]}),
            ({"title": "x" * 121, "body": "x"}, 400, {"title": ["Ensure this field has no more than 120 characters."]}),
            ({"body": "x"}, 400, {"title": ["This field is required."]})):
        answer = client.post("/api/saved-replies/", json=body)
        assert (answer.status_code, answer.json) == (status, errors)
    assert len(client.get("/api/saved-replies/").json) == 1


def test_a_saved_reply_is_inserted_into_the_composer_filled_in_for_the_ticket(client, make_ticket):
    saved = client.post("/api/saved-replies/", json=REFUND).json
    ticket = make_ticket(requester=ANA, title="Charged <twice>")
    page = client.get(f"/tickets/{ticket['id']}").get_data(as_text=True)
    assert f'<option value="{saved["id"]}">Refund on its way</option>' in page
    page = client.get(f"/tickets/{ticket['id']}?saved_reply={saved['id']}").get_data(as_text=True)
    composer = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert composer.strip() == (f"Hello Ana Lima,\n\nthe refund for ticket #{ticket['id']} (Charged &lt;twice&gt;) "
                                "is on its way to ana@example.com.")
    # a ticket whose title looks like a template stays text: only the fixed placeholders are replaced
    tricky = make_ticket(requester={"email": "bo@example.com"}, title="{{ config.SECRET_KEY }} {{ 7*7 }}")
    page = client.get(f"/tickets/{tricky['id']}?saved_reply={saved['id']}").get_data(as_text=True)
    composer = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    # (the composer, not the page: the page's timestamps may hold a 49)
    assert "Hello bo@example.com," in composer and "({{ config.SECRET_KEY }} {{ 7*7 }})" in composer
    assert "49" not in composer and client.application.config["SECRET_KEY"] not in page
    assert client.get(f"/tickets/{ticket['id']}?saved_reply=99999").status_code == 200


def test_agents_manage_saved_replies_on_their_page(client):
    page = client.get("/saved-replies").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    added = client.post("/saved-replies", data={"csrf_token": token, **REFUND}, follow_redirects=True)
    assert "Saved reply “Refund on its way” added." in added.get_data(as_text=True)
    again = client.post("/saved-replies", data={"csrf_token": token, **REFUND}).get_data(as_text=True)
    assert "A saved reply with this title already exists." in again
    wrong = client.post("/saved-replies", data={"csrf_token": token, "title": "Logs", "body": "{{ agent.name }}"})
    assert "Unknown placeholder {{ agent.name }}" in wrong.get_data(as_text=True)
    reply_id = client.get("/api/saved-replies/").json[0]["id"]
    edited = client.post(f"/saved-replies/{reply_id}", data={"csrf_token": token, "title": "Refund sent",
                                                             "body": "Done."}, follow_redirects=True)
    assert "Saved reply updated." in edited.get_data(as_text=True)
    assert client.get(f"/api/saved-replies/{reply_id}/").json["title"] == "Refund sent"
    gone = client.post(f"/saved-replies/{reply_id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "Saved reply “Refund sent” deleted." in gone.get_data(as_text=True)
    assert client.get("/api/saved-replies/").json == []
