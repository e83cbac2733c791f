"""What staff typed into the one search box of the people screen.

:func:`parse_search` decides, without any database, whether the text is a
住民番号 (or the start of one), a birth date in 和暦 or Western form, a kana
name (hiragana, katakana or half-width katakana) or a kanji name, and returns
the normalised value to search for.
"""

import unicodedata
from dataclasses import dataclass

from app.text.kana import is_kana_query, name_key, normalize_kana_query
from app.text.wareki import parse_date_input

__all__ = [
    "MAX_QUERY_LENGTH",
    "RESIDENT_NO_LENGTH",
    "SearchQuery",
    "SearchQueryError",
    "parse_search",
]

MAX_QUERY_LENGTH = 100
RESIDENT_NO_LENGTH = 10

EMPTY = "empty"
RESIDENT_NO = "resident_no"  # the whole 10-digit number
RESIDENT_NO_PREFIX = "resident_no_prefix"  # fewer digits: numbers starting so
BIRTH_DATE = "birth_date"
KANA = "kana"  # prefix of kana_key
NAME = "name"  # part of name_key


class SearchQueryError(ValueError):
    """The text cannot be searched for.

    :param code: ``too_long`` or ``resident_no_length``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search: ``kind`` is one of the module constants, ``value`` the
    normalised string (or :class:`datetime.date` for a birth date)."""

    kind: str
    value: object = None

    @property
    def is_empty(self) -> bool:
        return self.kind == EMPTY


def parse_search(text: str | None) -> SearchQuery:
    """Classify and normalise a search text.

    * 10 digits (any width): a 住民番号; 1 to 9 digits: the start of one —
      except 8 digits that read as a date (``19550401``);
    * a date (``S30.4.1``, ``昭和30年4月1日``, ``1955-04-01`` ...): a birth date;
    * kana only: the start of the kana name, spaces ignored, any kana form;
    * anything else: part of the kanji name, spaces ignored.

    :raises SearchQueryError: text too long, more than 10 digits.
    :raises app.text.wareki.WarekiError: a date that cannot exist (``S64.1.8``).
    """
    text = (text or "").strip()
    if not text:
        return SearchQuery(EMPTY)
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError("too_long", f"more than {MAX_QUERY_LENGTH} characters")
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    if compact.isascii() and compact.isdigit():
        if len(compact) == RESIDENT_NO_LENGTH:
            return SearchQuery(RESIDENT_NO, compact)
        if len(compact) > RESIDENT_NO_LENGTH:
            raise SearchQueryError("resident_no_length", f"{len(compact)} digits")
        day = parse_date_input(compact) if len(compact) == 8 else None
        if day is not None:
            return SearchQuery(BIRTH_DATE, day)
        return SearchQuery(RESIDENT_NO_PREFIX, compact)
    day = parse_date_input(text)
    if day is not None:
        return SearchQuery(BIRTH_DATE, day)
    if is_kana_query(text):
        return SearchQuery(KANA, normalize_kana_query(text))
    return SearchQuery(NAME, name_key(text))
