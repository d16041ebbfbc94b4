"""The pages in a real browser (fixtures in tests/fixtures/browser.py): filing, filters, status, dashboard, no-JS and
keyboard paths."""
import re

from playwright.sync_api import expect

from tests.conftest import AGENT_EMAIL, AGENT_PASSWORD, make_app
from tests.fixtures.browser import open_page, serve, sign_in
from tests.fixtures.llm_stub import Reply, StubLLM


def test_filing_with_a_suggestion_that_keeps_the_agents_override(app, page, live, screenshots, client):
    page.goto(f"{live}/tickets/new")
    page.fill("#title", "Refund please")
    expect(page.locator("#title-counter")).to_contain_text("13/200")
    page.locator("#description").press_sequentially("I was charged twice for my subscription this month")
    expect(page.locator("#category")).to_have_value("billing")
    expect(page.locator("#priority")).to_have_value("high")
    expect(page.locator("#suggestion")).to_contain_text("by keyword")
    expect(page.locator("#category")).to_have_class(re.compile("suggested"))
    page.screenshot(path=screenshots / "new-ticket-suggested.png", full_page=True)

    page.select_option("#priority", "low")  # the agent overrides the priority ...
    page.fill("#description", "")
    page.locator("#description").press_sequentially("Actually the whole site is down for all users: an outage!")
    expect(page.locator("#category")).to_have_value("technical")  # ... a later suggestion updates the rest
    expect(page.locator("#priority")).to_have_value("low")  # ... and never the override

    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Refund please")
    expect(page.locator(".flash")).to_contain_text("filed")
    ticket = client.get("/api/tickets/").json[0]
    assert (ticket["category"], ticket["priority"]) == ("technical", "low")
    with app.app_context():  # the suggestion the page showed last is recorded beside what was filed
        from ticketdesk.extensions import db
        from ticketdesk.models import Suggestion
        row = db.session.scalar(db.select(Suggestion).where(Suggestion.ticket_id == ticket["id"]))
        assert (row.category, row.priority, row.filed_category, row.filed_priority) == \
            ("technical", "critical", "technical", "low")


def test_a_suggestion_the_model_is_unsure_of_is_marked_as_a_guess(app, page, live, client, runner, screenshots):
    from tests.triage.test_learned_classifier import chain, file_all, italian_desk
    file_all(client, italian_desk(per_label=60, noisy_priority=True))  # the words say nothing of priority
    assert runner.invoke(args=["triage", "train"]).exit_code == 0
    app.config["LEARNED_MIN_CONFIDENCE"] = 0.0  # let it answer what it is unsure of, to show how that looks
    chain(app, "learned,keyword")
    page.goto(f"{live}/tickets/new")
    page.locator("#description").press_sequentially("Buongiorno, fattura e quando avete tempo")
    expect(page.locator("#category")).to_have_value("billing")
    expect(page.locator("#suggestion")).to_have_attribute("data-state", "unsure")
    expect(page.locator("#suggestion")).to_contain_text("by learned (low confidence in the priority: check it)")
    expect(page.locator("#priority")).to_have_class(re.compile("unsure"))
    expect(page.locator("#category")).not_to_have_class(re.compile("unsure"))
    page.screenshot(path=screenshots / "new-ticket-unsure.png", full_page=True)


def test_a_slow_suggestion_leaves_the_form_usable(app, browser, errors, screenshots):
    with StubLLM() as stub:
        stub.default = Reply(text='{"category": "billing", "priority": "low"}', delay=6)  # every request is slow
        slow = make_app(app.config["SQLALCHEMY_DATABASE_URI"], TICKETDESK_CLASSIFIER="openai", OPENAI_API_KEY="k",
                        OPENAI_BASE_URL=f"{stub.url}/v1", CLASSIFIER_TIMEOUT=3)
        server, url = serve(slow)
        page = open_page(browser, errors)
        try:
            page.goto(f"{url}/tickets/new")
            page.fill("#title", "Printer jam")
            page.locator("#description").press_sequentially("The printer is jammed")
            expect(page.locator("#suggestion")).to_have_attribute("data-state", "waiting")
            expect(page.locator("#suggestion")).to_have_attribute("aria-live", "polite")
            page.screenshot(path=screenshots / "new-ticket-waiting.png")
            page.select_option("#category", "technical")
            page.select_option("#priority", "medium")
            page.click("main button[type=submit]")
            expect(page.locator("h1")).to_have_text("Printer jam")
            expect(page.locator("#ticket .chip.category")).to_have_text("Technical")
        finally:
            page.context.close()
            server.shutdown()


