"""Headless Chromium (Debian's) driven by Playwright against the test application.

The application under test is the session's ``app`` fixture, served from a
background thread by werkzeug on a free loopback port: the browser and the test
share one process, one application and the per-test database of the ``db``
fixture (which the server picks up, since it disposes the engine's pool).
Screenshots of every step go to ``tests/screenshots/browser/`` (git-ignored).
"""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# Playwright's own timeouts (ms): the server is local, anything slower is a hang.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of ``app`` served on 127.0.0.1 from a background thread."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir():
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture
def page(browser, live_server, db, screenshot_dir, request):
    """A fresh browser page (Japanese locale) on the live server, with
    ``page.shot(step)`` saving ``tests/screenshots/browser/<test>-<nn>-<step>.png``."""
    context = browser.new_context(
        base_url=live_server,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    # Nothing but the application may be contacted (no CDN, no web fonts).
    outside = []

    def _route(route):
        if route.request.url.startswith(live_server):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    context.route(re.compile(r".*"), _route)
    pg = context.new_page()
    # Script errors and refused resources (a Content-Security-Policy that blocks
    # FAB's own scripts) break screens silently: collect them and fail.
    script_errors = []
    pg.on("pageerror", lambda exc: script_errors.append(str(exc)))
    pg.on(
        "console",
        lambda msg: script_errors.append(msg.text) if msg.type == "error" else None,
    )
    counter = {"n": 0}
    test_name = re.sub(r"\W+", "-", request.node.name).strip("-")

    def shot(step):
        counter["n"] += 1
        path = screenshot_dir / f"{test_name}-{counter['n']:02d}-{step}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    pg.shot = shot
    pg.outside_requests = outside
    pg.script_errors = script_errors
    try:
        yield pg
    finally:
        context.close()
    assert not outside, f"requests outside the application: {outside}"
    assert not script_errors, f"script errors in the browser: {script_errors}"


def open_menu(page, href):
    """Click the navbar entry that leads to ``href``, opening its dropdown first."""
    link = page.locator(f".navbar a[href='{href}']").first
    if not link.is_visible():
        link.locator(
            "xpath=ancestor::li[contains(@class,'dropdown')]/a[contains(@class,'dropdown-toggle')]"
        ).click()
    with page.expect_navigation(wait_until="domcontentloaded"):
        link.click()


@pytest.fixture
def sign_in_as(page):
    """``sign_in_as(username)`` signs ``page`` in through the sign-in form."""
    from tests.conftest import PASSWORD

    def _sign_in(username, password=PASSWORD):
        page.goto("/login/", wait_until="domcontentloaded")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.press("input[name=password]", "Enter")
        return page

    return _sign_in
