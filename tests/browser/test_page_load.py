"""What a page costs the browser, and the search results on a ward terminal's
screen (1024 × 768).

The static files (FAB's and ours, served by WhiteNoise: ``app/web/static_files.py``)
come compressed where that helps, under fingerprinted URLs cached for good: a
second page asks the server for none of them.  The requests, bytes and cache
headers of two pages are printed.  The browser's own cache is what is
measured, so these contexts route nothing (Playwright's routing turns that
cache off); the network log shows that nothing left the machine.
"""

import re
from collections import Counter
from datetime import date

import pytest

from tests.conftest import PASSWORD
from tests.factories import make_resident

pytestmark = pytest.mark.browser

# File types WhiteNoise does not compress (already compressed).
UNCOMPRESSED = (".woff2", ".woff", ".png", ".gif", ".jpg")
YEAR = 365 * 24 * 3600
# The lines each element's text takes on the screen.
LINES = """els => els.map(e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  return new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size;
})"""


class NetworkLog:
    """Every request of a page as Chromium's network panel sees it: status,
    bytes over the wire, whether the cache answered, and the headers."""

    def __init__(self, page):
        self.requests = {}
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", self._cached)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _entry(self, event):
        return self.requests.setdefault(
            event["requestId"], {"url": "", "cache": False, "headers": {}, "bytes": 0}
        )

    def _sent(self, event):
        self._entry(event)["url"] = event["request"]["url"]

    def _cached(self, event):
        self._entry(event)["cache"] = True

    def _received(self, event):
        r, response = self._entry(event), event["response"]
        r["url"], r["status"] = response["url"], response["status"]
        r["headers"] = {k.lower(): v for k, v in response["headers"].items()}
        r["cache"] = r["cache"] or response.get("fromDiskCache", False)

    def _finished(self, event):
        self._entry(event)["bytes"] = event["encodedDataLength"]

    def take(self, page):
        """The requests logged since the last call, once ``page`` is idle."""
        page.wait_for_load_state("networkidle")
        taken, self.requests = list(self.requests.values()), {}
        return taken


def _context(browser, live_server, viewport):
    context = browser.new_context(
        base_url=live_server, locale="ja-JP", timezone_id="Asia/Tokyo", viewport=viewport
    )
    page = context.new_page()
    return page, NetworkLog(page)


def _sign_in(page):
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.press("input[name=password]", "Enter")


def _summary(requests, seen):
    """The figures of one page; ``seen``: static URLs fetched by earlier pages."""
    static = [r for r in requests if "/static/" in r["url"]]
    to_server = [r for r in static if not r["cache"]]
    return {
        "requests": len(requests),
        "static files": len(static),
        "static asked of the server": len(to_server),
        "... of those seen before": sum(1 for r in to_server if r["url"] in seen),
        "static bytes over the wire": sum(r["bytes"] for r in to_server),
        "encodings": dict(Counter(r["headers"].get("content-encoding", "none") for r in to_server)),
        "cache-control": dict(Counter(r["headers"].get("cache-control", "-") for r in to_server)),
    }


def _check_static_response(r):
    assert re.search(r"\.[0-9a-f]{12}\.\w+$", r["url"]), r["url"]  # fingerprinted
    cache_control = r["headers"]["cache-control"]
    assert "immutable" in cache_control, r["url"]
    assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= YEAR, r["url"]
    if not r["url"].endswith(UNCOMPRESSED):
        assert r["headers"].get("content-encoding") in ("br", "gzip"), r["url"]


def test_static_files_are_compressed_and_cached_for_good(browser, live_server, db, capsys):
    make_resident(name="負荷\u3000花子", kana="フカ ハナコ")
    page, log = _context(browser, live_server, {"width": 1280, "height": 900})
    pages = {}
    page.goto("/login/", wait_until="load")
    pages["sign-in (empty cache)"] = log.take(page)
    _sign_in(page)
    pages["home"] = log.take(page)
    page.goto("/residents/?q=フカ", wait_until="load")
    pages["search"] = log.take(page)
    page.context.close()
    seen, figures = set(), {}
    for name, requests in pages.items():
        figures[name] = _summary(requests, seen)
        seen |= {r["url"] for r in requests if "/static/" in r["url"]}
    with capsys.disabled():
        print("\nstatic files per page, one browser:")
        for name, f in figures.items():
            print(f"  {name}: " + "; ".join(f"{k} {v}" for k, v in f.items()))
    everything = [r for requests in pages.values() for r in requests]
    assert [r["url"] for r in everything if not r["url"].startswith(live_server)] == []
    assert figures["home"]["static files"] >= 15  # FAB's layout and ours
    assert [f["... of those seen before"] for f in figures.values()] == [0, 0, 0]
    for r in everything:
        if "/static/" in r["url"] and not r["cache"]:
            _check_static_response(r)


def _results_people():
    """A full page of results (25) with long names, kana and addresses."""
    for n in range(26):
        make_resident(
            name=f"長谷川\u3000由紀子{n:02d}",
            kana=f"ハセガワ ユキコ{'ア' * (n % 4)}",
            birth_date=date(1941 + n % 20, 11, 28),
            address=f"東京都新宿区西早稲田三丁目{n + 1}番{n + 10}号",
            address2="ハイツ早稲田 305号室" if n % 2 else "",
        )


def test_search_results_fit_a_ward_terminal(browser, live_server, db, screenshot_dir):
    _results_people()
    page, _ = _context(browser, live_server, {"width": 1024, "height": 768})
    page.goto("/login/", wait_until="load")
    _sign_in(page)
    page.goto("/residents/?q=ハセガワ", wait_until="load")
    page.screenshot(path=str(screenshot_dir / "search-results-1024x768.png"))
    page.screenshot(path=str(screenshot_dir / "search-results-1024-full.png"), full_page=True)
    rows = page.locator(".ward-results tbody tr")
    assert rows.count() == 25
    # dates and kana stay on one line
    for selector in (".ward-results tbody td.ward-date", ".ward-results tbody .ward-kana"):
        cells = page.locator(selector)
        assert cells.count() == 25, selector
        lines = cells.evaluate_all(LINES)
        assert set(lines) == {1}, (selector, lines)
    # no sideways scrolling, and the rows that fit on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    bottoms = rows.evaluate_all("els => els.map(e => e.getBoundingClientRect().bottom)")
    visible = sum(1 for b in bottoms if b <= 768)
    print(f"search results visible at 1024 × 768: {visible}")
    assert visible >= 10
    page.context.close()
