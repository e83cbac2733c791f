"""Japanese eras (和暦), fiscal years and legal age.

Everything here works on :class:`datetime.date`.  Errors are raised as
:class:`WarekiError` carrying a stable ``code`` (translated by the application
layer) and an English ``message``.

Error codes:

``era_code``
    unknown era code, letter or name.
``invalid_date``
    no such calendar date (February 30, month 13, era year 0 ...).
``date_out_of_era``
    a real date that does not belong to the era given (昭和64年1月8日).
``before_meiji``
    a date or fiscal year before 1868-01-01, which no era here covers.
``era_coded_format``
    the host file's 7-character era-coded date is not 7 ASCII digits.
``fiscal_year_out_of_era``
    a fiscal year named in an era it does not overlap (``平成40年度``,
    ``昭和64年度``).
"""

import bisect
import datetime
import itertools
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "ERAS",
    "Era",
    "WarekiError",
    "age_on",
    "era_by_code",
    "era_date",
    "fiscal_year_end",
    "fiscal_year_of",
    "fiscal_year_start",
    "format_fiscal_year",
    "format_wareki",
    "parse_date_input",
    "parse_era_coded",
    "parse_fiscal_year_name",
    "split_leading_date",
    "to_wareki",
]


class WarekiError(ValueError):
    """A date that looks like a date but cannot exist (or not in that era).

    :param code: stable error code, see the module docstring.
    :param message: English explanation for logs and developers.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"WarekiError({self.code!r}, {self.message!r})"


@dataclass(frozen=True)
class Era:
    """One Japanese era.

    :param name: the era name as written (``"昭和"``).
    :param letter: the one-letter abbreviation (``"S"``).
    :param code: the host file's era code (``3``).
    :param first_day: first day of the era.
    :param last_day: last day of the era, ``None`` for the current one.
    """

    name: str
    letter: str
    code: int
    first_day: datetime.date
    last_day: datetime.date | None = None

    @property
    def short_name(self) -> str:
        """One-kanji form used on forms and by staff (``"昭"``)."""
        return self.name[0]

    def contains(self, day: datetime.date) -> bool:
        """Whether ``day`` falls inside this era."""
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


_d = datetime.date
ERAS = (
    Era("明治", "M", 1, _d(1868, 1, 1), _d(1912, 7, 29)),
    Era("大正", "T", 2, _d(1912, 7, 30), _d(1926, 12, 24)),
    Era("昭和", "S", 3, _d(1926, 12, 25), _d(1989, 1, 7)),
    Era("平成", "H", 4, _d(1989, 1, 8), _d(2019, 4, 30)),
    Era("令和", "R", 5, _d(2019, 5, 1)),
)
del _d

_ERA_BY_CODE = {era.code: era for era in ERAS}
# Every spelling staff type for an era, already NFKC-normalised and upper-cased.
_ERA_BY_SPELLING: dict[str, Era] = {}
for _era in ERAS:
    _ERA_BY_SPELLING[_era.letter] = _era
    _ERA_BY_SPELLING[_era.name] = _era
    _ERA_BY_SPELLING[_era.short_name] = _era
del _era


def era_by_code(code: int | str) -> Era:
    """Return the :class:`Era` for a host era code (1 明治 … 5 令和).

    :raises WarekiError: ``era_code`` when the code is unknown.
    """
    try:
        return _ERA_BY_CODE[int(code)]
    except (KeyError, TypeError, ValueError):
        raise WarekiError("era_code", f"unknown era code {code!r}") from None


def era_date(era_code: int | str, year: int, month: int, day: int) -> datetime.date:
    """Build a date from an era code and the era year, month and day.

    >>> era_date(3, 30, 4, 1)
    datetime.date(1955, 4, 1)

    :param era_code: 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和.
    :param year: year of the era, 1 being 元年.
    :raises WarekiError: ``era_code``, ``invalid_date`` or ``date_out_of_era``.
    """
    era = era_by_code(era_code)
    if year < 1:
        raise WarekiError("invalid_date", f"era year must be 1 or more, got {year}")
    try:
        result = datetime.date(era.first_day.year + year - 1, month, day)
    except ValueError:
        raise WarekiError(
            "invalid_date", f"no such date: {era.letter}{year}.{month}.{day}"
        ) from None
    if not era.contains(result):
        raise WarekiError(
            "date_out_of_era",
            f"{era.letter}{year}.{month}.{day} ({result.isoformat()}) is outside the era "
            f"{era.letter} ({era.first_day.isoformat()} to "
            f"{era.last_day.isoformat() if era.last_day else 'now'})",
        )
    return result


def to_wareki(day: datetime.date) -> tuple[Era, int]:
    """Return ``(era, year_of_era)`` for a date.

    :raises WarekiError: ``before_meiji`` for dates before 1868-01-01.
    """
    for era in reversed(ERAS):
        if day >= era.first_day:
            return era, day.year - era.first_day.year + 1
    raise WarekiError("before_meiji", f"{day.isoformat()} is before the Meiji era")


def _year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def format_wareki(day: datetime.date, style: str = "long") -> str:
    """Format a date in the Japanese calendar.

    ``long``: ``"昭和30年4月1日"``, ``"令和元年5月1日"``;
    ``short``: ``"S30.04.01"``, ``"R01.05.01"``.

    :raises ValueError: for an unknown style.
    """
    era, year = to_wareki(day)
    if style == "long":
        return f"{era.name}{_year_text(year)}年{day.month}月{day.day}日"
    if style == "short":
        return f"{era.letter}{year:02d}.{day.month:02d}.{day.day:02d}"
    raise ValueError(f"unknown style {style!r}; use 'long' or 'short'")


def fiscal_year_of(day: datetime.date) -> int:
    """Fiscal year (April to March) a date belongs to: 2027-03-31 → 2026."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(fiscal_year: int) -> datetime.date:
    """First day of a fiscal year (1 April)."""
    return datetime.date(fiscal_year, 4, 1)


