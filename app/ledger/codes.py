"""The clerks' words for offices, methods, kinds and reasons, as application codes.

The codes are the application's (its 事業対象者 and 交付記録 models; office
codes from ``app/data/offices.json``).  Every spelling is compared after NFKC
and with all whitespace removed, so 「再交付（紛失）」 and 「再交付 (紛失)」 are the
same word.
"""

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.ledger.cells import CellError, normalized

__all__ = [
    "CATEGORIES",
    "DEFAULT_OFFICES_PATH",
    "Office",
    "OfficeResolver",
    "default_offices",
    "load_offices",
    "parse_categories",
    "parse_exclusion_reason",
    "parse_kind",
    "parse_mail_reason",
    "parse_method",
]

CATEGORIES = ("elderly", "disabled", "child_allowance")
DEFAULT_OFFICES_PATH = Path(__file__).resolve().parent.parent / "data" / "offices.json"

# Read by prefix so that 高齢者, 障がい, 障害者 and 児童扶養 also count.
_CATEGORY_PREFIXES = (("高齢", "elderly"), ("障", "disabled"), ("児童", "child_allowance"))
_CATEGORY_SEPARATORS = re.compile(r"[・/、,\s]+")
_METHODS = {
    "窓口": "counter",
    "窓": "counter",
    "来庁": "counter",
    "郵送": "mail",
    "郵": "mail",
    "郵便": "mail",
}
_NEW = ("新規", "新")
_RENEWAL = ("更新", "更")
_REISSUE_PREFIXES = ("再交付", "再発行", "再")
_REISSUE_PUNCTUATION = re.compile(r"[()\[\]【】・:\-]")
# Longest first: 職権消除 must not be read as something shorter.
_EXCLUSION_REASONS = (
    ("抽出対象外", "not_extracted"),
    ("職権消除", "struck_off"),
    ("資格喪失", "lost_eligibility"),
    ("その他", "other"),
    ("転出", "moved_out"),
    ("死亡", "deceased"),
)
_NOTE_SEPARATORS = " \u3000:：、,・-"
_MAIL_REASONS = {"施設入所": "facility", "家族方": "family", "その他": "other"}
_HQ_ALIASES = ("地域包括ケア推進課", "地域包括ケア", "地域包括", "包括", "本庁", "本課", "推進課")
_BRANCH_SUFFIX = "特別出張所"
_BRANCH_FORMS = ("", "特別出張所", "特別出張", "出張所", "特出")
_ORDINAL = re.compile(r"(?P<place>.+)第(?P<ordinal>[一二三四五六七八九])")
_KANJI_DIGITS = {k: str(i) for i, k in enumerate("一二三四五六七八九", start=1)}
# 簞 is the JIS 2004 form of 箪; both are typed.
_VARIANTS = str.maketrans({"簞": "箪"})


@dataclass(frozen=True, slots=True)
class Office:
    """One office: the code the application stores and its official name."""

    code: str
    name: str
    is_headquarters: bool = False


