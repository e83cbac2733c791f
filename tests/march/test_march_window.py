"""The March window (順次発送): when a pass for the next fiscal year may be
recorded, its number after the mass mailing's block, and the refusals."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.errors import DomainError
from app.letters import mass_mailing
from app.march import window
from app.march.models import MarchNumberCounter
from app.passes.models import ControlNumberCounter, Issuance
from tests.factories import make_resident
from tests.march.conftest import MARCH_5, fy2025_holder


def _passes(db):
    db.session.expire_all()
    return db.session.execute(select(func.count(Issuance.id))).scalar_one()


def test_march_window_runs_from_the_day_after_end_of_february_to_31_march(db):
    assert window.window_for(2026) == window.Window(2026, date(2026, 2, 28), date(2026, 3, 31))
    assert window.window_for(2029).cutoff == date(2029, 2, 28)
    assert window.window_for(2028).cutoff == date(2028, 2, 29)  # a leap year
    assert window.window_on(date(2026, 2, 28)) is None
    assert window.window_on(date(2026, 3, 1)).fiscal_year == 2026
    assert window.window_on(date(2026, 3, 31)).fiscal_year == 2026
    assert window.window_on(date(2026, 4, 1)) is None
    assert window.window_on(date(2025, 11, 1)) is None


def test_march_window_follows_the_cutoff_of_the_years_mass_mailing_run(db, frozen_clock, user):
    frozen_clock(datetime(2026, 3, 12, 9, 0))
    run = mass_mailing.queue_run(2026, date(2026, 3, 10), date(2026, 3, 23), user("supervisor"))
    assert window.cutoff_for(2026) == date(2026, 3, 10)
    assert window.window_on(date(2026, 3, 10)) is None
    assert window.window_on(date(2026, 3, 11)) is not None
    # a failed run that issued nothing does not count
    run.status = "failed"
    db.session.commit()
    assert window.cutoff_for(2026) == date(2026, 2, 28)


def test_march_application_is_numbered_after_the_mass_mailings_block(
    db, frozen_clock, issue, next_year, user
):
    holders = [fy2025_holder(issue, name=f"継続\u3000{n}") for n in range(3)]
    applicant = make_resident(name="三月\u3000申請")
    frozen_clock(MARCH_5)
    early = next_year(applicant, date(2026, 3, 4))
    assert (early.fiscal_year, early.control_no, early.method) == (2026, 900001, "mail")
    # The mass mailing of 23 March still numbers its block from 1 …
    frozen_clock(datetime(2026, 3, 23, 9, 0))
    run = mass_mailing.queue_run(2026, date(2026, 2, 28), date(2026, 3, 23), user("supervisor"))
    mass_mailing.issue_passes(run)
    block = db.session.execute(
        select(Issuance.control_no).where(Issuance.fiscal_year == 2026, Issuance.kind == "renewal",
                                          Issuance.resident_id.in_([h.id for h in holders]))
    ).scalars().all()  # fmt: skip
    assert sorted(block) == [1, 2, 3]
    assert (run.summary["first_no"], run.summary["last_no"]) == (1, 3)
    # … and an application after it continues the series, after the block.
    frozen_clock(datetime(2026, 3, 24, 9, 0))
    late = next_year(make_resident(name="後日\u3000申請"), date(2026, 3, 24), method="counter")
    assert late.control_no == 900002
    # An ordinary pass of fiscal 2026 from April continues the year's counter.
    frozen_clock(datetime(2026, 4, 2, 9, 0))
    april = issue(make_resident(name="四月\u3000申請"), date(2026, 4, 2))
    assert april.control_no == 4


def test_march_applicant_with_a_pass_is_skipped_by_the_mass_mailing(
    db, frozen_clock, issue, next_year, user
):
    holder = fy2025_holder(issue, name="継続\u3000一")
    frozen_clock(MARCH_5)
    next_year(holder, date(2026, 3, 5))
    people, skipped = mass_mailing.select_people(2026, date(2026, 2, 28))
    assert people == []
    assert [s["reason"] for s in skipped] == ["already_issued"]


@pytest.mark.parametrize(
    ("applied", "issued", "today"),
    [
        (date(2026, 2, 28), date(2026, 3, 2), datetime(2026, 3, 2, 9)),  # before the cut-off
        (date(2026, 2, 20), date(2026, 2, 20), datetime(2026, 2, 20, 9)),  # February
        (date(2026, 4, 1), date(2026, 4, 1), datetime(2026, 4, 1, 9)),  # the year has begun
    ],
)
def test_march_application_outside_the_window_is_refused(
    db, frozen_clock, next_year, applied, issued, today
):
    frozen_clock(today)
    person = make_resident()
    with pytest.raises(DomainError) as refused:
        next_year(person, applied, issued)
    assert "来年度" in str(refused.value.message)
    assert "までしか受け付けられません" in str(refused.value.message)
    assert _passes(db) == 0
    assert db.session.get(MarchNumberCounter, 2026) is None


def test_march_second_pass_for_next_year_is_refused_and_nothing_saved(
    db, frozen_clock, issue, next_year
):
    person = make_resident()
    frozen_clock(MARCH_5)
    first = next_year(person, date(2026, 3, 5))
    for kind in ("renewal", "new", "reissue"):
        with pytest.raises(DomainError) as refused:
            next_year(person, date(2026, 3, 5), kind=kind)
        message = str(refused.value.message)
        assert "2枚交付することはできません" in message or "再交付できません" in message
    assert _passes(db) == 1
    assert db.session.get(MarchNumberCounter, 2026).last_no == 1
    assert first.control_no == 900001


def test_march_rule_of_issue_pass_refusing_gives_the_number_back(db, frozen_clock, next_year):
    person = make_resident(status="excluded", excluded_on=date(2026, 3, 1))
    frozen_clock(MARCH_5)
    with pytest.raises(DomainError) as refused:
        next_year(person, date(2026, 3, 5))
    assert "除外" in str(refused.value.message) or "交付できません" in str(refused.value.message)
    assert _passes(db) == 0
    assert db.session.get(MarchNumberCounter, 2026) is None


def test_march_series_refuses_when_the_years_counter_reached_it(app, db, frozen_clock, next_year):
    frozen_clock(MARCH_5)
    db.session.add(ControlNumberCounter(fiscal_year=2026, last_no=900001))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        next_year(make_resident(), date(2026, 3, 5))
    assert "MARCH_CONTROL_NO_START" in str(refused.value.message)
    assert _passes(db) == 0


def test_march_series_number_typed_without_its_year_finds_next_years_pass(
    db, frozen_clock, next_year
):
    from app.errors import NotFound
    from app.passes import returns

    frozen_clock(MARCH_5)
    made = next_year(make_resident(name="返戻\u3000三月"), date(2026, 3, 4))
    # on the returns screen in March the default year is the current one (2025)
    assert returns.find_pass("900001", 2025).id == made.id
    assert returns.find_pass("９００００１", 2025).id == made.id
    # a year typed is taken as typed, and an ordinary number is not looked for next year
    with pytest.raises(NotFound):
        returns.find_pass("2025-900001", 2025)
    with pytest.raises(NotFound):
        returns.find_pass("1", 2025)