def fiscal_year_end(fiscal_year: int) -> datetime.date:
    """Last day of a fiscal year (31 March of the next calendar year)."""
    return datetime.date(fiscal_year + 1, 3, 31)


def format_fiscal_year(fiscal_year: int) -> str:
    """Name a fiscal year in the Japanese calendar: 2026 → ``"令和8年度"``.

    When the era changed during a fiscal year, the era in force at the middle
    of it (1 October) names it.  This gives the names in public use: fiscal
    2019 is ``"令和元年度"`` (Reiwa began on 1 May), fiscal 2018 is
    ``"平成30年度"``, fiscal 1988 is ``"昭和63年度"`` and fiscal 1926 is
    ``"大正15年度"`` (Showa began on 25 December).

    :raises WarekiError: ``before_meiji`` before fiscal 1868.
    """
    era, year = to_wareki(datetime.date(fiscal_year, 10, 1))
    return f"{era.name}{_year_text(year)}年度"


def parse_era_coded(text7: str) -> datetime.date:
    """Parse the host file's era-coded date: ``"3300401"`` → 1955-04-01.

    The form is era code (1 digit), era year, month and day (2 digits each);
    元年 is ``01``.

    :raises WarekiError: ``era_coded_format`` when not 7 ASCII digits, else as
        :func:`era_date`.
    """
    if len(text7) != 7 or not (text7.isascii() and text7.isdigit()):
        raise WarekiError("era_coded_format", f"expected 7 digits, got {text7!r}")
    return era_date(int(text7[0]), int(text7[1:3]), int(text7[3:5]), int(text7[5:7]))


