"""The counter scenario of the issue, in the browser: sign in, find a person by
typing hiragana, open their record, record an issue, see it in the pass
history and in the change history.  Screens must be Japanese throughout."""

from datetime import date

import pytest

from tests.browser.conftest import open_menu
from tests.browser.japanese import english_words
from tests.factories import make_resident

pytestmark = pytest.mark.browser


def _no_english(page):
    words = english_words(page.inner_text("body"))
    assert words == [], f"English on {page.url}: {words}"


def test_search_by_hiragana_open_and_record_an_issue(page, sign_in_as, db):
    yamada = make_resident(
        name="山田\u3000太郎", kana="ヤマダ タロウ", sex=1, birth_date=date(1950, 6, 1)
    )
    make_resident(name="山本\u3000花子", kana="ヤマモト ハナコ", birth_date=date(1948, 2, 3))

    sign_in_as("staff")
    page.locator(".navbar a[href='/residents/']").first.locator(
        "xpath=ancestor::li[contains(@class,'dropdown')]/a"
    ).click()
    page.shot("people-menu")
    open_menu(page, "/residents/")
    page.shot("search-page")
    _no_english(page)

    page.fill("#q", "やまだ")
    page.press("#q", "Enter")
    page.wait_for_selector("table.ward-results")
    page.shot("search-results")
    results = page.inner_text("table.ward-results")
    assert "山田" in results
    assert "ヤマダ タロウ" in results
    assert "山本" not in results
    _no_english(page)

    page.locator("table.ward-results a", has_text="山田").first.click()
    page.wait_for_selector("table.ward-fields")
    page.shot("person")
    assert yamada.resident_no in page.inner_text("table.ward-fields")
    _no_english(page)

    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator(f"a[href='/issuances/new/{yamada.id}']").click()
    page.wait_for_selector("form.ward-form")
    page.shot("issue-form")
    _no_english(page)
    page.select_option("#id_checked", "insurance_card")  # 本人確認書類 (required)
    page.locator("form.ward-form [type=submit]").click()
    page.wait_for_selector("table.ward-passes")
    page.shot("person-after-issue")
    _no_english(page)

    passes = page.inner_text("table.ward-passes")
    assert "窓口" in passes
    history = page.inner_text("table.ward-history")
    assert "試験" in history
    flash = page.inner_text(".alert")
    assert "整理番号" in flash
