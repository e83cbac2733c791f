"""Reading the 整理番号 of returned letters as typed, scanned or listed in a
file, one per line (pure: no Flask, no database).

A scanner or a file may bring full-width digits, surrounding white space, the
start and stop characters of a barcode (``*123*`` in Code 39, ``A123B`` in
NW-7/Codabar) or one trailing check character (a letter); they are taken off.
What is still not a number is refused with the reason, for the screen to say.
"""

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["ScanError", "ScannedNumber", "parse_lines", "parse_scanned"]

# An optional fiscal year ("2026-123"), the number, an optional check letter.
_NUMBER = re.compile(r"(?:(?P<year>\d{4})\s*[-/]\s*)?(?P<no>\d{1,9})(?P<check>[A-Za-z])?", re.ASCII)
_CODE39 = re.compile(r"\*(?P<body>.*)\*", re.ASCII)
_CODABAR = re.compile(r"[A-Da-d](?P<body>[0-9-]+)[A-Da-d]", re.ASCII)

# Why a line is not a 整理番号 (the screen words each one).
EMPTY = "empty"
NOT_A_NUMBER = "not_a_number"
ZERO = "zero"


class ScanError(ValueError):
    """A line that is not a 整理番号; ``code`` says why (EMPTY, NOT_A_NUMBER, ZERO)."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text!r}")
        self.code = code
        self.text = text


@dataclass(frozen=True)
class ScannedNumber:
    """A 整理番号 read from ``text``; ``cleaned`` says what was taken off."""

    text: str
    fiscal_year: int
    control_no: int
    cleaned: bool


def _strip_barcode(value: str) -> str:
    for pattern in (_CODE39, _CODABAR):
        match = pattern.fullmatch(value)
        if match:
            return match["body"].strip()
    return value


def parse_scanned(text: str, default_fiscal_year: int) -> ScannedNumber:
    """The 整理番号 of one typed or scanned line.

    :raises ScanError: when the line is empty or not a number of that form.
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        raise ScanError(EMPTY, text)
    body = _strip_barcode(value)
    match = _NUMBER.fullmatch(body)
    if not match:
        raise ScanError(NOT_A_NUMBER, text)
    number = int(match["no"])
    if number < 1:
        raise ScanError(ZERO, text)
    year = int(match["year"]) if match["year"] else default_fiscal_year
    cleaned = body != value or bool(match["check"]) or value != (text or "")
    return ScannedNumber(text=text, fiscal_year=year, control_no=number, cleaned=cleaned)


def parse_lines(data: str, default_fiscal_year: int) -> list[tuple[int, ScannedNumber | ScanError]]:
    """Every non-blank line of ``data`` (a file of scanned numbers), numbered
    from 1: its :class:`ScannedNumber`, or the :class:`ScanError` that says why not."""
    found: list[tuple[int, ScannedNumber | ScanError]] = []
    for line_no, line in enumerate(data.splitlines(), start=1):
        if not unicodedata.normalize("NFKC", line).strip():
            continue
        try:
            found.append((line_no, parse_scanned(line, default_fiscal_year)))
        except ScanError as exc:
            found.append((line_no, exc))
    return found
