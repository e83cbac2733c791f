"""Reading what staff type or scan into the returned-mail box (pure, no Flask)."""

import re
import unicodedata

__all__ = ["ControlInputError", "parse_control_input"]

# "123", "2026-123", "2026/123", "2026 123", with any width of digits; a
# scanner may add a trailing newline or tab.
_INPUT = re.compile(r"(?:(?P<year>\d{4})\s*[-/ ]\s*)?(?P<no>\d{1,9})", re.ASCII)


class ControlInputError(ValueError):
    """The text is not a 整理番号."""


def parse_control_input(text, default_fiscal_year):
    """``(fiscal_year, control_no)`` from a typed or scanned 整理番号.

    Accepts ``"123"`` (in ``default_fiscal_year``), ``"2026-123"`` and
    ``"2026/123"``, full-width or half-width, with surrounding spaces.

    :raises ControlInputError: when the text is not a number of that form.
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    match = _INPUT.fullmatch(value)
    if not match:
        raise ControlInputError(f"not a control number: {text!r}")
    number = int(match["no"])
    if number < 1:
        raise ControlInputError(f"not a control number: {text!r}")
    year = int(match["year"]) if match["year"] else default_fiscal_year
    return year, number
