"""Local date and time.  Tests replace :data:`_now` to fake the clock."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Tokyo")


def _now() -> datetime:
    return datetime.now(TIMEZONE)


def now() -> datetime:
    """Current local time (Asia/Tokyo), naive, as stored in the database."""
    return _now().replace(tzinfo=None)


def today() -> date:
    """Current local date: what staff call 'today'."""
    return _now().date()
