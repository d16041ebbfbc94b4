"""Saved views, on both databases: the ticket list's filters and order kept under a name, shared with the desk
by an admin or an agent's own; listed with the built-in queues and their counts, paged like them, managed
through the API and saved from the list page without JavaScript."""
import pytest

from tests.conftest import AGENT_EMAIL
from tests.ownership.test_notifications import browser_of
from tests.ownership.test_queues import counts, keys
from tests.ownership.test_teams import admin, agents, file, new_team  # noqa: F401  (admin: a fixture)
from tests.tickets.test_pages import csrf_token


def session_of(app, email: str):
    """A signed-in agent's client and the CSRF token its API writes carry."""
    browser = browser_of(app, email)
    return browser, {"X-CSRFToken": csrf_token(browser.get("/tickets/new").get_data(as_text=True))}


def saved(client, headers=None, **body):
    return client.post("/api/views/", json={"name": "VIP billing", "filters": {"category": "billing", "tag": ["vip"]},
                                            **body}, headers=headers)


def test_an_agents_own_view_holds_its_filters_and_is_theirs_alone(app, client, admin):
    agents(app, "ana")
    browser, csrf = session_of(app, AGENT_EMAIL)
    vip = file(client, category="billing")["id"]
    client.patch(f"/api/tickets/{vip}/", json={"tags": ["vip"]})
    file(client, category="billing")  # not tagged
    other = file(client, category="technical")["id"]
    client.patch(f"/api/tickets/{other}/", json={"tags": ["vip"]})
    made = saved(browser, csrf, ordering="created_at")
    assert made.status_code == 201, made.json
    assert made.json == {"key": made.json["key"], "name": "VIP billing", "kind": "personal", "count": 1,
                         "exact": True, "filters": {"category": "billing", "tag": ["vip"]}, "ordering": "created_at",
                         "description": "Category: billing; tag: vip."}
    key = made.json["key"]
    assert counts(browser)[key] == (1, True) and keys(browser, key) == [vip]
    assert [v["kind"] for v in browser.get("/api/views/").json][-1] == "personal"  # after the built-in ones
    # nobody else sees it: not another agent, not a token
    ana, _ = session_of(app, "ana@example.com")
    assert key not in counts(ana) and ana.get(f"/api/views/{key}/tickets/").status_code == 404
    assert key not in counts(client) and client.get(f"/api/views/{key}/tickets/").status_code == 404
    assert saved(client).json == {"shared": ["A token has no views of its own: send `shared: true` (admins)."]}


def test_a_shared_view_is_every_agents_and_me_means_whoever_looks(app, client, admin):
    agents(app, "ana")
    mine = file(client)["id"]
    client.patch(f"/api/tickets/{mine}/", json={"assignee": AGENT_EMAIL})
    anas = file(client)["id"]
    client.patch(f"/api/tickets/{anas}/", json={"assignee": "ana@example.com"})
    refused = client.post("/api/views/", json={"name": "My high", "shared": True})  # a write token: no admin
    assert refused.status_code == 403
    made = admin.post("/api/views/", json={"name": "My high", "shared": True,
                                           "filters": {"assignee": "me", "priority": "high"}})
    assert made.status_code == 201 and made.json["kind"] == "shared"
    key = made.json["key"]
    me, _ = session_of(app, AGENT_EMAIL)
    ana, _ = session_of(app, "ana@example.com")
    assert keys(me, key) == [mine] and keys(ana, key) == [anas]
    assert key not in counts(client)  # "me" is nobody for a token
    plain = admin.post("/api/views/", json={"name": "Unowned billing", "shared": True,
                                            "filters": {"assignee": "none", "category": "billing"}}).json
    assert plain["key"] in counts(client)  # a shared view without "me" is a token's too


def test_who_may_change_or_delete_a_view(app, client, admin):
    browser, csrf = session_of(app, AGENT_EMAIL)
    shared = admin.post("/api/views/", json={"name": "Billing", "shared": True, "filters": {"category": "billing"}}).json
    own = saved(browser, csrf).json
    assert browser.patch(f"/api/views/{shared['key']}/", json={"name": "Mine now"}, headers=csrf).status_code == 403
    assert browser.delete(f"/api/views/{shared['key']}/", headers=csrf).status_code == 403
    renamed = browser.patch(f"/api/views/{own['key']}/", json={"name": "VIP money", "ordering": "priority",
                                                               "shared": True}, headers=csrf)
    assert renamed.status_code == 200
    assert (renamed.json["name"], renamed.json["ordering"], renamed.json["kind"]) == ("VIP money", "priority", "personal")
    assert admin.patch(f"/api/views/{shared['key']}/", json={"filters": {"status": "open"}}).json["filters"] == {
        "status": "open"}
    assert admin.delete(f"/api/views/{own['key']}/").status_code == 404  # not the admin token's to see
    assert browser.patch("/api/views/open/", json={"name": "x"}, headers=csrf).json == {
        "detail": "A built-in view cannot be changed or deleted."}
    assert browser.delete(f"/api/views/{own['key']}/", headers=csrf).status_code == 204
    assert own["key"] not in counts(browser)


