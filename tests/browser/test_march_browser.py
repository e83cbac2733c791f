"""A March application in the browser: the form offers next year's pass, the
pass is recorded, and the batches screen makes and lists the day's letters.
Screens in Japanese throughout."""

import pytest

from tests.browser.conftest import open_menu
from tests.browser.japanese import english_words
from tests.factories import make_resident
from tests.march.conftest import MARCH_5

pytestmark = pytest.mark.browser


def _no_english(page):
    words = english_words(page.inner_text("body"))
    assert words == [], f"English on {page.url}: {words}"


def test_march_application_and_its_batch_in_the_browser(page, sign_in_as, db, frozen_clock):
    frozen_clock(MARCH_5)
    person = make_resident(name="三月\u3000花子")
    sign_in_as("staff")
    page.goto(f"/issuances/new/{person.id}", wait_until="domcontentloaded")
    page.wait_for_selector("form.ward-form")
    # the default: next year's pass by mail, this year's at the counter
    assert page.input_value("#pass_year") == "auto"
    page.select_option("#method", "mail")
    if page.locator("#id_checked").count():
        page.select_option("#id_checked", index=1)
    page.shot("form-next-year")
    _no_english(page)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("form.ward-form [type=submit]").click()
    assert "900001" in page.inner_text("body")
    page.shot("person-after")

    open_menu(page, "/march/")
    assert "発送待ち" in page.inner_text("body")
    page.shot("batches-before")
    _no_english(page)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("button", has_text="今すぐ作成").click()
    body = page.inner_text("body")
    assert "送付状 1 通" in body
    assert "送付状（PDF）" in body
    assert "送付リスト（PDF）" in body
    page.shot("batches-after")
    _no_english(page)