_ERA_SPELLINGS = "|".join(sorted((re.escape(s) for s in _ERA_BY_SPELLING), key=len, reverse=True))
# Staff type dates in many ways; these patterns run on NFKC-normalised,
# upper-cased text so full-width digits, letters and 「．／－」 need no cases.
_ERA_INPUT = re.compile(
    rf"(?P<era>{_ERA_SPELLINGS})\s*(?P<year>\d{{1,2}}|元)\s*(?:年|[./-])\s*"
    r"(?P<month>\d{1,2})\s*(?:月|[./-])\s*(?P<day>\d{1,2})\s*日?",
    re.ASCII,
)
_ERA_COMPACT_INPUT = re.compile(
    rf"(?P<era>{_ERA_SPELLINGS})(?P<year>\d{{2}})(?P<month>\d{{2}})(?P<day>\d{{2}})",
    re.ASCII,
)
_GREGORIAN_INPUT = re.compile(
    r"(?P<year>\d{4})\s*(?:年|[./-])\s*(?P<month>\d{1,2})\s*(?:月|[./-])\s*"
    r"(?P<day>\d{1,2})\s*日?",
    re.ASCII,
)
# Eight bare digits are only taken for a date when they start like a year
# people live in; "12345678" is more likely part of a number being searched.
_GREGORIAN_COMPACT_INPUT = re.compile(
    r"(?P<year>(?:18|19|20|21)\d{2})(?P<month>\d{2})(?P<day>\d{2})", re.ASCII
)


