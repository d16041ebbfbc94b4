"""The agents' pages without JavaScript: server-rendered HTML, plain form posts with CSRF, redirect after post."""
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

STATIC = Path(__file__).parent.parent.parent / "ticketdesk" / "static"
TEMPLATES = Path(__file__).parent.parent.parent / "ticketdesk" / "templates"


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def page(client, path):
    response = client.get(path)
    return response, response.get_data(as_text=True)


def row(title, minutes_ago=0, **fields):
    when = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    return {"title": title, "description": f"About {title}", "category": "general", "priority": "low",
            "status": "open", "created_at": when, "updated_at": when, **fields}


def test_list_shows_tickets_newest_first_with_badges(client, insert_tickets):
    insert_tickets([row("Older one", 120, priority="critical"), row("Newer one", 5, priority="low")])
    response, html = page(client, "/")
    assert response.status_code == 200
    assert html.index("Newer one") < html.index("Older one")
    assert 'class="badge priority-critical"' in html and ">Critical<" in html.replace("</span>", "<")
    assert "2 hours ago" in html and "5 minutes ago" in html
    assert re.search(r'<time datetime="[^"]+Z" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC"', html)


def test_filters_in_the_query_string_narrow_the_list_and_stay_selected(client, insert_tickets):
    insert_tickets([row("Refund wanted", category="billing"), row("Refund of login", category="account"),
                    row("Other", category="billing")])
    response, html = page(client, "/?category=billing&search=refund")
    assert "Refund wanted" in html and "Refund of login" not in html and ">Other<" not in html
    assert '<option value="billing" selected>' in html
    assert 'value="refund"' in html


def test_an_empty_result_says_so_and_offers_to_clear(client, insert_tickets):
    insert_tickets([row("Something")])
    _, html = page(client, "/?status=closed")
    assert "No tickets match these filters." in html and 'href="/">Clear filters' in html


def test_an_empty_desk_invites_the_first_ticket(client):
    _, html = page(client, "/")
    assert "No tickets yet." in html


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def shown(html: str) -> list[str]:
    return re.findall(r'<span class="ticket-title">([^<]+)</span>', html)


def test_older_and_newer_links_page_both_ways_with_the_filters(client, insert_tickets):
    insert_tickets(row(f"T{i:02d}", minutes_ago=i, category="technical") for i in range(60))
    insert_tickets([row("Not technical", category="billing")])
    _, first = page(client, "/?category=technical")
    assert shown(first) == [f"T{i:02d}" for i in range(25)] and link(first, "prev") is None
    older = link(first, "next")
    assert "category=technical" in older and "cursor=" in older and "Older →" in first
    _, second = page(client, older)
    assert shown(second) == [f"T{i:02d}" for i in range(25, 50)]
    _, third = page(client, link(second, "next"))
    assert shown(third) == [f"T{i:02d}" for i in range(50, 60)] and link(third, "next") is None
    assert "First page" in third and "← Newer" in third
    _, back = page(client, link(third, "prev"))
    assert shown(back) == shown(second)
    _, back = page(client, link(back, "prev"))
    assert shown(back) == shown(first) and link(back, "prev") is None and link(back, "next") == older


def test_the_queue_order_pages_both_ways(client, insert_tickets):
    insert_tickets(row(f"{p}{i:02d}", minutes_ago=100 - i, priority=p) for p in ("low", "critical") for i in range(20))
    _, first = page(client, "/?ordering=priority")
    assert shown(first) == [f"critical{i:02d}" for i in range(20)] + [f"low{i:02d}" for i in range(5)]
    assert '<option value="priority" selected>Priority</option>' in first
    _, second = page(client, link(first, "next"))
    assert shown(second) == [f"low{i:02d}" for i in range(5, 20)] and "← Previous" in second
    _, back = page(client, link(second, "prev"))
    assert shown(back) == shown(first)