def load_offices(path: Path = DEFAULT_OFFICES_PATH) -> tuple[Office, ...]:
    """The offices of a JSON list such as ``app/data/offices.json``."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Office(str(e["code"]), str(e["name"]), bool(e.get("is_headquarters", False)))
        for e in entries
    )


@functools.cache
def default_offices() -> tuple[Office, ...]:
    """The offices of ``app/data/offices.json``, read once."""
    return load_offices()


def _key(text: str) -> str:
    return normalized(text).translate(_VARIANTS).upper()


def _branch_aliases(name: str) -> set[str]:
    base = normalized(name).removesuffix(_BRANCH_SUFFIX)
    bases = {base}
    if base.endswith("町") and len(base) > 2:
        bases.add(base[:-1])
    ordinal = _ORDINAL.fullmatch(base)
    if ordinal:
        place, kanji = ordinal["place"], ordinal["ordinal"]
        digit = _KANJI_DIGITS[kanji]
        # 落合第一 is 落一 to the clerks, and 落合1 / 落合第1 when typed in digits.
        bases |= {place[0] + kanji, place + digit, f"{place}第{digit}"}
    return {b + form for b in bases for form in _BRANCH_FORMS}


class OfficeResolver:
    """Maps the clerks' spellings of 交付場所 to office codes.

    The main office is 「地域包括ケア推進課」「地域包括」「本庁」「本課」 (and
    「地域包括ケア」「包括」「推進課」); a branch is its name with or without
    「特別出張所」/「出張所」/「特出」, with or without a final 町 (「箪笥」), and
    第一/第二 also as 「落一」「落合1」.  The codes themselves are accepted too.
    """

    def __init__(self, offices: Iterable[Office]) -> None:
        claims: dict[str, set[str]] = {}
        exact: dict[str, str] = {}
        for office in offices:
            exact[_key(office.name)] = exact[_key(office.code)] = office.code
            aliases = _HQ_ALIASES if office.is_headquarters else _branch_aliases(office.name)
            for alias in aliases:
                claims.setdefault(_key(alias), set()).add(office.code)
        # A short form two offices could claim names neither; an office's own
        # name or code always names it.
        self._codes = {key: codes.pop() for key, codes in claims.items() if len(codes) == 1}
        self._codes.update(exact)

    def resolve(self, text: str) -> str:
        """The office code for a 交付場所.

        :raises CellError: ``missing`` when blank, ``office_unknown`` otherwise.
        """
        key = _key(text)
        if not key:
            raise CellError("missing", "空欄です")
        code = self._codes.get(key)
        if code is None:
            raise CellError("office_unknown", "交付場所が分かりません（本課・出張所の名前）")
        return code


def parse_method(text: str) -> str:
    """``counter`` for 窓口 / 窓 and blank, ``mail`` for 郵送 / 郵.

    :raises CellError: ``method_unknown``.
    """
    key = normalized(text)
    if not key:
        return "counter"
    method = _METHODS.get(key)
    if method is None:
        raise CellError("method_unknown", "交付方法は 窓口 または 郵送 です")
    return method


def _reissue_reason(rest: str) -> str | None:
    rest = _REISSUE_PUNCTUATION.sub("", rest)
    if not rest:
        return None
    if "紛" in rest:
        return "lost"
    if "汚" in rest or "破" in rest or "損" in rest:
        return "damaged"
    raise CellError("kind_unknown", "再交付の理由は 紛失 または 汚損 です")


def parse_kind(text: str) -> tuple[str, str | None] | None:
    """``(kind, reissue_reason)`` of a 種別, ``None`` when blank.

    「新規」→ ``("new", None)``, 「更新」→ ``("renewal", None)``,
    「再交付（紛失）」「再(紛)」→ ``("reissue", "lost")``, 「再交付(汚損)」→
    ``("reissue", "damaged")``, 「再交付」 alone → ``("reissue", None)``.

    :raises CellError: ``kind_unknown``.
    """
    key = normalized(text)
    if not key:
        return None
    if key in _NEW:
        return "new", None
    if key in _RENEWAL:
        return "renewal", None
    for prefix in _REISSUE_PREFIXES:
        if key.startswith(prefix):
            return "reissue", _reissue_reason(key.removeprefix(prefix))
    raise CellError("kind_unknown", "種別は 新規・更新・再交付（紛失）・再交付（汚損）です")


def parse_categories(text: str) -> frozenset[str]:
    """区分 as category codes: 「高齢・障害」→ ``{"elderly", "disabled"}``.

    Parts may be joined by 「・」「/」「、」「,」 or spaces.

    :raises CellError: ``category_unknown`` for a part that is none of
        高齢・障害・児童.
    """
    codes = set()
    for part in _CATEGORY_SEPARATORS.split(normalized_keep_spaces(text)):
        if not part:
            continue
        code = next((c for prefix, c in _CATEGORY_PREFIXES if part.startswith(prefix)), None)
        if code is None:
            raise CellError("category_unknown", "区分は 高齢・障害・児童 の組み合わせです")
        codes.add(code)
    return frozenset(codes)


def normalized_keep_spaces(text: str) -> str:
    """NFKC with the whitespace kept (it separates parts)."""
    return " ".join(normalized(part) for part in text.split())


def _leading_code(text: str, table: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    for label, code in table:
        if text.startswith(label):
            return code, text[len(label) :].strip(_NOTE_SEPARATORS)
    return None


def parse_exclusion_reason(text: str) -> tuple[str | None, str | None]:
    """``(reason_code, note)`` of a 除外事由; ``(None, None)`` when blank.

    「死亡」→ ``("deceased", None)``; 「転出 大阪市へ」→ ``("moved_out", "大阪市へ")``;
    a text naming a reason elsewhere (「区外転出」) takes that code and is kept
    whole as the note; any other text is ``"other"`` with the text as the note.
    """
    text = text.strip()
    if not text:
        return None, None
    found = _leading_code(text, _EXCLUSION_REASONS)
    if found:
        return found[0], found[1] or None
    for label, code in _EXCLUSION_REASONS:
        if label in text:
            return code, text
    return "other", text


def parse_mail_reason(text: str) -> tuple[str | None, str | None]:
    """``(reason_code, note)`` of a 送付先事由; ``(None, None)`` when blank.

    施設入所 / 家族方 / その他 give ``facility`` / ``family`` / ``other``;
    other texts mentioning 施設 or 入所 are ``facility``, 家族 or 親族
    ``family``, anything else ``other``; those texts are kept as the note.
    """
    text = text.strip()
    if not text:
        return None, None
    exact = _MAIL_REASONS.get(normalized(text))
    if exact:
        return exact, None
    if "施設" in text or "入所" in text:
        return "facility", text
    if "家族" in text or "親族" in text:
        return "family", text
    return "other", text