def test_filters_and_search_narrow_the_list_and_survive_reload(page, live, make_ticket, screenshots):
    make_ticket(title="Refund for March", description="charged twice", category="billing", priority="high")
    make_ticket(title="Login loop", description="SSO redirects forever", category="account", priority="medium")
    make_ticket(title="Refund request denied", description="why?", category="account", priority="low")
    page.goto(live)
    expect(page.locator(".ticket-row")).to_have_count(3)
    page.evaluate("window.__samePage = true")

    page.select_option("#category", "account")
    expect(page.locator(".ticket-row")).to_have_count(2)
    page.fill("#search", "refund")
    expect(page.locator(".ticket-row")).to_have_count(1)
    expect(page.locator(".ticket-title")).to_have_text("Refund request denied")
    assert page.evaluate("window.__samePage") is True  # no full reload
    expect(page).to_have_url(re.compile(r"category=account.*search=refund|search=refund.*category=account"))
    page.screenshot(path=screenshots / "list-filtered.png", full_page=True)

    page.reload()
    expect(page.locator("#category")).to_have_value("account")
    expect(page.locator("#search")).to_have_value("refund")
    expect(page.locator(".ticket-row")).to_have_count(1)

    page.select_option("#status", "closed")
    expect(page.locator(".empty")).to_contain_text("No tickets match these filters.")
    page.click("text=Clear filters")
    expect(page.locator(".ticket-row")).to_have_count(3)
    page.go_back()
    expect(page.locator("#category")).to_have_value("account")


def test_back_and_forward_walk_the_filters_the_agent_chose(page, live, make_ticket):
    make_ticket(title="Refund for March", category="billing", priority="high")
    make_ticket(title="Refund for April", category="billing", priority="low")
    make_ticket(title="Login loop", category="account", priority="high")
    page.goto(live)
    page.evaluate("window.__samePage = true")
    before = page.evaluate("history.length")
    page.select_option("#category", "billing")
    expect(page.locator(".ticket-row")).to_have_count(2)
    page.locator("#search").press_sequentially("april", delay=40)  # many keystrokes, one settled search
    expect(page.locator(".ticket-row")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"search=april"))
    assert page.evaluate("history.length") == before + 2  # the category, then the search: one entry each

    page.go_back()
    expect(page.locator(".ticket-row")).to_have_count(2)
    expect(page.locator("#search")).to_have_value("")
    expect(page.locator("#category")).to_have_value("billing")
    page.go_back()
    expect(page.locator(".ticket-row")).to_have_count(3)
    expect(page.locator("#category")).to_have_value("")
    expect(page).to_have_url(f"{live}/")
    page.go_forward()
    expect(page.locator(".ticket-row")).to_have_count(2)
    expect(page.locator("#category")).to_have_value("billing")
    assert page.evaluate("window.__samePage") is True  # all in place, no reload


def test_changing_status_and_triage_from_the_detail_page(page, live, make_ticket, screenshots, client):
    ticket = make_ticket(title="Export crashes")
    page.goto(f"{live}/tickets/{ticket['id']}")
    page.evaluate("window.__samePage = true")
    page.click("button:has-text('Start work')")
    expect(page.locator("#status")).to_have_text("In progress")
    expect(page.locator(".flash")).to_contain_text("Status set to in progress")
    page.click("button:has-text('Resolve')")
    expect(page.locator("#status")).to_have_text("Resolved")
    page.select_option("#priority", "critical")
    page.click("form:has(#priority) button:has-text('Save')")
    expect(page.locator("#ticket .badge")).to_have_text("Critical")
    assert page.evaluate("window.__samePage") is True
    page.screenshot(path=screenshots / "ticket-detail.png", full_page=True)
    body = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (body["status"], body["priority"]) == ("resolved", "critical")


