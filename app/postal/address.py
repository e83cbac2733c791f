"""The 住所表示番号: the characters of an address the customer barcode carries.

The rules of the manual's 「バーコードに必要な文字情報の抜き出し法」, in order:

basic rules (基本ルール)
  1. lower-case letters are upper-cased;
  2. ``&``, ``/``, ``・`` and ``.`` are removed and the rest closed up;
  3. what is kept: arabic digits, hyphens, and a letter standing alone (not
     part of a run of two or more letters);
  4. whatever stands before a kept character — kanji, kana, kanji numerals,
     blanks, runs of two or more letters — becomes one hyphen;
  5. repeated hyphens become one;
  6. a leading hyphen is dropped.

supplementary rules (補足ルール)
  1. kanji numerals just before 丁目, 丁, 番地, 番, 号, 地割, 線, の or ノ are
     turned into arabic digits and kept;
  2. a single ``F`` right after arabic digits (a floor) is not kept …
  3. … and becomes one hyphen when kept characters follow it;
  4. hyphens just before or after a letter are dropped;
  5. letters that come together by (4) stay as they are.

Before the rules the address is brought to one form, so that the ward's way of
writing (full-width digits and letters, 「－」 and the other dashes) gives what
the half-width form gives: NFKC (full-width → half-width), every dash → ``-``,
and the long-vowel mark ``ー`` between digits → ``-``.

The manual applies the rules to the part of the address after the town name
(住所B); this module is given the whole address.  That is the same for every
address whose prefecture, city and town name hold no digit, no lone letter and
no kanji numeral before one of the words of supplementary rule 1 — every one of
the manual's examples, and every town of this ward (a caller that knows the
town can pass only what follows it).
"""

import re
import unicodedata

__all__ = ["address_number", "kanji_number", "normalise"]

# Every dash an address may be written with (U+FF0D 「－」 is the ward's).
_DASHES = "\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2500\u2501\ufe63\uff0d\uff70"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))
_REMOVED = str.maketrans(dict.fromkeys("&/・.", None))

_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMERAL = "[〇零一二三四五六七八九十百千]+"
# Supplementary rule 1: the words after which kanji numerals become digits
# (longest first, so that 丁目 is tried before 丁 and 番地 before 番).
_COUNTERS = "丁目|丁|番地|番|号|地割|線|の|ノ"
_KANJI_BEFORE_COUNTER = re.compile(f"({_KANJI_NUMERAL})(?={_COUNTERS})")
_LONG_VOWEL_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])ー(?=[0-9])")
# One token of basic rule 3: digits, a hyphen, or a run of letters.
_TOKEN = re.compile(r"[0-9]+|-|[A-Z]+|[^0-9A-Z-]")


def kanji_number(text: str) -> int:
    """The value of a kanji numeral: ``十一`` → 11, ``二十一`` → 21,
    ``百五`` → 105, and the positional ``二〇五`` → 205.

    :raises ValueError: for an empty string or one that is not a numeral.
    """
    if not text or any(c not in _KANJI_DIGITS and c not in _KANJI_UNITS for c in text):
        raise ValueError(f"not a kanji numeral: {text!r}")
    if not any(c in _KANJI_UNITS for c in text):
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    total, digit = 0, None
    for char in text:
        if char in _KANJI_UNITS:
            total += (1 if digit is None else digit) * _KANJI_UNITS[char]
            digit = None
        else:
            digit = _KANJI_DIGITS[char]
    return total + (digit or 0)


def normalise(address: str) -> str:
    """``address`` in the one form the rules read: half-width, ``-`` for every
    dash, upper case (basic rule 1), ``& / ・ .`` removed (basic rule 2), kanji
    numerals before the counter words as digits (supplementary rule 1)."""
    text = unicodedata.normalize("NFKC", address or "")
    # NFKC turns the half-width ･ into ・ and the full-width ＆ into &.
    text = text.translate(_DASH_TABLE).upper().translate(_REMOVED)
    text = _KANJI_BEFORE_COUNTER.sub(lambda m: str(kanji_number(m.group(1))), text)
    return _LONG_VOWEL_BETWEEN_DIGITS.sub("-", text)


def _kept(tokens: list[str]) -> list[str | None]:
    """Basic rule 3 with supplementary rules 2 and 3: each token kept as
    itself, kept as a hyphen (a floor ``F`` followed by more), or ``None``."""
    out: list[str | None] = []
    for i, token in enumerate(tokens):
        if token.isdigit() or token == "-":
            out.append(token)
        elif len(token) == 1 and "A" <= token <= "Z":
            floor = token == "F" and i > 0 and tokens[i - 1].isdigit()
            out.append(None if floor else token)
            if floor and any(_is_kept_char(t) for t in tokens[i + 1 :]):
                out[-1] = "-"
        else:
            out.append(None)
    return out


def _is_kept_char(token: str) -> bool:
    return token.isdigit() or token == "-" or (len(token) == 1 and "A" <= token <= "Z")


def address_number(address: str) -> str:
    """The 住所表示番号 of ``address`` (without the postal code, not cut to
    length): ``"千葉市稲毛区緑町3丁目30-8　郵便ビル403号"`` → ``"3-30-8-403"``.

    ``""`` when the address holds nothing to keep.
    """
    tokens = _TOKEN.findall(normalise(address))
    kept = _kept(tokens)
    # Basic rule 4: what was not kept, before something kept, becomes "-".
    pieces: list[str] = []
    pending = False
    for value in kept:
        if value is None:
            pending = True
            continue
        if pending:
            pieces.append("-")
            pending = False
        pieces.append(value)
    text = re.sub("-+", "-", "".join(pieces))  # basic rule 5
    text = text.lstrip("-")  # basic rule 6
    # Supplementary rules 4 and 5: no hyphen next to a letter.
    return re.sub(r"-+(?=[A-Z])|(?<=[A-Z])-+", "", text)
