"""Browser fixtures shared by the browser tests: Playwright driving Debian's Chromium against a live
server on a free port. Each test fails on any console error or uncaught page error. Screenshots are
saved under the run's temporary folder (printed at the end of the run)."""
import os
import threading

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import AGENT_EMAIL, AGENT_PASSWORD
from tests.servers import free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
expect.set_options(timeout=8000)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; Playwright gives every launch a fresh temporary profile of its own."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory, report_metric):
    folder = tmp_path_factory.mktemp("screenshots")
    report_metric(f"browser screenshots: {folder}")
    return folder


def serve(app):
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def live(app):
    server, url = serve(app)
    yield url
    server.shutdown()


def open_page(browser, errors, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog opened: {d.message}"), d.dismiss()))
    return page


@pytest.fixture
def errors():
    found: list[str] = []
    yield found
    assert found == [], found


def sign_in(page, live) -> None:
    """Through the sign-in form, as an agent does (the desk requires it: TICKETDESK_AUTH=required)."""
    page.goto(f"{live}/login")
    page.fill("#email", AGENT_EMAIL)
    page.fill("#password", AGENT_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator(".sign-out")).to_contain_text(AGENT_EMAIL)


@pytest.fixture
def page(browser, errors, live, agent):
    """A signed-in agent's browser tab."""
    page = open_page(browser, errors)
    sign_in(page, live)
    yield page
    page.context.close()


