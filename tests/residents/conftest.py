"""Fixtures of the people and pass screens' tests."""

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
def resident(db):
    """``resident(**fields)`` → a committed dummy resident."""
    from tests.factories import make_resident

    return make_resident
