"""Fixtures of the pass screens' tests: a fixed day, an office, a person, a
signed-in client's form token."""

import re
from datetime import date, datetime

import pytest

TODAY = date(2026, 11, 20)  # fiscal year 2026 (令和8年度)


@pytest.fixture
def today(frozen_clock):
    """Fix the clock on :data:`TODAY`, 10:00."""
    frozen_clock(datetime(2026, 11, 20, 10, 0))
    return TODAY


@pytest.fixture
def office(db):
    """``office(code)`` → the Office."""
    from app.offices.services import by_code

    return by_code


@pytest.fixture
def person(db):
    from tests.factories import make_resident

    return make_resident(name="受付\u3000花子", kana="ウケツケ ハナコ")


def page_text(resp):
    return resp.get_data(as_text=True)


def form_token(client, resident):
    """The submission token of a freshly rendered application form."""
    page = page_text(client.get(f"/issuances/new/{resident.id}"))
    return re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)


def issue_form(day, office_id, **extra):
    """The application form's fields as a browser posts them."""
    data = {
        "kind": "new",
        "applied_on": day.isoformat(),
        "issued_on": day.isoformat(),
        "office": str(office_id),
        "method": "counter",
        "supersedes_id": "",
    }
    data.update(extra)
    return data
