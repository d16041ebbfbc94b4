"""Contract lines 1-4: create, list, detail and update tickets, on every configured database."""
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

VALID = {"title": "Charged twice", "description": "My card was charged twice in March.",
         "category": "billing", "priority": "high"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")


def count(client):
    return client.get("/api/tickets/?limit=1000").json.__len__()


# --- 1. create -------------------------------------------------------------------------------------

def test_create_returns_201_with_the_ticket(client):
    response = client.post("/api/tickets/", json=VALID)
    assert response.status_code == 201
    body = response.json
    assert {"id", "title", "description", "category", "priority", "status", "created_at"} <= body.keys()
    assert body["status"] == "open"
    assert {k: body[k] for k in VALID} == VALID
    assert ISO_UTC.match(body["created_at"])
    created = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    assert abs(created - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert client.get(f"/api/tickets/{body['id']}/").json == body


def test_create_accepts_a_status(client):
    response = client.post("/api/tickets/", json={**VALID, "status": "in_progress"})
    assert response.status_code == 201 and response.json["status"] == "in_progress"


def test_create_ignores_read_only_fields(client):
    response = client.post("/api/tickets/", json={**VALID, "id": 999, "created_at": "2001-01-01T00:00:00Z",
                                                  "updated_at": "2001-01-01T00:00:00Z"})
    assert response.status_code == 201
    assert response.json["id"] != 999
    assert not response.json["created_at"].startswith("2001")


def test_create_trims_whitespace(client):
    response = client.post("/api/tickets/", json={**VALID, "title": "  Padded title  "})
    assert response.json["title"] == "Padded title"


@pytest.mark.parametrize("change, errors", [
    ({"title": None}, {"title": ["This field may not be null."]}),
    ({"title": "   "}, {"title": ["This field may not be blank."]}),
    ({"title": "x" * 201}, {"title": ["Ensure this field has no more than 200 characters."]}),
    ({"title": 42}, {"title": ["Not a valid string."]}),
    ({"description": ""}, {"description": ["This field may not be blank."]}),
    ({"category": "invalid"}, {"category": ['"invalid" is not a valid choice.']}),
    ({"priority": "urgent"}, {"priority": ['"urgent" is not a valid choice.']}),
    ({"status": "archived"}, {"status": ['"archived" is not a valid choice.']}),
    ({"title": "nul\x00byte"}, {"title": ["Null characters are not allowed."]}),
    ({"description": "nul\x00byte"}, {"description": ["Null characters are not allowed."]}),
])
def test_create_rejects_bad_fields_by_name(client, change, errors):
    response = client.post("/api/tickets/", json={**VALID, **change})
    assert response.status_code == 400
    assert response.json == errors
    assert count(client) == 0


def test_create_reports_every_missing_field(client):
    response = client.post("/api/tickets/", json={})
    assert response.status_code == 400
    assert response.json == {field: ["This field is required."]
                             for field in ("title", "description", "category", "priority")}


def test_title_of_exactly_200_characters_is_accepted(client):
    response = client.post("/api/tickets/", json={**VALID, "title": "é" * 200})
    assert response.status_code == 201 and len(response.json["title"]) == 200


# --- 2. list -----------------------------------------------------------------------------------------

def at(minutes_ago: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)


def row(title, minutes_ago=0, **fields):
    return {"title": title, "description": fields.pop("description", f"About {title}"), "category": "general",
            "priority": "low", "status": "open", "created_at": at(minutes_ago), "updated_at": at(minutes_ago),
            **fields}


def titles(response):
    return [t["title"] for t in response.json]


def test_list_is_newest_first_then_highest_id(client, insert_tickets):
    same = at(5)
    insert_tickets([row("old", 60), row("tie-a", created_at=same), row("tie-b", created_at=same), row("new", 1)])
    response = client.get("/api/tickets/")
    assert response.status_code == 200 and isinstance(response.json, list)
    assert titles(response) == ["new", "tie-b", "tie-a", "old"]


def test_list_filters_combine(client, insert_tickets):
    insert_tickets([
        row("a", category="billing", priority="high", status="open"),
        row("b", category="billing", priority="high", status="closed"),
        row("c", category="billing", priority="low", status="open"),
        row("d", category="technical", priority="high", status="open"),
    ])
    assert set(titles(client.get("/api/tickets/?category=billing"))) == {"a", "b", "c"}
    assert set(titles(client.get("/api/tickets/?priority=high"))) == {"a", "b", "d"}
    assert set(titles(client.get("/api/tickets/?status=closed"))) == {"b"}
    assert titles(client.get("/api/tickets/?category=billing&priority=high&status=open")) == ["a"]
    assert titles(client.get("/api/tickets/?category=account")) == []


@pytest.mark.parametrize("param", ["category", "priority", "status"])
def test_list_rejects_an_unknown_filter_value_naming_the_parameter(client, param):
    response = client.get(f"/api/tickets/?{param}=bogus")
    assert response.status_code == 400
    assert response.json == {param: ['"bogus" is not a valid choice.']}


def test_search_is_a_case_insensitive_substring_of_title_or_description(client, insert_tickets):
    insert_tickets([
        row("Refund please", description="Charged twice"),
        row("Printer", description="The PRINTER says REFUNDED?"),
        row("Unrelated", description="Nothing to see"),
        row("Facturación", description="Factura de OCTUBRE"),
    ])
    assert set(titles(client.get("/api/tickets/?search=refund"))) == {"Refund please", "Printer"}
    assert titles(client.get("/api/tickets/?search=TWICE")) == ["Refund please"]
    assert titles(client.get("/api/tickets/?search=octubre")) == ["Facturación"]
    assert titles(client.get("/api/tickets/?search=FACTURACIÓN")) == ["Facturación"]


def test_search_takes_like_wildcards_literally(client, insert_tickets):
    insert_tickets([row("100% broken"), row("1000 users"), row("snake_case"), row("snakeXcase"),
                    row("back\\slash"), row("backslash")])
    assert titles(client.get("/api/tickets/", query_string={"search": "100%"})) == ["100% broken"]
    assert titles(client.get("/api/tickets/", query_string={"search": "e_c"})) == ["snake_case"]
    assert titles(client.get("/api/tickets/", query_string={"search": "k\\s"})) == ["back\\slash"]


def test_search_combines_with_filters(client, insert_tickets):
    insert_tickets([row("login broken", category="account"), row("login slow", category="technical")])
    assert titles(client.get("/api/tickets/?search=login&category=account")) == ["login broken"]


def test_list_limit_defaults_to_100_and_pages_with_a_link_header(client, insert_tickets):
    insert_tickets(row(f"t{i:03d}", minutes_ago=i) for i in range(130))
    first = client.get("/api/tickets/")
    assert len(first.json) == 100
    assert titles(first)[:2] == ["t000", "t001"]
    link = first.headers["Link"]
    match = re.fullmatch(r'<(http://[^>]+)>; rel="next"', link)
    assert match
    url = urlsplit(match.group(1))
    assert url.path == "/api/tickets/"
    second = client.get(f"{url.path}?{url.query}")
    assert titles(second) == [f"t{i:03d}" for i in range(100, 130)]
    assert "Link" not in second.headers


def test_paging_keeps_filters_and_never_repeats_or_skips(client, insert_tickets):
    same = at(30)
    insert_tickets([row(f"b{i}", created_at=same, category="billing") for i in range(7)]
                   + [row(f"x{i}", minutes_ago=i, category="technical") for i in range(5)])
    seen, url = [], "/api/tickets/?category=billing&limit=3"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += titles(response)
        link = response.headers.get("Link")
        url = None if not link else (lambda u: f"{u.path}?{u.query}")(urlsplit(link[1:link.index(">")]))
        if url:
            assert parse_qs(urlsplit(url).query)["category"] == ["billing"]
    assert seen == [f"b{i}" for i in range(6, -1, -1)]


def test_keyset_pages_do_not_shift_when_new_tickets_arrive(client, insert_tickets, make_ticket):
    insert_tickets(row(f"t{i}", minutes_ago=i + 10) for i in range(6))
    first = client.get("/api/tickets/?limit=3")
    make_ticket(title="brand new")
    link = first.headers["Link"]
    u = urlsplit(link[1:link.index(">")])
    assert titles(client.get(f"{u.path}?{u.query}")) == ["t3", "t4", "t5"]


def follow(client, url: str) -> list[str]:
    """Every title on every page, following the `next` links to the end."""
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json
        seen += titles(response)
        link = response.headers.get("Link")
        url = None if not link else (lambda u: f"{u.path}?{u.query}")(urlsplit(link[1:link.index(">")]))
    return seen


def test_ordering_oldest_first_pages_through_everything_once(client, insert_tickets):
    same = at(30)
    insert_tickets([row(f"t{i}", minutes_ago=i) for i in range(5)] + [row(f"tie{i}", created_at=same) for i in range(3)])
    everything = follow(client, "/api/tickets/?ordering=created_at&limit=2")
    assert everything == ["tie0", "tie1", "tie2", "t4", "t3", "t2", "t1", "t0"]
    assert follow(client, "/api/tickets/?ordering=-created_at&limit=3") == everything[::-1]


def test_ordering_by_priority_is_the_queue_critical_first_then_oldest(client, insert_tickets):
    insert_tickets([row("low old", 50, priority="low"), row("crit new", 1, priority="critical"),
                    row("high", 20, priority="high"), row("crit old", 40, priority="critical"),
                    row("medium", 30, priority="medium"), row("low new", 2, priority="low"),
                    row("crit closed", 45, priority="critical", status="closed")])
    queue = ["crit closed", "crit old", "crit new", "high", "medium", "low old", "low new"]
    assert follow(client, "/api/tickets/?ordering=priority&limit=2") == queue
    assert follow(client, "/api/tickets/?ordering=priority&status=open&limit=1") == [t for t in queue if t != "crit closed"]
    assert follow(client, "/api/tickets/?ordering=priority&priority=critical&limit=1") == queue[:3]
    assert titles(client.get("/api/tickets/?ordering=priority&search=crit")) == queue[:3]


def test_a_cursor_from_one_ordering_is_refused_by_another(client, insert_tickets):
    insert_tickets(row(f"t{i}", minutes_ago=i) for i in range(3))
    link = client.get("/api/tickets/?limit=1").headers["Link"]
    cursor = parse_qs(urlsplit(link[1:link.index(">")]).query)["cursor"][0]
    response = client.get(f"/api/tickets/?ordering=priority&cursor={cursor}")
    assert (response.status_code, response.json) == (400, {"cursor": ["Invalid cursor."]})


@pytest.mark.parametrize("query, field", [
    ("ordering=title", "ordering"), ("ordering=", "ordering"),
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"),
    ("cursor=not-a-cursor", "cursor"), ("cursor=WzEsMl0", "cursor"), ("search=a%00b", "search"),
])
def test_list_rejects_bad_parameters_by_name(client, query, field):
    response = client.get(f"/api/tickets/?{query}")
    assert response.status_code == 400
    assert list(response.json) == [field]


def test_limit_of_1000_is_allowed(client, insert_tickets):
    insert_tickets(row(f"t{i}", i) for i in range(3))
    assert len(client.get("/api/tickets/?limit=1000").json) == 3


# --- 3. detail ---------------------------------------------------------------------------------------

def test_detail(client, make_ticket):
    ticket = make_ticket()
    response = client.get(f"/api/tickets/{ticket['id']}/")
    assert response.status_code == 200 and response.json == ticket


@pytest.mark.parametrize("path", ["/api/tickets/999/", "/api/tickets/abc/", "/api/tickets/1.5/",
                                  "/api/tickets/-1/", "/api/tickets/99999999999999999999/"])
def test_detail_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json == {"detail": "Not found."}


# --- 4. update ---------------------------------------------------------------------------------------

def test_patch_updates_only_what_is_sent(client, make_ticket):
    ticket = make_ticket()
    response = client.patch(f"/api/tickets/{ticket['id']}/", json={"status": "in_progress"})
    assert response.status_code == 200
    assert response.json == {**ticket, "status": "in_progress", "updated_at": response.json["updated_at"]}
    assert response.json["updated_at"] > ticket["updated_at"]
    assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == "in_progress"


def test_patch_every_editable_field(client, make_ticket):
    ticket = make_ticket()
    change = {"title": "New title", "description": "New text", "category": "account",
              "priority": "critical", "status": "resolved"}
    response = client.patch(f"/api/tickets/{ticket['id']}", json=change)
    assert response.status_code == 200
    assert {k: response.json[k] for k in change} == change


def test_patch_invalid_changes_nothing(client, make_ticket):
    ticket = make_ticket()
    response = client.patch(f"/api/tickets/{ticket['id']}/",
                            json={"status": "closed", "priority": "whenever", "title": ""})
    assert response.status_code == 400
    assert response.json == {"priority": ['"whenever" is not a valid choice.'],
                             "title": ["This field may not be blank."]}
    assert client.get(f"/api/tickets/{ticket['id']}/").json == ticket


def test_patch_null_is_rejected(client, make_ticket):
    ticket = make_ticket()
    response = client.patch(f"/api/tickets/{ticket['id']}/", json={"status": None})
    assert response.status_code == 400 and response.json == {"status": ["This field may not be null."]}


def test_patch_ignores_read_only_fields(client, make_ticket):
    ticket = make_ticket()
    response = client.patch(f"/api/tickets/{ticket['id']}/", json={"id": 77, "created_at": "2001-01-01T00:00:00Z"})
    assert response.status_code == 200
    assert response.json["id"] == ticket["id"] and response.json["created_at"] == ticket["created_at"]


def test_patch_missing_ticket_is_404(client):
    response = client.patch("/api/tickets/424242/", json={"status": "closed"})
    assert response.status_code == 404 and response.json == {"detail": "Not found."}


# --- every route, with and without the trailing slash, never redirecting -----------------------------

@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/tickets", None), ("POST", "/api/tickets", VALID),
    ("GET", "/api/tickets/stats", None), ("POST", "/api/tickets/classify", {"description": "refund"}),
    ("GET", "/api/tickets/{id}", None), ("PATCH", "/api/tickets/{id}", {"status": "closed"}),
])
@pytest.mark.parametrize("slash", ["", "/"])
def test_routes_answer_with_and_without_trailing_slash(client, make_ticket, method, path, body, slash):
    path = path.format(id=make_ticket()["id"]) + slash
    response = client.open(path, method=method, json=body)
    assert response.status_code in (200, 201), (path, response.status_code)
    assert response.is_json