def test_the_dashboard_matches_the_api_and_follows_new_tickets(page, live, make_ticket, client, screenshots):
    make_ticket(priority="high", category="billing")
    make_ticket(priority="critical", category="technical")
    page.goto(f"{live}/stats")
    stats = client.get("/api/tickets/stats/").json
    expect(page.locator(".kpi [data-stat=total_tickets]")).to_have_text(str(stats["total_tickets"]))
    expect(page.locator("[data-stat=open_tickets]").first).to_have_text(str(stats["open_tickets"]))
    expect(page.locator("[data-count='priority_breakdown.critical']")).to_have_text("1")
    expect(page.locator(".kpi [data-count='status_breakdown.in_progress']")).to_have_text("0")
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)

    make_ticket(priority="critical", category="account")
    expect(page.locator(".kpi [data-stat=total_tickets]")).to_have_text("3")
    expect(page.locator("[data-count='priority_breakdown.critical']")).to_have_text("2")
    expect(page.locator("[data-bar=critical]")).to_have_attribute("width", "100.00")
    client.patch(f"/api/tickets/{make_ticket()['id']}/", json={"status": "in_progress"})
    expect(page.locator(".kpi [data-count='status_breakdown.in_progress']")).to_have_text("1")  # every status, live


def test_the_form_without_javascript_shows_errors_then_files(browser, errors, live, client, screenshots):
    page = open_page(browser, errors, java_script_enabled=False)
    try:
        sign_in(page, live)
        page.goto(f"{live}/tickets/new")
        page.fill("#title", "No script here")
        page.click("main button[type=submit]")
        expect(page.locator("#description-error")).to_have_text("Describe the problem.")
        expect(page.locator("#category-error")).to_have_text("Choose a category.")
        expect(page.locator("#title")).to_have_value("No script here")
        page.screenshot(path=screenshots / "new-ticket-errors-nojs.png", full_page=True)
        page.fill("#description", "Plain HTML still works")
        page.select_option("#category", "general")
        page.select_option("#priority", "low")
        page.click("main button[type=submit]")
        expect(page.locator("h1")).to_have_text("No script here")
        page.click("button:has-text('Start work')")
        expect(page.locator("#status")).to_have_text("In progress")
        page.goto(f"{live}/?status=in_progress")
        expect(page.locator(".ticket-row")).to_have_count(1)
    finally:
        page.context.close()
    assert client.get("/api/tickets/").json[0]["status"] == "in_progress"


def test_a_hostile_title_is_rendered_as_text(page, live, make_ticket):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    ticket = make_ticket(title=hostile, description=hostile)
    page.goto(live)
    expect(page.locator(".ticket-title")).to_have_text(hostile)
    page.goto(f"{live}/tickets/{ticket['id']}")
    expect(page.locator("h1")).to_have_text(hostile)
    expect(page.locator(".description")).to_have_text(hostile)


def test_keyboard_alone_files_a_ticket(page, live, client):
    page.goto(f"{live}/tickets/new")
    for _ in range(30):  # past the navigation and the queues (a keyboard user may also take the skip link)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "title":
            break
    page.keyboard.type("Keyboard only")
    page.keyboard.press("Tab")
    page.keyboard.type("Where can I download my invoices?")
    expect(page.locator("#category")).to_have_value("billing")  # suggested while typing
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "priority"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Keyboard only")
    assert client.get("/api/tickets/").json[0]["category"] == "billing"


