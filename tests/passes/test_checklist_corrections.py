"""The daily checklist shows corrections and the 年度 (issue 11, item 15): a
返戻日 cleared by a correction is listed as 「返戻日の取消」, not as a 返戻."""

from datetime import date, datetime

from app.passes import returns
from app.passes.issuance import issue_pass, update_issuance
from tests.letters.conftest import pdf_text, save_png

DAY = date(2026, 11, 20)


def _checklist(login, screenshot=None):
    resp = login("staff").get("/checklist/pdf?date=2026-11-20")
    assert resp.status_code == 200
    if screenshot:
        save_png(resp.data, screenshot, dpi=80)
    return pdf_text(resp.data)


def _mailed(person, office, user, day=DAY):
    return issue_pass(person, kind="new", applied_on=day, issued_on=day, office=office("HQ"),
                      method="mail", user=user("staff"))  # fmt: skip


def test_a_return_cleared_the_same_day_is_a_correction(
    db, login, person, office, user, frozen_clock
):
    frozen_clock(datetime(2026, 11, 19, 9, 0))
    mailed = _mailed(person, office, user, day=date(2026, 11, 19))
    frozen_clock(datetime(2026, 11, 20, 10, 0))
    returns.record_return(mailed, user("staff"))
    frozen_clock(datetime(2026, 11, 20, 11, 0))
    update_issuance(mailed, {"returned_on": None}, user("staff"))
    text = _checklist(login, "passes-checklist-cleared-return")
    assert "返戻日の取消" in text
    # 「返戻」 only inside 「返戻日の取消」 (its row and its total), never alone
    assert text.count("返戻") == text.count("返戻日の取消") == 2
    assert "令和8年11月20日" in text


def test_a_return_cleared_the_next_day_stays_on_its_day(
    db, login, person, office, user, frozen_clock
):
    frozen_clock(datetime(2026, 11, 19, 9, 0))
    mailed = _mailed(person, office, user, day=date(2026, 11, 19))
    returns.record_return(mailed, user("staff"))
    frozen_clock(datetime(2026, 11, 20, 11, 0))
    update_issuance(mailed, {"returned_on": None}, user("staff"))
    day_before = pdf_text(login("staff").get("/checklist/pdf?date=2026-11-19").data)
    assert "返戻日の取消" not in day_before
    assert "返戻" in day_before
    assert "返戻日の取消" in _checklist(login)


def test_other_corrections_are_listed_with_the_fields(
    db, login, person, office, user, frozen_clock
):
    frozen_clock(datetime(2026, 11, 19, 9, 0))
    mailed = _mailed(person, office, user, day=date(2026, 11, 19))
    frozen_clock(datetime(2026, 11, 20, 11, 0))
    update_issuance(mailed, {"issued_on": date(2026, 11, 18), "applied_on": date(2026, 11, 18)},
                    user("staff"))  # fmt: skip
    text = _checklist(login)
    assert "交付記録の訂正" in text
    assert "交付日" in text


def test_two_passes_of_one_person_name_their_fiscal_years(
    db, login, person, office, user, frozen_clock
):
    frozen_clock(datetime(2026, 11, 20, 10, 0))
    issue_pass(person, kind="new", applied_on=date(2026, 3, 31), issued_on=date(2026, 3, 31),
               office=office("HQ"), method="counter", user=user("staff"))  # fmt: skip
    issue_pass(person, kind="renewal", applied_on=DAY, issued_on=DAY, office=office("HQ"),
               method="counter", user=user("staff"))  # fmt: skip
    text = _checklist(login, "passes-checklist-years")
    assert "年度" in text
    assert "令和7年度" in text
    assert "令和8年度" in text
