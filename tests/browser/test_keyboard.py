"""The counter flow by keyboard alone (issue 11, item 21): sign in, search,
choose a person from the suggestions with ↓/↑ and Enter, open the application
form, fill it in and record it; and the forms focus their first field.

Only ``page.keyboard`` acts on the pages (typing, Tab, Enter, the arrow keys
and Esc); the test reads the page to know where the focus is.
"""

from datetime import date

import pytest

from tests.conftest import PASSWORD
from tests.factories import make_resident

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const e = document.activeElement;
  return {id: e.id, name: e.name || "", tag: e.tagName.toLowerCase(),
          href: e.getAttribute("href") || "", type: e.type || ""};
}"""
# Enough Tab presses to cross the navbar and the person's page.
MAX_TABS = 80


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, what):
    """Press Tab until ``wanted(focused element)`` holds."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if wanted(focused(page)):
            return
    raise AssertionError(f"{what} not reached with {MAX_TABS} presses of Tab")


def press_and_wait(page, key):
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.keyboard.press(key)


def combobox(page):
    """The search box's combobox state: expanded, the chosen option's text, the options."""
    return page.evaluate("""() => {
      const box = document.getElementById("q");
      const id = box.getAttribute("aria-activedescendant");
      const options = [...document.querySelectorAll("#ward-suggest [role=option]")];
      return {expanded: box.getAttribute("aria-expanded"),
              active: id ? document.getElementById(id).textContent : null,
              selected: options.filter(o => o.getAttribute("aria-selected") === "true").length,
              shown: !document.getElementById("ward-suggest").hidden,
              options: options.map(o => o.textContent)};
    }""")


def _sign_in_by_keyboard(page):
    page.goto("/login/", wait_until="domcontentloaded")
    assert focused(page)["name"] == "username"
    page.keyboard.type("staff")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    press_and_wait(page, "Enter")


def _choose_from_suggestions(page, name):
    """↓ opens the suggestions and chooses the first, ↓/↑ move, Esc closes,
    Enter opens the chosen person."""
    page.keyboard.press("ArrowDown")
    page.wait_for_selector("#ward-suggest:not([hidden]) [role=option]")
    state = combobox(page)
    page.shot("suggestions")
    assert len(state["options"]) == 2
    first = {"expanded": "true", "shown": True, "active": state["options"][0], "selected": 1}
    assert {key: state[key] for key in first} == first
    page.keyboard.press("ArrowDown")
    assert combobox(page)["active"] == state["options"][1]
    page.keyboard.press("ArrowDown")  # round to the first
    assert combobox(page)["active"] == state["options"][0]
    page.keyboard.press("ArrowUp")  # and back to the last
    assert combobox(page)["active"] == state["options"][1]
    page.keyboard.press("Escape")
    closed = combobox(page)
    gone = {"expanded": "false", "shown": False, "active": None, "selected": 0}
    assert {key: closed[key] for key in gone} == gone
    assert page.input_value("#q") == "やまだ"  # Esc closed the list, kept the text
    page.keyboard.press("ArrowDown")
    while name not in (combobox(page)["active"] or ""):
        page.keyboard.press("ArrowDown")
    page.shot("suggestion-chosen")
    press_and_wait(page, "Enter")


def test_counter_flow_by_keyboard_alone(page, db):
    taro = make_resident(name="山田\u3000太郎", kana="ヤマダ タロウ", birth_date=date(1950, 6, 1))
    make_resident(name="山田\u3000次郎", kana="ヤマダ ジロウ", birth_date=date(1952, 7, 2))
    make_resident(name="山本\u3000花子", kana="ヤマモト ハナコ", birth_date=date(1948, 2, 3))

    _sign_in_by_keyboard(page)
    page.shot("home")
    # the home page's search box has the focus: search from there
    assert focused(page)["name"] == "q"
    page.keyboard.type("やまだ")
    press_and_wait(page, "Enter")
    page.wait_for_selector("table.ward-results")
    page.shot("results")
    assert focused(page)["id"] == "q"

    _choose_from_suggestions(page, "太郎")
    assert page.url.endswith(f"/residents/{taro.id}")
    page.wait_for_selector("table.ward-fields")
    page.shot("person")

    new_issue = f"/issuances/new/{taro.id}"
    tab_to(page, lambda e: e["href"] == new_issue, "the link to the application form")
    page.shot("link-focused")
    press_and_wait(page, "Enter")
    page.wait_for_selector("form.ward-form")
    assert focused(page)["id"] == "kind"  # the first field
    page.shot("form")

    page.select_option("#id_checked", "insurance_card")  # 本人確認書類 (required)
    tab_to(page, lambda e: e["id"] == "note", "the note")
    page.keyboard.type("窓口で申請を受付")
    tab_to(page, lambda e: e["type"] == "submit", "the record button")
    page.shot("form-filled")
    press_and_wait(page, "Enter")
    page.wait_for_selector("table.ward-passes")
    page.shot("recorded")
    assert "整理番号" in page.inner_text(".alert")
    assert "窓口" in page.inner_text("table.ward-passes")

    from app.passes.models import Issuance

    recorded = db.session.query(Issuance).filter_by(resident_id=taro.id).one()
    assert recorded.note == "窓口で申請を受付"


def test_correction_form_focuses_its_first_field(page, db):
    person = make_resident(name="訂正\u3000一郎", kana="テイセイ イチロウ")
    _sign_in_by_keyboard(page)
    page.goto(f"/issuances/new/{person.id}", wait_until="domcontentloaded")
    page.select_option("#id_checked", "insurance_card")  # 本人確認書類 (required)
    tab_to(page, lambda e: e["type"] == "submit", "the record button")
    press_and_wait(page, "Enter")
    from app.passes.models import Issuance

    recorded = db.session.query(Issuance).filter_by(resident_id=person.id).one()
    page.goto(f"/issuances/{recorded.id}/edit", wait_until="domcontentloaded")
    page.wait_for_selector("form.ward-form")
    page.shot("correction-form")
    assert focused(page)["id"] == "applied_on"
