"""Each figure of the report against the hand-built dataset (tests/stats/conftest.py)."""

from datetime import date

import pytest

from tests.stats.conftest import AS_OF, FY


def _report(as_of=AS_OF, fy=FY, office=None):
    from app.stats import services

    request = services.for_office(services.parse_request(as_of.isoformat(), fy), office)
    return services.build_report(request)


def test_stats_the_sixtieth_birthday_edges_follow_the_law(dataset):
    from app.text.wareki import age_on

    # By law a person is 60 at the end of the day before the 60th birthday.
    assert age_on(date(1966, 4, 1), AS_OF) == 60
    assert age_on(date(1966, 4, 2), AS_OF) == 59


def test_stats_eligible_people_on_the_date(dataset):
    eligible = _report()["eligible"]
    # p1–p6; p7 was excluded before the date, p9 known only after it.
    assert eligible == {
        "total": 6,
        "aged_60_plus": 5,
        "disability_child": 1,
        "categories": {"elderly": 2, "disabled": 3, "child_allowance": 1},
    }


def test_stats_passes_issued_in_the_fiscal_year(dataset):
    passes = _report()["passes"]
    # The superseded pass and the reissue both count; the March-mailed pass
    # of 2025-03-25 belongs to fiscal 2025; the fiscal 2024 pass does not.
    assert passes["issued"] == 8
    assert passes["people"] == 7
    assert (passes["aged_60_plus"], passes["disability_child"]) == (7, 1)
    assert passes["by_office"] == {"HQ": 7, "YOTSUYA": 1}
    assert passes["by_method"] == {"counter": 6, "mail": 2}
    assert passes["by_kind"] == {"new": 4, "renewal": 2, "reissue_lost": 1, "reissue_damaged": 1}
    assert passes["by_month"] == {
        "2025-03": 1, "2025-04": 1, "2025-05": 1, "2025-06": 1, "2025-08": 1,
        "2025-10": 1, "2026-03": 2,
    }  # fmt: skip


def test_stats_returns_exclusions_and_how_people_came(dataset):
    report = _report()
    assert report["returns"] == {"returned": 1, "resent": 1}
    b = report["breakdowns"]
    assert b["exclusions"] == {"deceased": 1}
    assert b["how_came"]["continuing"] == 1
    assert sum(b["by_age_band"].values()) == 8
    assert b["by_age_band"]["under_60"] == 1
    # p1 is 85 (two passes), p7 81, p6 76, p2–p4 60, p5 59.
    assert {k: v for k, v in b["by_age_band"].items() if v} == {
        "60-64": 3, "75-79": 1, "80-84": 1, "85-89": 2, "under_60": 1,
    }  # fmt: skip


def test_stats_an_earlier_as_of_date_counts_only_passes_issued_by_then(dataset):
    passes = _report(as_of=date(2025, 5, 9))["passes"]
    assert passes["issued"] == 2  # the March-mailed renewal and p7's of 10 April
    assert _report(as_of=date(2025, 5, 10))["passes"]["issued"] == 3


def test_stats_comparison_with_the_same_date_of_earlier_years(dataset):
    years = {c["fiscal_year"]: c for c in _report()["comparison"]}
    assert years[2025]["issued"] == 8
    assert years[2024] == {
        "fiscal_year": 2024, "as_of": "2025-03-31", "issued": 1, "by_month": {"2024-05": 1},
    }  # fmt: skip
    assert years[2025]["by_month"] == _report()["passes"]["by_month"]
    assert sorted(years) == [2021, 2022, 2023, 2024, 2025]


def test_stats_one_office_only(dataset):
    passes = _report(office="YOTSUYA")["passes"]
    assert passes["issued"] == 1
    assert passes["by_office"] == {"YOTSUYA": 1}


@pytest.mark.parametrize(
    ("as_of", "fy", "word"),
    [
        ("2027-01-01", 2026, "未来"),
        ("2019-12-31", 2019, "データはありません"),
        ("2026-13-45", 2025, "日付ではありません"),
        ("あした", 2025, "日付ではありません"),
        ("2026-03-31", 2030, "年度はありません"),
        ("2026-03-31", "R7", "西暦"),
    ],
)
def test_stats_bad_input_gets_a_japanese_message(dataset, app, as_of, fy, word):
    from app.errors import DomainError
    from app.stats import services

    with (
        app.test_request_context(headers={"Accept-Language": "ja"}),
        pytest.raises(DomainError) as caught,
    ):
        services.parse_request(as_of, fy)
    assert word in str(caught.value.message)


def test_stats_a_pass_handed_back_still_counts_as_issued(dataset, db):
    from app.passes.models import Issuance

    handed = db.session.query(Issuance).filter_by(control_no=5, fiscal_year=FY).one()
    handed.status = "handed_back"  # 返還 (app.mailing): it was issued all the same
    db.session.commit()
    assert _report()["passes"]["issued"] == 8
