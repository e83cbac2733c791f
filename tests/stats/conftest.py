"""A hand-built dataset for the statistics: people on the edges of the as-of
date 2026-03-31 (fiscal year 2025, 令和7年度), a reissue that superseded a
pass, a March-mailed pass of the new year, exclusions before and after."""

from datetime import date, datetime

import pytest

AS_OF = date(2026, 3, 31)
FY = 2025
TODAY = datetime(2026, 11, 20, 10, 0)


def _pass(resident, office, *, fy, no, issued, kind="new", method="counter", **extra):
    from app.passes.models import Issuance

    return Issuance(
        resident_id=resident.id, fiscal_year=fy, control_no=no, kind=kind, applied_on=issued,
        issued_on=issued, office_id=office.id, method=method, status="valid", **extra,
    )  # fmt: skip


@pytest.fixture
def dataset(db, frozen_clock):
    """``{name: Resident}`` of the people below, their passes committed."""
    from app.offices.services import by_code
    from tests.factories import make_resident

    frozen_clock(TODAY)
    hq, yotsuya = by_code("HQ"), by_code("YOTSUYA")
    created = datetime(2020, 1, 1, 9, 0)
    elderly = {"is_elderly": True, "created_at": created}
    disabled = {"is_elderly": False, "is_disabled": True, "created_at": created}
    people = {
        "p1": make_resident(birth_date=date(1940, 5, 5), **elderly),
        "p2_60th_day_before": make_resident(birth_date=date(1966, 3, 30), **disabled),
        "p3_60th_on": make_resident(birth_date=date(1966, 3, 31), **disabled),
        "p4_60th_day_after": make_resident(
            birth_date=date(1966, 4, 1),
            is_elderly=False,
            is_child_allowance=True,
            created_at=created,
        ),  # fmt: skip
        "p5_60th_two_days_after": make_resident(birth_date=date(1966, 4, 2), **disabled),
        "p6_excluded_after": make_resident(
            birth_date=date(1950, 1, 1),
            status="excluded",
            excluded_on=date(2026, 5, 1),
            exclusion_reason="moved_out",
            **elderly,
        ),  # fmt: skip
        "p7_excluded_before": make_resident(
            birth_date=date(1945, 1, 1),
            status="excluded",
            excluded_on=date(2025, 12, 1),
            exclusion_reason="deceased",
            **elderly,
        ),  # fmt: skip
        "p9_created_after": make_resident(
            birth_date=date(1950, 2, 2), is_elderly=True, created_at=datetime(2026, 6, 1)
        ),
    }
    p = people
    first = _pass(p["p1"], hq, fy=FY, no=1, issued=date(2025, 5, 10))
    from app.extensions import db as sqla

    rows = [
        first,
        _pass(p["p1"], hq, fy=2024, no=1, issued=date(2024, 5, 1)),
        _pass(p["p2_60th_day_before"], yotsuya, fy=FY, no=2, issued=date(2025, 6, 15),
              method="mail", returned_on=date(2025, 6, 20), resent_on=date(2025, 7, 1)),
        _pass(p["p3_60th_on"], hq, fy=FY, no=3, issued=date(2025, 3, 25), kind="renewal",
              method="mail"),
        _pass(p["p4_60th_day_after"], hq, fy=FY, no=4, issued=date(2026, 3, 31)),
        _pass(p["p5_60th_two_days_after"], hq, fy=FY, no=5, issued=date(2026, 3, 20)),
        _pass(p["p6_excluded_after"], hq, fy=FY, no=6, issued=date(2025, 10, 1),
              kind="reissue", reissue_reason="damaged"),
        _pass(p["p7_excluded_before"], hq, fy=FY, no=7, issued=date(2025, 4, 10),
              kind="renewal"),
    ]  # fmt: skip
    sqla.session.add_all(rows)
    sqla.session.flush()
    first.status = "superseded"
    sqla.session.flush()
    reissue = _pass(p["p1"], hq, fy=FY, no=8, issued=date(2025, 8, 1), kind="reissue",
                    reissue_reason="lost")  # fmt: skip
    sqla.session.add(reissue)
    sqla.session.flush()
    first.superseded_by_id = reissue.id
    sqla.session.commit()
    return people
