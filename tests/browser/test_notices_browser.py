"""The お知らせ screens in the browser, as a supervisor uses them: the menu,
the runs page, a run for this month, its people and its PDF."""

from datetime import date

import pytest

from tests.browser.conftest import open_menu
from tests.browser.japanese import english_words
from tests.notices.conftest import apply_extract, person, two_extracts  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_supervisor_makes_this_months_postcards(page, sign_in_as, two_extracts, app,  # noqa: F811 (fixture)
                                                monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "NOTICES_SCHEDULE", "off")
    two_extracts([person()], [person(birth_date=date(1966, 4, 9), name="閲覧\u3000一郎")])
    sign_in_as("supervisor")
    open_menu(page, "/notices/")
    page.shot("runs")
    assert english_words(page.inner_text("body")) == []
    assert "60歳到達" in page.inner_text("body")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("form[action$='/notices/create'] button[type=submit]")
    page.shot("run")
    body = page.inner_text("body")
    assert "はがき 1 枚を作成しました" in body
    assert "閲覧" in body
    assert english_words(body) == []
    href = page.locator("a[href$='/pdf']").get_attribute("href")
    resp = page.request.get(href)
    assert resp.status == 200
    assert resp.headers["content-type"] == "application/pdf"
