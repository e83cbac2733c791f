"""The returns batch screen in headless Chromium, by keyboard alone: numbers
typed one after another, each answered at once in the live region, the focus
kept in the box; and the same screen without its script (the plain form)."""

from datetime import date

import pytest

from app.passes.models import Issuance
from tests.factories import make_resident

pytestmark = pytest.mark.browser

ANSWERS = "#ward-answers li"


def _fill_in_issued(db, user, fiscal_year=2025):
    from app.offices.services import by_code
    from app.passes.issuance import issue_pass

    made = []
    for name, method in (
        ("返戻\u3000一郎", "mail"),
        ("返戻\u3000二郎", "mail"),
        ("窓口\u3000三郎", "counter"),
    ):
        made.append(issue_pass(
            make_resident(name=name), kind="new", applied_on=date(2025, 6, 1),
            issued_on=date(2025, 6, 1), office=by_code("HQ"), method=method,
            user=user("staff"), fiscal_year=fiscal_year,
        ))  # fmt: skip
    return made


def _focused_id(pg):
    return pg.evaluate("() => document.activeElement.id")


def test_numbers_scanned_one_after_another(page, sign_in_as, db, user):  # noqa: F811
    first, second, counter = _fill_in_issued(db, user)
    sign_in_as("staff")
    page.goto("/returns/batch/", wait_until="domcontentloaded")
    page.evaluate("() => document.getElementById('fiscal_year').value = '2025'")
    assert _focused_id(page) == "control_no"  # autofocus: ready for the scanner
    page.shot("batch-empty")
    for text in (str(first.control_no), f"*{second.control_no}*", str(counter.control_no),
                 "99999", str(first.control_no)):  # fmt: skip
        count = page.locator(ANSWERS).count()
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => document.querySelectorAll({ANSWERS!r}).length > {count}")
        assert _focused_id(page) == "control_no"
        assert page.input_value("#control_no") == ""
    answers = page.locator(ANSWERS).all_inner_texts()[::-1]  # newest first on the page
    page.shot("batch-answered")
    assert "返戻\u3000一郎）：返戻を記録しました" in answers[0]
    assert "返戻\u3000二郎）：返戻を記録しました" in answers[1]
    assert "窓口で交付" in answers[2]
    assert "整理番号 99999 の入浴証はありません" in answers[3]
    assert "すでに返戻として記録されています" in answers[4]
    assert page.get_attribute("#ward-answers", "aria-live") == "polite"
    assert page.url.endswith("/returns/batch/")  # never left the page
    db.session.expire_all()
    assert db.session.get(Issuance, first.id).returned_on is not None
    assert db.session.get(Issuance, counter.id).returned_on is None


def test_without_the_script_the_form_still_works(browser, live_server, db, user, screenshot_dir):  # noqa: F811
    (first, *_rest) = _fill_in_issued(db, user)
    context = browser.new_context(base_url=live_server, locale="ja-JP", java_script_enabled=False)
    pg = context.new_page()
    try:
        from tests.conftest import PASSWORD

        pg.goto("/login/")
        pg.fill("input[name=username]", "staff")
        pg.fill("input[name=password]", PASSWORD)
        with pg.expect_navigation():
            pg.press("input[name=password]", "Enter")
        pg.goto("/returns/batch/")
        pg.select_option("#fiscal_year", "2025")
        pg.focus("#control_no")
        pg.keyboard.type(str(first.control_no))
        with pg.expect_navigation():
            pg.keyboard.press("Enter")
        pg.screenshot(path=str(screenshot_dir / "mailing-batch-no-script.png"), full_page=True)
        assert "返戻を記録しました" in pg.inner_text("#ward-answers")
    finally:
        context.close()


def test_stop_mailing_on_the_persons_page(page, sign_in_as, db, user):  # noqa: F811
    (first, *_rest) = _fill_in_issued(db, user)
    person = first.resident
    sign_in_as("staff")
    page.goto(f"/residents/{person.id}", wait_until="domcontentloaded")
    page.locator("#ward-mailing summary", has_text="送付停止にする").click()
    page.select_option("#stop-reason", "declined")
    page.check("#stop-confirm")
    page.shot("person-stop-form")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("#ward-mailing button", has_text="送付停止にする").click()
    text = page.inner_text("#ward-mailing")
    page.shot("person-stopped")
    assert "送付停止中です（理由：辞退（本人申出））" in text
    page.goto("/residents/?q=" + person.resident_no[:6], wait_until="domcontentloaded")
    assert "送付停止" in page.inner_text("table.ward-results")
    page.shot("search-badge")
