"""The issue form in the March window: the choice of year, next year's pass
by mail or at the counter, and the refusals on the form."""

import html
import re
from datetime import date, datetime

from sqlalchemy import select

from app.passes.models import Issuance
from tests.factories import make_resident
from tests.march.conftest import MARCH_5


def _text(resp):
    return html.unescape(resp.get_data(as_text=True))


def _form(day, office_id, **extra):
    data = {
        "kind": "new",
        "applied_on": day.isoformat(),
        "issued_on": day.isoformat(),
        "office": str(office_id),
        "method": "mail",
        "supersedes_id": "",
    }
    data.update(extra)
    return data


def _passes_of(db, person):
    db.session.expire_all()
    query = select(Issuance).where(Issuance.resident_id == person.id).order_by(Issuance.id)
    return db.session.execute(query).scalars().all()


def test_march_form_offers_the_year_only_in_the_window(db, login, frozen_clock):
    person = make_resident()
    frozen_clock(datetime(2026, 2, 27, 10, 0))
    page = _text(login("staff").get(f"/issuances/new/{person.id}"))
    assert 'name="pass_year"' not in page
    frozen_clock(MARCH_5)
    page = _text(login("staff").get(f"/issuances/new/{person.id}"))
    assert "入浴証の年度" in page
    assert "今年度（令和7年度）：すぐ交付" in page
    assert "来年度（令和8年度）：順次発送（一斉発送の後の番号）" in page
    assert "令和8年3月1日から令和8年3月31日までは来年度の入浴証を申請できます" in page
    # by default: next year's by mail, this year's at the counter
    assert re.search(r'<option selected value="auto">', page)
    assert "自動（郵送は来年度、窓口は今年度）" in page


def test_march_form_records_next_years_pass_by_mail(db, login, frozen_clock, offices):
    person = make_resident()
    frozen_clock(MARCH_5)
    client = login("staff")
    resp = client.post(
        f"/issuances/new/{person.id}", data=_form(date(2026, 3, 5), offices["HQ"].id,
                                                  pass_year="next")
    )  # fmt: skip
    assert resp.status_code == 302, _text(resp)[:2000]
    (created,) = _passes_of(db, person)
    assert (created.fiscal_year, created.control_no, created.method) == (2026, 900001, "mail")
    page = _text(client.get(resp.headers["Location"]))
    assert "整理番号 900001" in page or "900001" in page


def test_march_form_counter_can_still_issue_this_years_pass(db, login, frozen_clock, offices):
    person = make_resident()
    frozen_clock(MARCH_5)
    form = _form(date(2026, 3, 5), offices["YOTSUYA"].id, method="counter", pass_year="current")
    resp = login("branch").post(f"/issuances/new/{person.id}", data=form)
    assert resp.status_code == 302
    (created,) = _passes_of(db, person)
    assert (created.fiscal_year, created.control_no, created.method) == (2025, 1, "counter")


def test_march_form_refuses_next_year_outside_the_window(db, login, frozen_clock, offices):
    person = make_resident()
    frozen_clock(datetime(2026, 2, 27, 10, 0))
    form = _form(date(2026, 2, 27), offices["HQ"].id, pass_year="next")
    resp = login("staff").post(f"/issuances/new/{person.id}", data=form)
    assert resp.status_code == 200
    page = _text(resp)
    assert "来年度（令和8年度）の入浴証の申請は" in page
    assert "までしか受け付けられません" in page
    assert _passes_of(db, person) == []


def test_march_form_refuses_an_application_made_before_the_cutoff(db, login, frozen_clock, offices):
    person = make_resident()
    frozen_clock(MARCH_5)
    form = _form(date(2026, 3, 5), offices["HQ"].id, pass_year="next", applied_on="2026-02-25")
    resp = login("staff").post(f"/issuances/new/{person.id}", data=form)
    assert resp.status_code == 200
    assert "一斉発送の基準日（令和8年2月28日）" in _text(resp)
    assert _passes_of(db, person) == []


def test_march_form_refuses_a_second_pass_for_next_year(db, login, frozen_clock, offices):
    person = make_resident()
    frozen_clock(MARCH_5)
    client = login("staff")
    form = _form(date(2026, 3, 5), offices["HQ"].id, pass_year="next")
    assert client.post(f"/issuances/new/{person.id}", data=form).status_code == 302
    again = client.post(f"/issuances/new/{person.id}", data={**form, "kind": "renewal"})
    assert again.status_code == 200
    assert "同じ年度の入浴証を2枚交付することはできません" in _text(again)
    assert len(_passes_of(db, person)) == 1


def test_march_form_default_is_next_year_by_mail_this_year_at_the_counter(
    db, login, frozen_clock, offices
):
    frozen_clock(MARCH_5)
    client = login("staff")
    by_mail, at_counter, posted_late = (make_resident() for _ in range(3))
    for person, extra in (
        (by_mail, {}),
        (at_counter, {"method": "counter"}),
        # a mail application dated before the cut-off is this year's (the mass mailing's)
        (posted_late, {"applied_on": "2026-02-26"}),
    ):
        form = _form(date(2026, 3, 5), offices["HQ"].id, pass_year="auto", **extra)
        assert client.post(f"/issuances/new/{person.id}", data=form).status_code == 302
    assert [(p.fiscal_year, p.control_no) for p in _passes_of(db, by_mail)] == [(2026, 900001)]
    assert [(p.fiscal_year, p.method) for p in _passes_of(db, at_counter)] == [(2025, "counter")]
    assert [(p.fiscal_year, p.method) for p in _passes_of(db, posted_late)] == [(2025, "mail")]
    # outside the window "auto" is simply this year's pass
    frozen_clock(datetime(2026, 4, 3, 10, 0))
    late = make_resident()
    form = _form(date(2026, 4, 3), offices["HQ"].id, pass_year="auto")
    resp = login("staff").post(f"/issuances/new/{late.id}", data=form)
    assert resp.headers["Location"].endswith(f"/residents/{late.id}")
    assert [(p.fiscal_year, p.control_no) for p in _passes_of(db, late)] == [(2026, 1)]
