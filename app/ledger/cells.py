"""Turning one cell of the ledger into one typed value.

python-calamine gives a cell as ``str`` (``""`` when empty), ``float`` (every
number, so ``123456789.0`` for a 住民番号 that lost its leading zero), ``int``,
``bool``, ``datetime.date`` / ``datetime.datetime`` (a cell formatted as a
date), ``datetime.time`` or ``datetime.timedelta``.  Formulas are never
evaluated: a formula's saved result is its value, and a formula saved without
a result, like an error value (``#N/A``), reads as an empty cell.

Each converter returns the value or raises :class:`CellError`, whose
``reason`` is the Japanese sentence shown in the report.  Codes:

``missing``, ``too_long``, ``resident_no_format``, ``control_no_format``,
``sex_code``, ``postal_code_format``, ``date_format``, ``date_invalid``,
``date_out_of_era``, ``date_range``.

Decisions:

* Over-long text is rejected, never cut: the limits are the application's
  column sizes (氏名 100, 住所 200, 方書 120, 電話番号 20 …) and 2,000 characters
  for free text.
* A number in a date column is an Excel serial date (1900 system, or 1904
  when the workbook says so); serial 60 is Excel's fictitious 1900-02-29 and is
  refused.  A number too large to be a serial but of the form YYYYMMDD
  (``19550401``) is read as that date.  Dates must lie between 1868-01-01 and
  2100-12-31; anything else is a typing error.
* A phone number typed as a number lost its leading 0, which is put back.
"""

import datetime
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Generic, TypeVar

import jaconv

from app.text import kana as _kana
from app.text.wareki import WarekiError, parse_date_input, split_leading_date

__all__ = [
    "Cell",
    "CellError",
    "DateReader",
    "MAX_NOTE_LENGTH",
    "Memo",
    "control_number",
    "display_value",
    "excel_serial_date",
    "is_blank",
    "kana_name",
    "normalized",
    "optional_text",
    "person_name",
    "phone_number",
    "postal_code",
    "required_text",
    "resident_number",
    "sex_code",
    "text_or_empty",
]

Cell = (
    int
    | float
    | str
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | datetime.timedelta
)

MAX_NOTE_LENGTH = 2000
_DISPLAY_LENGTH = 40
# Longer than any 住民番号 or 整理番号 could be even with spaces; checked before
# normalising so that a 40,000-character cell costs nothing.
_MAX_NUMBER_TEXT = 32

# app.text.kana carries no annotations; bind the helper with its real type so
# that this module stays fully typed.
_halfwidth_to_fullwidth: Callable[[str], str] = _kana.halfwidth_to_fullwidth_katakana

_DIGITS = re.compile(r"\d{1,10}", re.ASCII)
_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")
_POSTAL = re.compile(r"〒?(\d{3})-?(\d{4})", re.ASCII)
_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?", re.ASCII)
_SEX = {"男": 1, "男性": 1, "M": 1, "1": 1, "女": 2, "女性": 2, "F": 2, "2": 2}

_EARLIEST = datetime.date(1868, 1, 1)
_LATEST = datetime.date(2100, 12, 31)
_EPOCH_1900 = datetime.date(1899, 12, 31)
_EPOCH_1904 = datetime.date(1904, 1, 1)
_FICTITIOUS_LEAP_DAY = 60
# Serial of 9999-12-31, one more in the 1900 system for its fictitious leap day.
_MAX_SERIAL_1900 = (datetime.date.max - _EPOCH_1900).days + 1
_MAX_SERIAL_1904 = (datetime.date.max - _EPOCH_1904).days
_WAREKI_REASONS = {
    "invalid_date": ("date_invalid", "存在しない日付です"),
    "date_out_of_era": (
        "date_out_of_era",
        "元号の期間外の日付です（例：昭和64年1月8日以降は平成）",
    ),
    "before_meiji": ("date_range", "明治より前の日付です"),
    "era_code": ("date_format", "元号が分かりません"),
}
_DATE_CACHE_LIMIT = 100_000
_MEMO_LIMIT = 10_000
_MEMO_TEXT_LENGTH = 40

