"""Local date and time.  Tests replace :data:`_now` to fake the clock."""

from datetime import datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Tokyo")


def _now():
    return datetime.now(TIMEZONE)


def now():
    """Current local time (Asia/Tokyo), naive, as stored in the database."""
    return _now().replace(tzinfo=None)


def today():
    """Current local date: what staff call 'today'."""
    return _now().date()
