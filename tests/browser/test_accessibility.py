"""Accessibility of every main page: axe-core (from npm, installed by
``scripts/setup-system.sh`` into ``.cache/npm/``) run in Debian's Chromium on
each page as the role that sees it finds no critical and no serious violation.

The counts per page are printed (all impacts, for the record); screenshots go
to ``tests/screenshots/browser/axe-<page>.png``, every violation found to
``axe-violations.json`` beside them.
"""

import json
import os
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.matrix.conftest import samples  # noqa: F401  (a fixture)
from tests.our_pages import main_pages

AXE = Path(__file__).resolve().parents[2] / ".cache/npm/node_modules/axe-core/axe.min.js"
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = {"critical", "serious"}
# Each violation: its rule, impact, how many elements, and the first few of them.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""

pytestmark = pytest.mark.browser


def _axe_script():
    if not AXE.exists():
        reason = f"{AXE} missing: run scripts/setup-system.sh"
        if os.environ.get("CI"):  # CI installs it: missing is a failure there
            pytest.fail(reason)
        pytest.skip(reason)
    return str(AXE)


@pytest.fixture
def role_pages(browser, live_server, db):
    """``role_pages(role)`` → a browser page signed in as ``role`` (or not, for
    "anonymous"), one context per role.  axe is injected as a script tag, which
    the Content-Security-Policy would refuse: these contexts bypass it (the
    other browser tests keep it)."""
    contexts, pages, errors = {}, {}, []

    def _only_the_application(route):
        if route.request.url.startswith(live_server):
            return route.continue_()
        errors.append(route.request.url)
        return route.abort()

    def _page(role):
        if role in pages:
            return pages[role]
        context = browser.new_context(
            base_url=live_server,
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            viewport={"width": 1280, "height": 900},
            bypass_csp=True,
        )
        context.route(re.compile(r".*"), _only_the_application)
        pg = context.new_page()
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        contexts[role], pages[role] = context, pg
        if role != "anonymous":
            pg.goto("/login/", wait_until="domcontentloaded")
            pg.fill("input[name=username]", role)
            pg.fill("input[name=password]", PASSWORD)
            with pg.expect_navigation(wait_until="domcontentloaded"):
                pg.press("input[name=password]", "Enter")
        return pg

    yield _page
    for context in contexts.values():
        context.close()
    assert errors == [], f"script errors or requests outside the application: {errors}"


def _print_counts(capsys, found):
    with capsys.disabled():
        print("\naxe-core violations per page (rules violated; elements in brackets):")
        print(f"  {'page':<22} " + " ".join(f"{i:>13}" for i in IMPACTS))
        totals = Counter()
        for name, violations in found.items():
            rules, nodes = Counter(), Counter()
            for v in violations:
                rules[v["impact"]] += 1
                nodes[v["impact"]] += v["nodes"]
            totals.update(rules)
            cells = " ".join(f"{rules[i]:>6} [{nodes[i]:>4}]" for i in IMPACTS)
            print(f"  {name:<22} {cells}")
        print(f"  {'in all':<22} " + " ".join(f"{totals[i]:>13}" for i in IMPACTS))


def test_no_critical_or_serious_violation_on_any_page(
    app,
    samples,  # noqa: F811
    role_pages,
    screenshot_dir,
    capsys,
):
    axe = _axe_script()
    found = {}
    for page in main_pages(app, samples):
        pg = role_pages(page.role)
        pg.goto(page.url, wait_until="load")
        assert pg.url.endswith(page.url), f"{page.name}: ended on {pg.url}"
        pg.screenshot(path=str(screenshot_dir / f"axe-{page.name}.png"), full_page=True)
        pg.add_script_tag(path=axe)
        found[page.name] = pg.evaluate(RUN_AXE)
    _print_counts(capsys, found)
    (screenshot_dir / "axe-violations.json").write_text(json.dumps(found, indent=1))
    blocking = defaultdict(list)
    for name, violations in found.items():
        for v in violations:
            if v["impact"] in BLOCKING:
                blocking[name].append(f"{v['impact']} {v['id']}: {', '.join(v['targets'])}")
    assert dict(blocking) == {}


def test_skip_link_is_the_first_stop_and_leads_to_the_main_content(page, sign_in_as, db):
    sign_in_as("staff")
    page.goto("/issuances/", wait_until="load")  # a page without an autofocus field
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
        " return {text: e.textContent.trim(), href: e.getAttribute('href'),"
        " visible: r.top >= 0 && r.height > 0}; }"
    )
    page.shot("skip-link")
    assert focused == {"text": "本文へ移動", "href": "#main", "visible": True}
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