T = TypeVar("T")


class CellError(ValueError):
    """A cell that cannot be taken; its row is rejected.

    :param code: stable code (module docstring).
    :param reason: Japanese, user-facing explanation.
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def is_blank(cell: Cell) -> bool:
    """Empty, or text of whitespace only (full-width spaces and line breaks too)."""
    return cell == "" or (type(cell) is str and cell.isspace())


def normalized(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _number_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return repr(value)


def cell_text(cell: Cell) -> str:
    """The cell as text, stripped: ``12.0`` is ``"12"``, a date is ISO."""
    if type(cell) is str:
        return cell.strip()
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, int | float):
        return _number_text(float(cell))
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time():
        return cell.date().isoformat()
    if isinstance(cell, datetime.date | datetime.time):
        return cell.isoformat()
    return str(cell)


def display_value(cell: Cell) -> str:
    """The cell as text for the report, cut to a readable length."""
    text = cell_text(cell)
    if len(text) > _DISPLAY_LENGTH:
        return f"{text[:_DISPLAY_LENGTH]}…（{len(text)}文字）"
    return text


def _checked_length(text: str, limit: int) -> str:
    if len(text) > limit:
        raise CellError("too_long", f"長すぎます（{len(text)}文字、上限{limit}文字）")
    return text


def required_text(cell: Cell, limit: int) -> str:
    """Non-blank text, stripped, at most ``limit`` characters."""
    if is_blank(cell):
        raise CellError("missing", "空欄です")
    return _checked_length(cell_text(cell), limit)


def optional_text(cell: Cell, limit: int = MAX_NOTE_LENGTH) -> str | None:
    """Text, stripped, at most ``limit`` characters; ``None`` when blank."""
    if cell == "" or is_blank(cell):
        return None
    return _checked_length(cell_text(cell), limit)


def text_or_empty(cell: Cell, limit: int = MAX_NOTE_LENGTH) -> str:
    """As :func:`optional_text`, but ``""`` when blank."""
    return optional_text(cell, limit) or ""


def person_name(cell: Cell, limit: int = 100) -> str:
    """A kanji name: one U+3000 between surname and given name, no other change.

    Kanji are not NFKC-normalised (髙 and 﨑 are not 高 and 崎).
    """
    text = required_text(cell, limit)
    return "\u3000".join(text.split())


class _Fault(tuple[str, str]):
    """A remembered fault, told apart from any value a reader returns."""

    def __new__(cls, code: str, reason: str) -> "_Fault":
        return super().__new__(cls, (code, reason))


class Memo(Generic[T]):
    """``read`` with its results (or faults) remembered per text cell.

    For columns where clerks write the same few words thousands of times
    (交付場所, 種別, 性別 …).  Only short text cells are remembered, at most
    :data:`_MEMO_LIMIT` of them.
    """

    __slots__ = ("_read", "_seen")

    def __init__(self, read: Callable[[Cell], T]) -> None:
        self._read = read
        self._seen: dict[str, T | _Fault] = {}

    def __call__(self, cell: Cell) -> T:
        if type(cell) is not str or len(cell) > _MEMO_TEXT_LENGTH:
            return self._read(cell)
        if cell in self._seen:
            found = self._seen[cell]
        else:
            try:
                found = self._read(cell)
            except CellError as error:
                found = _Fault(error.code, error.reason)
            if len(self._seen) < _MEMO_LIMIT:
                self._seen[cell] = found
        if isinstance(found, _Fault):
            raise CellError(*found)
        return found


def kana_name(cell: Cell, limit: int = 100) -> str:
    """Hiragana or katakana of either width as full-width katakana.

    ``"やまだ　たろう"``, ``"ﾔﾏﾀﾞ ﾀﾛｳ"`` and ``"ヤマダ タロウ"`` all give
    ``"ヤマダ タロウ"`` (one ASCII space, the stored convention); ``""`` when
    blank.
    """
    if is_blank(cell):
        return ""
    text = " ".join(_checked_length(cell_text(cell), limit).split())
    if _HALFWIDTH_KANA.search(text):
        text = _halfwidth_to_fullwidth(text)
    return jaconv.hira2kata(text)


def _integral(cell: float, upper: float) -> int | None:
    if math.isfinite(cell) and cell.is_integer() and 0 <= cell < upper:
        return int(cell)
    return None


def _digits(cell: Cell, upper: float) -> str | None:
    """ASCII digits of a number cell or of text with digits of either width."""
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        number = _integral(float(cell), upper)
        return None if number is None else str(number)
    if type(cell) is not str or len(cell) > _MAX_NUMBER_TEXT:
        return None
    text = normalized(cell)
    return text if _DIGITS.fullmatch(text) else None


def resident_number(cell: Cell) -> str:
    """住民番号 as 10 ASCII digits: ``123456789.0`` → ``"0123456789"``."""
    if is_blank(cell):
        raise CellError("missing", "空欄です")
    digits = _digits(cell, 1e10)
    if digits is None:
        raise CellError("resident_no_format", "住民番号は1〜10桁の数字です")
    return digits.zfill(10)


def control_number(cell: Cell) -> int:
    """整理番号: a positive integer, from a number or text of either width."""
    if is_blank(cell):
        raise CellError("missing", "空欄です")
    digits = _digits(cell, 1e10)
    if digits is None or int(digits) < 1:
        raise CellError("control_no_format", "整理番号は正の整数です")
    return int(digits)


def sex_code(cell: Cell) -> int | None:
    """1 for 男 / 1, 2 for 女 / 2; ``None`` when blank."""
    if is_blank(cell):
        return None
    code = _SEX.get(normalized(cell_text(cell)[:_MAX_NUMBER_TEXT]).upper())
    if code is None:
        raise CellError("sex_code", "性別は 男・女 または 1・2 です")
    return code


def postal_code(cell: Cell) -> str | None:
    """7 ASCII digits from ``160-0022``, ``〒160-0022``, ``1600022`` or a number.

    ``None`` when blank.  A number cell of fewer than 7 digits lost leading
    zeros (北海道 00x-xxxx), which are put back.
    """
    if is_blank(cell):
        return None
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        number = _integral(float(cell), 1e7)
        if number is not None:
            return str(number).zfill(7)
    elif type(cell) is str and len(cell) <= _MAX_NUMBER_TEXT:
        match = _POSTAL.fullmatch(normalized(cell))
        if match:
            return match[1] + match[2]
    raise CellError("postal_code_format", "郵便番号は7桁の数字です（160-0022 など）")


def phone_number(cell: Cell, limit: int = 20) -> str:
    """The phone number as typed (full-width digits made ASCII); ``""`` when blank."""
    if is_blank(cell):
        return ""
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        number = _integral(float(cell), 1e12)
        if number is not None:
            # Japanese numbers all start with 0, which a number cell drops.
            return _checked_length("0" + str(number), limit)
    text = cell_text(cell)
    return _checked_length(unicodedata.normalize("NFKC", text[: limit * 2]).strip(), limit)


def excel_serial_date(serial: float, *, date1904: bool = False) -> datetime.date:
    """The date of an Excel serial number (the fraction, a time of day, is dropped).

    In the 1900 system serial 1 is 1900-01-01 and serial 61 is 1900-03-01;
    Excel counts a 29 February 1900 that never was (serial 60), refused here.

    :raises CellError: ``date_invalid`` for serial 60, ``date_range`` for a
        serial before the first day or beyond 9999-12-31.
    """
    lowest, highest = (0, _MAX_SERIAL_1904) if date1904 else (1, _MAX_SERIAL_1900)
    if not math.isfinite(serial) or serial < lowest or serial >= highest + 1:
        raise CellError("date_range", "日付として扱えない数値です")
    days = int(serial)
    if date1904:
        return _EPOCH_1904 + datetime.timedelta(days=days)
    if days == _FICTITIOUS_LEAP_DAY:
        raise CellError("date_invalid", "存在しない日付です（Excel の 1900年2月29日）")
    if days > _FICTITIOUS_LEAP_DAY:
        days -= 1
    return _EPOCH_1900 + datetime.timedelta(days=days)


def _checked_range(day: datetime.date) -> datetime.date:
    if not _EARLIEST <= day <= _LATEST:
        raise CellError("date_range", "日付が範囲外です（1868年〜2100年）")
    return day


def _wareki_error(error: WarekiError) -> CellError:
    code, reason = _WAREKI_REASONS.get(error.code, ("date_invalid", "存在しない日付です"))
    return CellError(code, reason)


def _parse_date_text(text: str) -> datetime.date:
    if len(text) > _DISPLAY_LENGTH:
        raise CellError("date_format", "日付として読めません")
    try:
        day = parse_date_input(text)
        if day is None:
            # A date pasted from another program may carry a time of day.
            split = split_leading_date(text)
            if split is not None and _TIME_OF_DAY.fullmatch(split[1]):
                day = split[0]
    except WarekiError as error:
        raise _wareki_error(error) from None
    if day is None:
        raise CellError(
            "date_format", "日付として読めません（S30.4.1、昭和30年4月1日、1955/4/1 など）"
        )
    return _checked_range(day)


class DateReader:
    """Reads the date cells of one workbook.

    :param date1904: the workbook counts serial dates from 1904 (a Mac
        setting); calamine already applies it to cells formatted as dates.
    """

    def __init__(self, *, date1904: bool = False) -> None:
        self.date1904 = date1904
        # Ledgers repeat the same few thousand days; text dates are parsed once.
        self._cache: dict[str, datetime.date | tuple[str, str]] = {}

    def date(self, cell: Cell) -> datetime.date | None:
        """The date of a cell, ``None`` when blank.

        :raises CellError: ``date_format``, ``date_invalid``,
            ``date_out_of_era`` or ``date_range``.
        """
        if type(cell) is datetime.date:
            return _checked_range(cell)
        if isinstance(cell, datetime.datetime):
            return _checked_range(cell.date())
        if type(cell) is str:
            return None if is_blank(cell) else self._text_date(cell.strip())
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            return self._number_date(float(cell))
        raise CellError("date_format", "日付ではありません")

    def date_with_note(self, cell: Cell) -> tuple[datetime.date | None, str | None]:
        """A date optionally followed by a note (``"H30.4.10 あて所不明"``).

        :returns: ``(date, note)``; ``(None, text)`` for text without a date
            (「返戻」); ``(None, None)`` when blank.
        """
        if type(cell) is not str:
            return self.date(cell), None
        text = _checked_length(cell.strip(), MAX_NOTE_LENGTH)
        if not text:
            return None, None
        try:
            return self._text_date(text), None
        except CellError as error:
            if error.code != "date_format":
                raise
        try:
            split = split_leading_date(text)
        except WarekiError as error:
            raise _wareki_error(error) from None
        if split is None:
            return None, text
        return _checked_range(split[0]), split[1] or None

    def _text_date(self, text: str) -> datetime.date:
        cached = self._cache.get(text)
        if cached is None:
            try:
                cached = _parse_date_text(text)
            except CellError as error:
                # The code and reason, not the exception: re-raising one
                # instance would keep growing its traceback.
                cached = (error.code, error.reason)
            if len(self._cache) >= _DATE_CACHE_LIMIT:
                self._cache.clear()
            self._cache[text] = cached
        if isinstance(cached, tuple):
            raise CellError(*cached)
        return cached

    def _number_date(self, value: float) -> datetime.date:
        if value >= 1e7 and value.is_integer():
            # Eight digits cannot be a serial before 2100: a date typed as YYYYMMDD.
            return self._text_date(str(int(value)))
        return _checked_range(excel_serial_date(value, date1904=self.date1904))