def test_the_list_says_how_many_tickets_match(client, insert_tickets, monkeypatch):
    insert_tickets([row(f"Refund {i}", category="billing") for i in range(3)] + [row("Other", category="account")])
    assert '<p class="muted count" id="ticket-count">4 tickets</p>' in page(client, "/")[1]
    assert "3 tickets match these filters" in page(client, "/?category=billing")[1]
    assert "1 ticket matches these filters" in page(client, "/?search=other")[1]
    monkeypatch.setattr("ticketdesk.record.queries.COUNT_CAP", 2)  # a search counts only so far
    assert "2+ tickets match these filters" in page(client, "/?search=refund")[1]
    assert "3 tickets match these filters" in page(client, "/?category=billing")[1]  # exact from the counts


def test_a_form_sent_without_javascript_leaves_no_empty_parameters(client):
    response = client.get("/?search=&category=billing&priority=&status=&ordering=")
    assert response.status_code == 302 and response.headers["Location"] == "/?category=billing"
    response = client.get("/?search=+&category=&priority=&status=&ordering=")
    assert response.headers["Location"] == "/"


def test_unreadable_filters_are_cleared_with_a_message(client):
    response = client.get("/?priority=whenever", follow_redirects=True)
    assert response.status_code == 200
    assert "Some filters were not understood" in response.get_data(as_text=True)


def test_filing_a_ticket_without_javascript(client):
    _, form = page(client, "/tickets/new")
    response = client.post("/tickets/new", data={
        "csrf_token": csrf_token(form), "title": "  Printer on fire ", "description": "Smoke everywhere",
        "category": "technical", "priority": "critical"})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ticket #1 filed." in detail and "<h1>Printer on fire</h1>" in detail
    assert client.get("/api/tickets/1/").json["priority"] == "critical"


