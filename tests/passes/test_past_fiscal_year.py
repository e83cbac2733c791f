"""A 交付日 in an earlier fiscal year asks for confirmation, the lists name the
年度, and a pass of an earlier year shows 期限切れ (issue 11, item 15)."""

import re
from datetime import date

from sqlalchemy import select

from app.passes.issuance import issue_pass
from app.passes.models import Issuance
from tests.passes.conftest import form_token, issue_form, page_text

LAST_MARCH = date(2026, 3, 31)  # fiscal 2025 (令和7年度)


def _passes(db):
    return db.session.scalars(select(Issuance).order_by(Issuance.id)).all()


def test_an_issue_date_of_last_fiscal_year_asks_first(db, login, person, office, today):
    client = login("staff")
    form = issue_form(LAST_MARCH, office("HQ").id, submission=form_token(client, person))
    resp = client.post(f"/issuances/new/{person.id}", data=form)
    assert resp.status_code == 200
    page = page_text(resp)
    assert "令和7年度" in page
    assert "令和8年3月31日" in page
    assert re.search(r'<input type="checkbox" id="confirm_fiscal_year"[^>]*value="2025"', page)
    assert "令和7年度の入浴証として登録する" in page
    assert _passes(db) == []

    confirmed = client.post(
        f"/issuances/new/{person.id}", data={**form, "confirm_fiscal_year": "2025"}
    )
    assert confirmed.status_code == 302
    (created,) = _passes(db)
    assert created.fiscal_year == 2025


def test_confirming_another_year_is_no_confirmation(db, login, person, office, today):
    client = login("staff")
    form = issue_form(LAST_MARCH, office("HQ").id, submission=form_token(client, person),
                      confirm_fiscal_year="2024")  # fmt: skip
    page = page_text(client.post(f"/issuances/new/{person.id}", data=form))
    assert "令和7年度の入浴証として登録する" in page
    assert _passes(db) == []


def test_this_years_issue_date_asks_nothing(db, login, person, office, today):
    client = login("staff")
    page = page_text(client.get(f"/issuances/new/{person.id}"))
    assert "confirm_fiscal_year" not in page
    form = issue_form(date(2026, 4, 1), office("HQ").id, submission=form_token(client, person))
    assert client.post(f"/issuances/new/{person.id}", data=form).status_code == 302


def _two_years_today(person, office, user, today):
    """Last year's pass and this year's, both recorded today (as the issue saw)."""
    staff = user("staff")
    old = issue_pass(person, kind="new", applied_on=LAST_MARCH, issued_on=LAST_MARCH,
                     office=office("HQ"), method="counter", user=staff)  # fmt: skip
    new = issue_pass(person, kind="renewal", applied_on=today, issued_on=today,
                     office=office("HQ"), method="counter", user=staff)  # fmt: skip
    return old, new


def test_the_home_page_names_the_fiscal_year(db, login, person, office, user, today):
    _two_years_today(person, office, user, today)
    page = page_text(login("staff").get("/"))
    latest = page[page.index("<thead>") :]
    assert "年度" in latest
    assert "令和7年度" in latest
    assert "令和8年度" in latest


def test_a_pass_of_an_earlier_year_shows_expired(db, login, person, office, user, today):
    old, new = _two_years_today(person, office, user, today)
    client = login("auditor")
    for url in (f"/residents/{person.id}", "/issuances/"):
        page = page_text(client.get(url))
        assert "期限切れ" in page, url
        assert "有効" in page, url
    assert "期限切れ" in page_text(client.get(f"/issuances/{old.id}"))
    current = page_text(client.get(f"/issuances/{new.id}"))
    assert "期限切れ" not in current
    assert "<td>有効</td>" in current
    assert old.status == "valid"  # stored as valid: a display status only