def _gregorian(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise WarekiError("invalid_date", f"no such date: {text!r}") from None


def parse_date_input(text: str | None) -> datetime.date | None:
    """Read a date typed by staff in a search or entry field.

    Accepts era forms (``S30.4.1``, ``s30/4/1``, ``昭和30年4月1日``, ``昭30.4.1``,
    ``H1.1.8``, ``平成元年1月8日``, ``S300401``) and Gregorian forms
    (``1955-04-01``, ``1955/4/1``, ``1955年4月1日``, ``19550401``), in full-width
    or half-width characters.

    :returns: the date, or ``None`` when the text is not a date at all (so a
        search box can fall back to a name search).
    :raises WarekiError: when the text has the shape of a date but the date
        cannot exist or lies outside its era (``S64.1.8``, ``1955-02-30``).
    """
    if text is None:
        return None
    query = unicodedata.normalize("NFKC", text).strip().upper()
    if not query:
        return None
    match = _ERA_INPUT.fullmatch(query) or _ERA_COMPACT_INPUT.fullmatch(query)
    if match:
        era = _ERA_BY_SPELLING[match["era"]]
        year = 1 if match["year"] == "元" else int(match["year"])
        return era_date(era.code, year, int(match["month"]), int(match["day"]))
    match = _GREGORIAN_INPUT.fullmatch(query) or _GREGORIAN_COMPACT_INPUT.fullmatch(query)
    if match:
        return _gregorian(int(match["year"]), int(match["month"]), int(match["day"]), text)
    return None


# The same shapes as parse_date_input, anchored at the start only: the date
# must not run on into more digits ("S30.4.123" is not S30.4.12 and a note).
_LEADING_PATTERNS = tuple(
    re.compile(pattern.pattern + r"(?!\d)", re.ASCII)
    for pattern in (_ERA_INPUT, _ERA_COMPACT_INPUT, _GREGORIAN_INPUT, _GREGORIAN_COMPACT_INPUT)
)
_FISCAL_YEAR_NAME = re.compile(
    rf"(?:(?P<era>{_ERA_SPELLINGS})\s*(?P<year>\d{{1,2}}|元)|(?P<western>\d{{4}}))\s*年度",
    re.ASCII,
)


def _date_from_match(match: re.Match[str], text: str) -> datetime.date:
    year, month, day = match["year"], int(match["month"]), int(match["day"])
    era_text = match.groupdict().get("era")
    if era_text:
        era = _ERA_BY_SPELLING[era_text]
        return era_date(era.code, 1 if year == "元" else int(year), month, day)
    return _gregorian(int(year), month, day, text)


def split_leading_date(text: str) -> tuple[datetime.date, str] | None:
    """Split a text that starts with a date from what follows it.

    ``"H30.4.10 あて所不明"`` gives ``(datetime.date(2018, 4, 10), "あて所不明")``;
    ``"H30.4.10"`` gives the date and ``""``.  The date may take any form
    :func:`parse_date_input` accepts; what follows is returned exactly as
    written (not normalised), stripped of surrounding whitespace.

    :returns: ``(date, rest)``, or ``None`` when the text does not start with a
        date.
    :raises WarekiError: when it starts with the shape of a date that cannot
        exist or lies outside its era, as :func:`parse_date_input`.
    """
    # Normalise character by character so that a position in the normalised
    # text can be traced back to the original, whose rest is returned as typed.
    pieces = [unicodedata.normalize("NFKC", char).upper() for char in text]
    query = "".join(pieces)
    start = len(query) - len(query.lstrip())
    for pattern in _LEADING_PATTERNS:
        match = pattern.match(query, start)
        if match:
            break
    else:
        return None
    day = _date_from_match(match, text)
    ends = list(itertools.accumulate(len(piece) for piece in pieces))
    consumed = bisect.bisect_left(ends, match.end()) + 1
    return day, text[consumed:].strip()


def parse_fiscal_year_name(text: str) -> int | None:
    """The fiscal year a name denotes, as the year it starts in.

    ``"H30年度"`` and ``"平成30年度"`` give 2018; ``"R1年度"``, ``"R01年度"``,
    ``"令和元年度"`` and ``"H31年度"`` give 2019; ``"2019年度"`` gives 2019.
    Full-width characters and spaces are accepted.

    A fiscal year (1 April to 31 March) may be named in any era it overlaps,
    which is why both 平成31年度 and 令和元年度 are fiscal 2019.

    :returns: the fiscal year, or ``None`` when the text is not such a name.
    :raises WarekiError: ``fiscal_year_out_of_era`` when the era does not
        overlap that fiscal year (``"平成40年度"``, ``"昭和64年度"``, ``"H0年度"``),
        ``before_meiji`` for a Western year before 1868.
    """
    query = unicodedata.normalize("NFKC", text).strip().upper()
    match = _FISCAL_YEAR_NAME.fullmatch(query)
    if not match:
        return None
    if match["western"]:
        fiscal_year = int(match["western"])
        if fiscal_year < ERAS[0].first_day.year:
            raise WarekiError("before_meiji", f"fiscal year {fiscal_year} is before the Meiji era")
        return fiscal_year
    era = _ERA_BY_SPELLING[match["era"]]
    era_year = 1 if match["year"] == "元" else int(match["year"])
    fiscal_year = era.first_day.year + era_year - 1
    outside = (
        era_year < 1
        or fiscal_year_end(fiscal_year) < era.first_day
        or (era.last_day is not None and fiscal_year_start(fiscal_year) > era.last_day)
    )
    if outside:
        raise WarekiError(
            "fiscal_year_out_of_era",
            f"{text!r}: fiscal year {fiscal_year} does not overlap the era {era.letter}",
        )
    return fiscal_year


def age_on(birth_date: datetime.date, on_date: datetime.date) -> int:
    """Age in whole years at the end of ``on_date``, by Japanese law.

    Under 年齢計算ニ関スル法律 and 民法 143, a person attains each age at the end
    of the day before the birthday: someone born 1966-04-01 is 60 at the end of
    2026-03-31.  A person born on 29 February attains an age in a common year at
    the end of 28 February (the period ends on the last day of that month).

    This is the ordinary birthday age of the following day, which is how it is
    computed; the tuple comparison makes 29 February births work unaided.

    :raises ValueError: when ``on_date`` is before ``birth_date``.
    """
    if on_date < birth_date:
        raise ValueError(f"on_date {on_date} is before birth_date {birth_date}")
    next_day = on_date + datetime.timedelta(days=1)
    before_birthday = (next_day.month, next_day.day) < (birth_date.month, birth_date.day)
    return next_day.year - birth_date.year - before_birthday
