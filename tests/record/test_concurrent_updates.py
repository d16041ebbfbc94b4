"""Two agents changing one ticket never lose an update silently: the API's ETag / If-Match (412 when
stale), and the pages' hidden version; without If-Match the last write wins, as before."""
import re
import threading

from tests.tickets.test_pages import csrf_token


def etag_of(client, ticket_id) -> str:
    return client.get(f"/api/tickets/{ticket_id}/").headers["ETag"]


def test_get_tags_the_ticket_and_the_tag_changes_with_every_change(client, make_ticket):
    ticket = make_ticket()
    first = client.get(f"/api/tickets/{ticket['id']}/")
    assert first.headers["ETag"] == '"v1"'
    client.patch(f"/api/tickets/{ticket['id']}/", json={"title": "Only the title"})
    assert etag_of(client, ticket["id"]) == '"v2"'


def test_a_matching_if_none_match_is_304_without_a_body(client, make_ticket):
    ticket = make_ticket()
    tag = etag_of(client, ticket["id"])
    response = client.get(f"/api/tickets/{ticket['id']}/", headers={"If-None-Match": tag})
    assert response.status_code == 304 and response.data == b""
    client.patch(f"/api/tickets/{ticket['id']}/", json={"status": "resolved"})
    assert client.get(f"/api/tickets/{ticket['id']}/", headers={"If-None-Match": tag}).status_code == 200


def test_create_answers_with_location_and_etag(client):
    response = client.post("/api/tickets/", json={"title": "t", "description": "d", "category": "billing",
                                                  "priority": "low"})
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/tickets/{response.json['id']}/"
    assert response.headers["ETag"] == '"v1"'


def test_patch_with_the_current_etag_applies_and_returns_the_new_one(client, make_ticket):
    ticket = make_ticket()
    response = client.patch(f"/api/tickets/{ticket['id']}/", json={"priority": "critical"},
                            headers={"If-Match": etag_of(client, ticket["id"])})
    assert response.status_code == 200
    assert response.json["priority"] == "critical"
    assert response.headers["ETag"] == etag_of(client, ticket["id"]) == '"v2"'


def test_patch_with_a_stale_etag_is_412_and_changes_nothing(client, make_ticket):
    ticket = make_ticket(priority="low")
    seen = etag_of(client, ticket["id"])
    client.patch(f"/api/tickets/{ticket['id']}/", json={"status": "in_progress"})  # the other agent
    response = client.patch(f"/api/tickets/{ticket['id']}/", json={"priority": "high"}, headers={"If-Match": seen})
    assert response.status_code == 412
    assert response.json == {"detail": "Precondition failed: the ticket has changed since that version was read."}
    assert response.headers["ETag"] == '"v2"'  # what to read again
    current = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (current["priority"], current["status"]) == ("low", "in_progress")


def test_an_empty_patch_is_still_checked_against_if_match(client, make_ticket):
    ticket = make_ticket()
    client.patch(f"/api/tickets/{ticket['id']}/", json={"status": "closed"})
    assert client.patch(f"/api/tickets/{ticket['id']}/", json={}, headers={"If-Match": '"v1"'}).status_code == 412
    response = client.patch(f"/api/tickets/{ticket['id']}/", json={}, headers={"If-Match": '"v2"'})
    assert response.status_code == 200 and response.headers["ETag"] == '"v2"'


def test_if_match_star_weak_and_foreign_tags(client, make_ticket):
    ticket = make_ticket()
    url = f"/api/tickets/{ticket['id']}/"
    assert client.patch(url, json={"status": "resolved"}, headers={"If-Match": "*"}).status_code == 200
    for header in ('W/"v2"', '"abc"', '"v99999999999999999999"', 'garbage'):
        assert client.patch(url, json={"status": "closed"}, headers={"If-Match": header}).status_code == 412, header
    assert client.patch(url, json={"status": "closed"}, headers={"If-Match": '"v1", "v2"'}).status_code == 200
    assert client.get(url).json["status"] == "closed"


def test_without_if_match_the_last_write_wins(client, make_ticket):
    ticket = make_ticket()
    for priority in ("low", "critical"):
        assert client.patch(f"/api/tickets/{ticket['id']}/", json={"priority": priority}).status_code == 200
    assert client.get(f"/api/tickets/{ticket['id']}/").json["priority"] == "critical"


def test_an_unknown_ticket_is_404_with_or_without_if_match(client):
    for headers in ({}, {"If-Match": '"v1"'}):
        response = client.patch("/api/tickets/999999/", json={"status": "closed"}, headers=headers)
        assert response.status_code == 404 and response.json == {"detail": "Not found."}
    assert client.patch("/api/tickets/999999/", json={"status": "nope"}).status_code == 404


def test_of_many_simultaneous_patches_from_one_version_exactly_one_wins(clients, make_ticket):
    ticket = make_ticket()
    tag = etag_of(clients(), ticket["id"])
    statuses, barrier = {}, threading.Barrier(8)

    def agent(n: int):
        client = clients()
        barrier.wait()
        statuses[n] = client.patch(f"/api/tickets/{ticket['id']}/", json={"title": f"agent {n}"},
                                   headers={"If-Match": tag}).status_code

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses.values()) == [200] + [412] * 7
    winner = next(n for n, status in statuses.items() if status == 200)
    final = clients().get(f"/api/tickets/{ticket['id']}/")
    assert final.json["title"] == f"agent {winner}" and final.headers["ETag"] == '"v2"'


def test_an_agents_page_does_not_overwrite_a_change_it_has_not_seen(clients, make_ticket):
    ticket = make_ticket(category="technical", priority="low")
    alice, bob = clients(), clients()
    page = f"/tickets/{ticket['id']}"
    alice_html, bob_html = alice.get(page).get_data(as_text=True), bob.get(page).get_data(as_text=True)
    assert re.search(r'name="version" value="1"', bob_html)

    alice.post(page, data={"csrf_token": csrf_token(alice_html), "version": "1", "category": "technical",
                           "priority": "critical"})
    # Bob's form still shows priority "low"; he only meant to change the category
    response = bob.post(page, data={"csrf_token": csrf_token(bob_html), "version": "1", "category": "billing",
                                    "priority": "low"}, follow_redirects=True)
    assert "Someone else changed this ticket" in response.get_data(as_text=True)
    current = clients().get(f"/api/tickets/{ticket['id']}/").json
    assert (current["category"], current["priority"]) == ("technical", "critical")

    response = bob.post(f"{page}/status", data={"csrf_token": csrf_token(bob_html), "version": "1",
                                                "status": "resolved"}, follow_redirects=True)
    assert "Someone else changed this ticket" in response.get_data(as_text=True)
    assert clients().get(f"/api/tickets/{ticket['id']}/").json["status"] == "open"