@pytest.mark.parametrize("key", ["0", "2147483648", "6002294636", "9" * 10, "1" * 5000])
def test_a_key_past_any_view_id_is_no_view_on_every_route_that_takes_one(app, client, admin, key):
    """The fuzzer's find: a ten-digit key past the id column's range made PostgreSQL refuse the lookup (a 500)."""
    admin.post("/api/views/", json={"name": "Billing", "shared": True, "filters": {"category": "billing"}})
    for answer in (admin.patch(f"/api/views/{key}/", json={"name": "y"}), admin.delete(f"/api/views/{key}/"),
                   admin.get(f"/api/views/{key}/tickets/")):
        assert answer.status_code == 404 and answer.json["detail"] in ("No such saved view.", "No such view.")
    browser, _ = session_of(app, AGENT_EMAIL)
    page = browser.get(f"/tickets/?view={key}")
    assert page.status_code == 404


@pytest.mark.parametrize("body, status, errors", [
    ({"name": " "}, 400, {"name": ["This field may not be blank."]}),
    ({"name": "x" * 61}, 400, {"name": ["Ensure this field has no more than 60 characters."]}),
    ({"filters": {"colour": "red"}}, 400, {"filters": {"colour": ["Unknown field."]}}),
    ({"filters": {"status": "lost"}}, 400, {"filters": {"status": ['"lost" is not a valid choice.']}}),
    ({"ordering": "random"}, 400, {"ordering": ['"random" is not a valid choice.']}),
    ({"name": "vip BILLING"}, 409, {"name": ["One of the views of your own is already called vip BILLING."]}),
])
def test_a_view_that_cannot_be_kept_is_refused_by_field_and_nothing_is_saved(app, agent, body, status, errors):
    browser, csrf = session_of(app, AGENT_EMAIL)
    assert saved(browser, csrf).status_code == 201
    answer = saved(browser, csrf, **body)
    assert (answer.status_code, answer.json) == (status, errors)
    assert len([v for v in browser.get("/api/views/").json if v["kind"] != "built-in"]) == 1


def test_there_are_at_most_twenty_of_each(app, agent, monkeypatch):
    from ticketdesk.ownership import saved_views
    monkeypatch.setattr(saved_views, "VIEWS_MAX", 2)
    browser, csrf = session_of(app, AGENT_EMAIL)
    for name in ("One", "Two"):
        assert saved(browser, csrf, name=name).status_code == 201
    assert saved(browser, csrf, name="Three").json == {"name": ["There are already 2 views of your own: delete one first."]}


def test_the_list_page_saves_its_filters_as_a_view_and_links_it_everywhere(app, client, make_ticket):
    urgent = make_ticket(priority="critical", category="billing")["id"]
    make_ticket(priority="low", category="billing")
    page = client.get("/?priority=critical&category=billing").get_data(as_text=True)
    assert "Save as a view" in page and 'name="filter_priority" value="critical"' in page
    csrf = csrf_token(client.get("/tickets/new").get_data(as_text=True))
    answer = client.post("/views", data={"csrf_token": csrf, "name": "Burning money",
                                         "filter_priority": "critical", "filter_category": "billing"})
    assert answer.status_code == 302
    key = answer.headers["Location"].split("view=")[1]
    page = client.get(f"/?view={key}").get_data(as_text=True)
    assert "<h1>Burning money</h1>" in page and "Category: billing; priority: critical." in page
    assert f'href="/tickets/{urgent}"' in page and page.count('class="ticket-row') == 1
    home = client.get("/tickets/new").get_data(as_text=True)  # every page links it, with a live count
    assert f'href="/?view={key}"' in home and f'data-queue="{key}"' in home
    # shared needs an admin: an agent who ticks it saves nothing
    refused = client.post("/views", data={"csrf_token": csrf, "name": "All", "shared": "1"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Only an admin shares a view with the desk; it was not saved." in refused
    deleted = client.post(f"/views/{key}/delete", data={"csrf_token": csrf}, follow_redirects=True)
    assert "View “Burning money” deleted." in deleted.get_data(as_text=True)
    assert f'href="/?view={key}"' not in client.get("/tickets/new").get_data(as_text=True)
