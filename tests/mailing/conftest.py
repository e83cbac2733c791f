"""Fixtures of the mailing tests: a March day, mailed and counter passes."""

from datetime import date, datetime

import pytest

MARCH_DAY = datetime(2026, 3, 23, 10, 0)


@pytest.fixture
def march(frozen_clock):
    return frozen_clock(MARCH_DAY)


@pytest.fixture
def offices(db):
    from app.offices.services import by_code

    return {code: by_code(code) for code in ("HQ", "YOTSUYA")}


@pytest.fixture
def make_pass(db, user, offices):
    """``make_pass(resident, fiscal_year=2025, method="mail", issued_on=...)``."""
    from app.passes.issuance import issue_pass

    def _make(resident, fiscal_year=2025, issued_on=None, method="mail", kind="new",
              reissue_reason=None):  # fmt: skip
        issued_on = issued_on or date(fiscal_year, 6, 1)
        current = None
        if kind == "reissue":
            from app.passes.queries import valid_pass

            current = valid_pass(resident.id, fiscal_year)
        return issue_pass(
            resident, kind=kind, applied_on=issued_on, issued_on=issued_on,
            office=offices["HQ"], method=method, user=user("staff"), fiscal_year=fiscal_year,
            reissue_reason=reissue_reason, supersedes_id=current.id if current else None,
        )  # fmt: skip

    return _make
