"""The date a member of staff typed into a screen's field (ISO or 和暦)."""

from flask_babel import gettext as _

from app.errors import DomainError
from app.text.wareki import parse_date_input


def typed_date(text, default=None):
    """A date typed by staff (ISO or 和暦), or ``default`` when empty.

    :raises DomainError: when the text is not a possible date.
    """
    text = (text or "").strip()
    if not text:
        return default
    try:
        day = parse_date_input(text)
    except ValueError:
        day = None
    if day is None:
        raise DomainError(_("Enter a date such as 2026-04-01, R8.4.1 or 令和8年4月1日."))
    return day
