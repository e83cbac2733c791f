"""Kana and name helpers for storage, search and printing.

Conventions (relied on by the host import and the search screens):

* Stored kana names are full-width katakana with the surname and the given
  name separated by one ASCII space: ``"ヤマダ タロウ"``.  The host sends
  ``"ﾔﾏﾀﾞ ﾀﾛｳ"``; :func:`halfwidth_to_fullwidth_katakana` converts only the
  kana and leaves the ASCII space alone.
* The search key of a kana name (``kana_key``) is the stored kana run through
  :func:`normalize_kana_query`, which is also applied to what staff type, so
  hiragana, full-width and half-width katakana and any spacing all match.
* Kanji names are never NFKC-normalised: 髙 and 﨑 are different characters
  from 高 and 崎 to the people who bear them.  :func:`name_key` only removes
  spaces.
* 外字 (gaiji) are Unicode private-use characters; they are kept as received
  and only replaced when printing (:func:`gaiji_for_print`).
"""

import re
import unicodedata
from collections.abc import Mapping

import jaconv

__all__ = [
    "GAIJI_PLACEHOLDER",
    "gaiji_for_print",
    "halfwidth_to_fullwidth_katakana",
    "has_gaiji",
    "is_kana_query",
    "name_key",
    "normalize_kana_query",
]

GAIJI_PLACEHOLDER = "〓"

_HALFWIDTH_VOICED = "\uff9e"  # ﾞ
_HALFWIDTH_SEMI_VOICED = "\uff9f"  # ﾟ
# jaconv combines the common voiced pairs (ﾀﾞ) but leaves a mark it has no
# pair for (ﾜﾞ, or a stray ﾞ) half-width; compose what Unicode can and show
# the rest as the full-width spacing marks ゛ ゜ so nothing stays half-width.
_LEFTOVER_MARK = re.compile("(.?)([\uff9e\uff9f])", re.DOTALL)
_COMBINING = {_HALFWIDTH_VOICED: "\u3099", _HALFWIDTH_SEMI_VOICED: "\u309a"}
_SPACING = {_HALFWIDTH_VOICED: "\u309b", _HALFWIDTH_SEMI_VOICED: "\u309c"}

_SPACES = re.compile(r"\s+")
_KANA_QUERY = re.compile(
    # hiragana, combining and spacing voiced marks, katakana, ・ー ヽヾ,
    # half-width katakana with ･ｰﾞﾟ; spaces around them.
    "[\\s]*[\u3041-\u3096\u3099-\u309e\u30a1-\u30fe\uff65-\uff9f]"
    "[\\s\u3041-\u3096\u3099-\u309e\u30a1-\u30fe\uff65-\uff9f]*"
)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _fix_leftover_mark(match: re.Match[str]) -> str:
    base, mark = match.groups()
    composed = unicodedata.normalize("NFC", base + _COMBINING[mark])
    if base and len(composed) == 1:
        return composed
    return base + _SPACING[mark]


def halfwidth_to_fullwidth_katakana(text: str) -> str:
    """Convert half-width katakana to full-width: ``"ﾔﾏﾀﾞ ﾀﾛｳ"`` → ``"ヤマダ タロウ"``.

    Voiced and semi-voiced marks combine with the preceding kana (ﾀﾞ → ダ,
    ﾊﾟ → パ, ｳﾞ → ヴ, ﾜﾞ → ヷ); a mark that cannot combine becomes ゛ or ゜.
    Everything else, ASCII spaces included, is left as it is.
    """
    converted: str = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    if _HALFWIDTH_VOICED in converted or _HALFWIDTH_SEMI_VOICED in converted:
        converted = _LEFTOVER_MARK.sub(_fix_leftover_mark, converted)
    return converted


def normalize_kana_query(text: str) -> str:
    """Reduce kana to its search form: full-width katakana without spaces.

    ``"やまだ たろう"``, ``"ヤマダ　タロウ"`` and ``"ﾔﾏﾀﾞﾀﾛｳ"`` all give
    ``"ヤマダタロウ"``.  Use it both for the stored ``kana_key`` column and for
    the text staff type, so that a prefix search compares like with like.
    """
    without_spaces = _SPACES.sub("", text)
    katakana: str = jaconv.hira2kata(halfwidth_to_fullwidth_katakana(without_spaces))
    return katakana


def is_kana_query(text: str) -> bool:
    """Whether the text is only kana (any width, hiragana or katakana) and spaces.

    Used to route a search box to the kana column; needs at least one kana.
    """
    return _KANA_QUERY.fullmatch(text) is not None


def name_key(name: str) -> str:
    """Search key for a kanji name: the name with every space removed.

    The characters themselves are kept exactly (no NFKC), see the module notes.
    """
    return "".join(name.split())


def has_gaiji(text: str) -> bool:
    """Whether the text holds a private-use (外字) character, U+E000 to U+F8FF."""
    return _PRIVATE_USE.search(text) is not None


def gaiji_for_print(text: str, mapping: Mapping[str, str] | None = None) -> str:
    """Replace private-use characters for printing.

    :param mapping: optional ``{private_use_char: replacement}`` configured by
        the installation; unmapped characters print as 〓 (geta mark).
    """
    mapping = mapping or {}
    return _PRIVATE_USE.sub(lambda m: mapping.get(m.group(), GAIJI_PLACEHOLDER), text)