def test_a_form_error_shows_by_the_field_and_keeps_the_input(client):
    _, form = page(client, "/tickets/new")
    response = client.post("/tickets/new", data={
        "csrf_token": csrf_token(form), "title": "x" * 201, "description": "Kept text", "category": "billing",
        "priority": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, errors by the fields (a 4xx page logs a console error)
    # the pages say what to do; the API keeps the contract's texts
    assert "Shorten the title to 200 characters or fewer (it has 201)." in html
    assert re.search(r'<p class="error" id="priority-error">Choose a priority.</p>', html)
    assert "Kept text</textarea>" in html and '<option selected value="billing">' in html
    assert 'aria-invalid="true"' in html
    assert client.get("/api/tickets/").json == []


def test_a_post_without_the_csrf_token_is_refused(client):
    response = client.post("/tickets/new", data={"title": "t", "description": "d", "category": "billing",
                                                 "priority": "low"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/api/tickets/").json == []


def test_the_json_api_needs_no_csrf_token(client):
    response = client.post("/api/tickets/", json={"title": "t", "description": "d", "category": "billing",
                                                  "priority": "low"})
    assert response.status_code == 201


def test_status_moves_in_one_click(client, make_ticket):
    ticket = make_ticket()
    _, html = page(client, f"/tickets/{ticket['id']}")
    assert "Start work" in html and "Resolve" in html
    for status, offered in (("in_progress", "Resolve"), ("resolved", "Close"), ("closed", "Reopen"), ("open", "Start work")):
        response = client.post(f"/tickets/{ticket['id']}/status", data={"csrf_token": csrf_token(html), "status": status})
        assert response.status_code == 302
        _, html = page(client, response.headers["Location"])
        assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == status
        assert offered in html


def test_a_bogus_status_changes_nothing(client, make_ticket):
    ticket = make_ticket()
    _, html = page(client, f"/tickets/{ticket['id']}")
    client.post(f"/tickets/{ticket['id']}/status", data={"csrf_token": csrf_token(html), "status": "deleted"})
    assert client.get(f"/api/tickets/{ticket['id']}/").json["status"] == "open"


def test_triage_changes_priority_and_category(client, make_ticket):
    ticket = make_ticket(category="general", priority="low")
    _, html = page(client, f"/tickets/{ticket['id']}")
    response = client.post(f"/tickets/{ticket['id']}", data={"csrf_token": csrf_token(html), "category": "billing",
                                                              "priority": "high"}, follow_redirects=True)
    assert "Ticket updated." in response.get_data(as_text=True)
    body = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (body["category"], body["priority"]) == ("billing", "high")


def test_a_hostile_title_is_shown_as_text_everywhere(client, make_ticket):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    ticket = make_ticket(title=hostile, description=hostile)
    for path in ("/", f"/tickets/{ticket['id']}"):
        html = page(client, path)[1]
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_dashboard_numbers_match_the_api(client, insert_tickets):
    insert_tickets([row("a", priority="high", category="billing"), row("b", priority="high", status="closed"),
                    row("c", priority="critical", category="technical")])
    api = client.get("/api/tickets/stats/").json
    _, html = page(client, "/stats")
    assert f'data-stat="total_tickets">{api["total_tickets"]}<' in html
    assert f'data-stat="open_tickets">{api["open_tickets"]}<' in html
    for name, count in api["priority_breakdown"].items():
        assert f'data-count="priority_breakdown.{name}">{count}<' in html
    assert re.search(r'data-bar="high" x="0" y="0" width="100.00"', html)
    assert re.search(r'data-bar="critical" x="0" y="0" width="50.00"', html)


@pytest.mark.parametrize("path", ["/", "/tickets/new", "/stats", "/no-such-page", "/tickets/12345"])
def test_every_page_has_the_nav_and_a_strict_content_security_policy(client, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert 'aria-label="Main"' in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), "inline script"
    assert " style=" not in html, "inline style would need 'unsafe-inline'"


def test_not_found_pages_are_styled_html(client):
    response = client.get("/tickets/999")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Back to the tickets" in response.get_data(as_text=True)


def test_an_unexpected_page_error_is_a_styled_500(client, monkeypatch):
    from ticketdesk.stats import views
    monkeypatch.setattr(views, "ticket_stats", lambda: 1 / 0)
    response = client.get("/stats")
    assert response.status_code == 500 and "Something went wrong" in response.get_data(as_text=True)


def test_every_asset_is_served_from_static_with_no_cdn(client):
    for path in [*TEMPLATES.rglob("*.html"), *STATIC.rglob("*.*")]:
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", path.read_text()), path
    for asset in ("css/app.css", "js/app.js", "js/list.js", "js/new.js", "js/detail.js", "js/stats.js"):
        assert client.get(f"/static/{asset}").status_code == 200


def test_every_control_has_a_label(client, make_ticket):
    ticket = make_ticket()
    for path in ("/", "/tickets/new", f"/tickets/{ticket['id']}"):
        html = page(client, path)[1]
        ids = re.findall(r'<(?:input(?![^>]*type="hidden")|select|textarea)[^>]*\bid="([^"]+)"', html)
        for control in ids:
            assert f'for="{control}"' in html, (path, control)


def test_blank_fields_on_the_form_say_what_to_do(client):
    _, form = page(client, "/tickets/new")
    html = client.post("/tickets/new", data={"csrf_token": csrf_token(form), "title": "  ", "description": "",
                                             "category": "", "priority": "urgent"}).get_data(as_text=True)
    for field, text in (("title", "Give the ticket a short title."), ("description", "Describe the problem."),
                        ("category", "Choose a category."), ("priority", "Choose a priority.")):
        assert f'<p class="error" id="{field}-error">{text}</p>' in html


def test_an_unknown_ticket_page_says_the_ticket_does_not_exist(client):
    response, html = page(client, "/tickets/999999")
    assert response.status_code == 404
    assert "<h1>Ticket not found</h1>" in html and "There is no ticket #999999." in html
    assert client.post("/tickets/999999/status", data={"status": "closed"}).status_code in (400, 404)


def test_signed_out_visitors_see_no_links_that_lead_back_to_sign_in(anonymous, agent):
    html = anonymous.get("/login").get_data(as_text=True)
    assert 'href="/stats"' not in html and 'href="/tickets/new"' not in html and "Sign out" not in html


def test_signed_in_agents_reach_the_api_reference_from_the_navigation(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/api/docs"\s*>API</a>', html)
    docs = client.get("/api/docs").get_data(as_text=True)
    intro = re.search(r"</div>\s*<p>(.*?)</p>", docs, re.S).group(1)
    assert "`" not in intro and "<code>" in intro  # the introduction's code spans are rendered