def test_every_page_loads_without_console_errors_on_a_phone(browser, errors, live, make_ticket, screenshots):
    ticket = make_ticket(title="A rather long title to see how the list wraps on a small phone screen")
    page = open_page(browser, errors, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{live}/login")
        page.screenshot(path=screenshots / "phone-sign-in.png", full_page=True)
        sign_in(page, live)
        for name, path in (("list", "/"), ("new", "/tickets/new"), ("detail", f"/tickets/{ticket['id']}"),
                           ("dashboard", "/stats"), ("api-docs", "/api/docs"), ("not-found", "/no-such-page")):
            page.goto(f"{live}{path}")
            expect(page.locator("nav[aria-label=Main]")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name} overflows"
            page.screenshot(path=screenshots / f"phone-{name}.png", full_page=True)
    finally:
        page.context.close()
    # a 404 logs "Failed to load resource" in the console, which is the page doing its job
    errors[:] = [e for e in errors if "404" not in e]


def test_signing_in_leads_back_to_the_page_asked_for_and_signing_out_locks_the_desk(browser, errors, live, agent,
                                                                                    screenshots):
    page = open_page(browser, errors)
    try:
        page.goto(f"{live}/stats")
        expect(page.locator("h1")).to_have_text("Sign in")
        page.fill("#email", AGENT_EMAIL)
        page.fill("#password", "not the password")
        page.click("button:has-text('Sign in')")
        expect(page.locator("#password-error")).to_have_text("That email and password do not match an active account.")
        page.screenshot(path=screenshots / "sign-in-refused.png", full_page=True)
        page.fill("#password", AGENT_PASSWORD)
        page.click("button:has-text('Sign in')")
        expect(page).to_have_url(f"{live}/stats")
        page.click("button:has-text('Sign out')")
        expect(page.locator(".flash")).to_contain_text("signed out")
        page.goto(f"{live}/")
        expect(page.locator("h1")).to_have_text("Sign in")
    finally:
        page.context.close()
    # a failed sign-in answers 400, which the console reports as a failed resource: the form doing its job
    errors[:] = [e for e in errors if "400" not in e]


def test_an_admin_adds_a_viewer_who_chooses_a_password_and_can_only_read(app, browser, errors, live, agent, make_ticket,
                                                                          screenshots):
    from ticketdesk.extensions import db
    from ticketdesk.models import User

    with app.app_context():
        db.session.get(User, agent).role = "admin"
        db.session.commit()
    ticket = make_ticket(title="Printer jam")
    admin = open_page(browser, errors)
    viewer = open_page(browser, errors)
    try:
        sign_in(admin, live)
        admin.click("nav >> text=Admin")
        admin.fill("#new-email", "reader@example.com")
        admin.select_option("#new-role", "viewer")
        admin.click("button:has-text('Add agent')")
        temporary = admin.locator(".shown-once code.secret").inner_text()
        admin.screenshot(path=screenshots / "admin-agent-added.png", full_page=True)
        expect(admin.locator("section[aria-labelledby=agents-heading]")).to_contain_text("reader@example.com · viewer")

        viewer.goto(f"{live}/login")
        viewer.fill("#email", "reader@example.com")
        viewer.fill("#password", temporary)
        viewer.click("button:has-text('Sign in')")
        expect(viewer.locator("h1")).to_have_text("Change your password")
        viewer.fill("#current", temporary)
        viewer.fill("#new", "reading is my whole job")
        viewer.fill("#again", "reading is my whole job")
        viewer.click("button:has-text('Change password')")
        expect(viewer.locator(".flash")).to_contain_text("Password changed")
        expect(viewer.locator(".ticket-row")).to_have_count(1)
        expect(viewer.locator("text=+ New ticket")).to_have_count(0)
        viewer.click("text=Printer jam")
        expect(viewer.locator("h1")).to_have_text("Printer jam")
        expect(viewer.locator("button:has-text('Start work')")).to_have_count(0)

        admin.goto(f"{live}/admin/")
        expect(admin.locator(".history").first).to_contain_text("create agent reader@example.com")
        admin.locator("li", has_text="reader@example.com").locator("button:has-text('Deactivate')").click()
        expect(admin.locator(".flash")).to_contain_text("signed out everywhere")
        viewer.reload()
        expect(viewer.locator("h1")).to_have_text("Sign in")
    finally:
        admin.context.close()
        viewer.context.close()
    assert client_status(app, ticket["id"]) == "open"  # the viewer changed nothing


def client_status(app, ticket_id: int) -> str:
    from ticketdesk.extensions import db
    from ticketdesk.models import Ticket

    with app.app_context():
        return db.session.get(Ticket, ticket_id).status


def test_a_note_and_a_reply_join_the_thread_in_place(page, live, make_ticket, client, screenshots):
    ticket = make_ticket(requester={"email": "ana@example.com", "name": "Ana Lima"})
    page.goto(f"{live}/tickets/{ticket['id']}")
    before = page.evaluate("history.length")
    page.fill("#body", "Checked the export worker's logs.")
    page.click("button[value=note]")
    expect(page.locator(".message-note")).to_contain_text("Checked the export worker's logs.")
    expect(page.locator(".flash")).to_contain_text("Note added.")
    page.fill("#body", "Fixed: please try again.")
    page.select_option("#then_status", "resolved")
    page.click("button[value=reply]")
    expect(page.locator(".message-reply")).to_contain_text("not sent: mail is not configured")
    expect(page.locator("#status")).to_contain_text("Resolved")
    assert page.evaluate("history.length") == before  # in place: the page was never reloaded or left
    page.screenshot(path=screenshots / "ticket-thread.png", full_page=True)
    kinds = [m["kind"] for m in client.get(f"/api/tickets/{ticket['id']}/messages/").json]
    assert kinds == ["note", "reply"]


def test_a_saved_reply_is_inserted_at_the_cursor_keeping_what_the_agent_typed(page, live, make_ticket, client):
    client.post("/api/saved-replies/", json={"title": "Password reset", "body": "Hello {{ requester.name }}, "
                                             "use the link we sent for ticket #{{ ticket.id }}."})
    ticket = make_ticket(requester={"email": "ana@example.com", "name": "Ana Lima"})
    page.goto(f"{live}/tickets/{ticket['id']}")
    before = page.evaluate("history.length")
    page.fill("#body", "Thanks for waiting. ")
    page.click("#insert-saved button[type=submit]")
    expect(page.locator("#body")).to_have_value(
        f"Thanks for waiting. Hello Ana Lima, use the link we sent for ticket #{ticket['id']}.")
    assert page.evaluate("history.length") == before
    page.click("button[value=reply]")
    expect(page.locator(".message-reply")).to_contain_text("Thanks for waiting. Hello Ana Lima")


def test_an_agent_takes_a_ticket_tags_it_finds_it_in_their_queue_and_closes_a_tag_in_bulk(app, page, live, make_ticket,
                                                                                     client, screenshots):
    ticket = make_ticket(title="Invoice missing")
    client.patch(f"/api/tickets/{make_ticket(title='Other')['id']}/", json={"tags": ["refund"]})
    page.goto(f"{live}/tickets/{ticket['id']}")
    page.evaluate("window.__samePage = true")
    expect(page.locator("#owner")).to_have_text("Nobody owns it yet.")
    page.click("button:has-text('Take it')")
    expect(page.locator("#owner")).to_contain_text("(you)")
    expect(page.locator(".flash")).to_contain_text("You own it now.")
    page.locator("#tags").press_sequentially("vip ref")
    expect(page.locator("#tag-suggestions option")).to_have_attribute("value", "vip refund")  # the desk's tags
    page.fill("#tags", "vip refund")
    page.click("#owner-panel button:has-text('Save owner')")
    expect(page.locator("#owner-chips")).to_contain_text("#refund")
    expect(page.locator("#owner-chips")).to_contain_text("#vip")
    assert page.evaluate("window.__samePage") is True
    page.screenshot(path=screenshots / "ticket-owned.png", full_page=True)
    body = client.get(f"/api/tickets/{ticket['id']}/").json
    assert body["assignee"]["email"] == AGENT_EMAIL and body["tags"] == ["refund", "vip"]
    page.goto(f"{live}/")
    expect(page.locator('nav.queues [data-queue="mine"]')).to_have_text("1")  # the queues' counts, fetched live
    expect(page.locator('nav.queues [data-queue="open"]')).to_have_text("2")
    page.select_option("#assignee", "me")
    expect(page.locator(".ticket-row")).to_have_count(1)
    expect(page.locator(".ticket-row .ticket-title")).to_have_text("Invoice missing")
    page.select_option("#assignee", "")
    page.fill("#tag", "refund")
    expect(page.locator(".ticket-row")).to_have_count(2)
    expect(page).to_have_url(f"{live}/?tag=refund")
    page.check("#select-page")  # then close both at once, after the desk says how many
    expect(page.locator('.ticket-row input[name="ids"]:checked')).to_have_count(2)
    page.click("summary:has-text('Change the selected tickets')")
    page.select_option("#bulk-status", "closed")
    page.click("button:has-text('Change selected')")
    expect(page.locator("h1")).to_have_text("Change 2 tickets?")
    page.screenshot(path=screenshots / "bulk-confirm.png", full_page=True)
    page.click("button:has-text('Change 2 tickets')")
    expect(page.locator(".flash")).to_contain_text("2 tickets changed.")
    expect(page).to_have_url(f"{live}/?tag=refund")
    assert {t["status"] for t in client.get("/api/tickets/?tag=refund").json} == {"closed"}


def test_the_bell_counts_unread_notifications_and_leads_to_them(app, page, live, make_ticket, client):
    ticket = make_ticket(title="Server room too hot")
    client.patch(f"/api/tickets/{ticket['id']}/", json={"assignee": AGENT_EMAIL})  # by the token: the agent is told
    page.goto(f"{live}/stats")
    expect(page.locator("a.bell [data-unread]")).to_have_text("1")
    page.click("a.bell")
    expect(page.locator(".notification.unread")).to_contain_text("Server room too hot is yours now")
    page.click("button:has-text('Mark all read')")
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(page.locator("a.bell [data-unread]")).to_have_text("")


def test_typing_at_in_a_note_offers_agents_and_the_chosen_one_is_told(app, page, live, make_ticket, client):
    from tests.ownership.test_notifications import told
    from tests.ownership.test_teams import agents
    ana, = agents(app, "ana")
    ticket = make_ticket(title="Fan noise")
    page.goto(f"{live}/tickets/{ticket['id']}")
    box = page.locator("#composer textarea[name=body]")
    box.click()
    box.type("Can you check this, @an")
    page.locator("#mention-suggestions button", has_text=ana).click()
    expect(box).to_have_value(f"Can you check this, @{ana} ")
    box.type("please.")
    page.click("button:has-text('Internal note')")
    expect(page.locator(".flash")).to_contain_text("Note added")
    assert told(app, ana) == [("mentioned", f"You were mentioned on #{ticket['id']} Fan noise")]


def test_a_macro_inserted_in_place_goes_in_with_the_reply(app, page, live, make_ticket, client):
    from tests.conversations.test_messages import ANA
    macro = client.post("/api/saved-replies/", json={
        "title": "Solved, thanks", "body": "Glad it works, {{ requester.name }}.",
        "changes": {"status": "resolved", "add_tags": ["solved-first-time"]}, "note": "Closed on first reply."}).json
    ticket = make_ticket(title="Login loop", requester=ANA)
    page.goto(f"{live}/tickets/{ticket['id']}")
    page.select_option("#saved_reply", str(macro["id"]))
    page.click("#insert-saved button:has-text('Insert')")
    expect(page.locator("#composer fieldset.staged")).to_contain_text("Status: Resolved")
    expect(page.locator("#composer textarea[name=body]")).to_have_value("Glad it works, Ana Lima.")
    page.click("button:has-text('Reply to customer')")
    expect(page.locator(".flash")).to_contain_text("“Solved, thanks” applied")
    after = client.get(f"/api/tickets/{ticket['id']}/").json
    assert (after["status"], after["tags"]) == ("resolved", ["solved-first-time"])
    assert [m["kind"] for m in client.get(f"/api/tickets/{ticket['id']}/messages/").json] == ["reply", "note"]


def test_the_sla_badge_turns_from_due_to_overdue(app, page, live, make_ticket, client, monkeypatch):
    from tests.conftest import add_token
    from tests.sla.test_clock import T0, Clock
    clock = Clock(monkeypatch, T0)
    admin = app.test_client()
    admin.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {add_token(app, 'ops', 'admin')}"
    admin.post("/api/sla-policies/", json={"name": "Standard", "first_response_minutes": 60})
    ticket = make_ticket(title="Cannot log in")
    page.goto(f"{live}/tickets/{ticket['id']}")
    badge = page.locator("#sla .chip")
    expect(badge).to_have_text("due in 1 h (due 2027-03-26 16:00 UTC)")
    expect(badge).to_have_attribute("title", "Due 2027-03-26 16:00 UTC")
    clock.at(minutes=75)
    page.reload()
    expect(badge).to_have_text("overdue by 15 min (due 2027-03-26 16:00 UTC)")
    expect(badge).to_have_class("chip sla sla-overdue")
    page.goto(f"{live}/?view=overdue")
    expect(page.locator(".ticket-row")).to_have_count(1)
    expect(page.locator(".ticket-row .chip.sla")).to_contain_text("overdue by 15 min")
