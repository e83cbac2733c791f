"""Helpers of the March-application tests: a March day, passes, the output folder."""

from datetime import date, datetime

import pytest

# A day of the window of fiscal 2026 (fiscal 2025 ends on 31 March 2026).
MARCH_5 = datetime(2026, 3, 5, 10, 0)


@pytest.fixture(autouse=True)
def own_output(app, tmp_path):
    """The batches' files in the test's own folder; the mass mailing rendered inline."""
    previous = app.config["OUTPUT_DIR"], app.config["MASS_MAILING_WORKERS"]
    app.config["OUTPUT_DIR"] = str(tmp_path / "output")
    app.config["MASS_MAILING_WORKERS"] = 1
    yield tmp_path / "output"
    app.config["OUTPUT_DIR"], app.config["MASS_MAILING_WORKERS"] = previous


@pytest.fixture
def offices(db):
    from app.offices.services import by_code

    return {code: by_code(code) for code in ("HQ", "YOTSUYA", "OKUBO")}


@pytest.fixture
def issue(db, user, offices):
    """``issue(resident, on=date, fiscal_year=None, method="mail", ...)``: an
    ordinary pass through the one issue service."""
    from app.passes.issuance import issue_pass

    def _issue(resident, on, fiscal_year=None, method="mail", kind="new", by="staff",
               office="HQ", applied_on=None):  # fmt: skip
        return issue_pass(
            resident,
            kind=kind,
            applied_on=applied_on or on,
            issued_on=on,
            office=offices[office],
            method=method,
            user=user(by),
            fiscal_year=fiscal_year,
        )

    return _issue


@pytest.fixture
def next_year(db, user, offices):
    """``next_year(resident, applied_on, issued_on=None, method="mail")``: a
    March application through :func:`app.march.services.issue_next_year`."""
    from app.march.services import issue_next_year

    def _next(resident, applied_on, issued_on=None, method="mail", kind="renewal",
              by="staff", office="HQ"):  # fmt: skip
        return issue_next_year(
            resident,
            kind=kind,
            applied_on=applied_on,
            issued_on=issued_on or applied_on,
            office=offices[office],
            method=method,
            user=user(by),
        )

    return _next


def fy2025_holder(issue, **fields):
    """A resident with a counter pass of fiscal 2025 (issued 1 June 2025)."""
    from tests.factories import make_resident

    person = make_resident(**fields)
    issue(person, date(2025, 6, 1), method="counter")
    return person
