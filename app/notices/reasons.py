"""Why a person became 事業対象者: the rule alone (pure: no Flask, no database).

What a host extract tells (host-extract.md): each file is a full snapshot of
the people eligible on its 基準日 — 住民番号, birth date, the three category
flags, resident status — but no date of moving in and no date a category was
granted.  So the reason is told from what changed between two extracts:

* ``turned_60`` — flagged 高齢 and 60 by the end of this extract's 基準日 but
  not by the end of the previous one's (age by Japanese law,
  :func:`app.text.wareki.age_on`: someone born 1966-04-02 is 60 at the end of
  2026-04-01);
* ``moved_in`` — new to the roster and already 60 or over at the previous
  基準日 (a person of that age living in the ward would have been in the
  previous extract), or reinstated after having moved out (転出) or been
  struck off (職権消除);
* ``category_gained`` — reinstated after losing eligibility (資格喪失), or
  reinstated with a category flag that was not set before;
* ``other`` — everything the extract cannot tell: a new 住民番号 with only
  the disability or child-allowance flag (moved in, or a long-time resident
  newly granted the category: the file does not say which), a person back
  after being absent from an extract (抽出対象外) with the same categories.
"""

from collections.abc import Mapping, Sequence
from datetime import date

from app.text.wareki import age_on

TURNED_60 = "turned_60"
MOVED_IN = "moved_in"
CATEGORY_GAINED = "category_gained"
OTHER = "other"

CREATED = "create"
REINSTATED = "reinstate"

AGE = 60
_MOVED_AWAY = ("moved_out", "struck_off")
_FLAGS = ("is_elderly", "is_disabled", "is_child_allowance")


def turned_60(birth_date: date, previous_as_of: date, as_of: date) -> bool:
    """60 by the end of ``as_of`` and not by the end of ``previous_as_of``."""
    if as_of < birth_date:
        return False
    before = age_on(birth_date, previous_as_of) if previous_as_of >= birth_date else 0
    return before < AGE <= age_on(birth_date, as_of)


def flags_gained(changes: Mapping[str, Sequence[object]]) -> bool:
    """A category flag went from off to on in a history row's ``changes``."""
    for name in _FLAGS:
        pair = changes.get(name)
        if pair and len(pair) == 2 and not pair[0] and pair[1]:
            return True
    return False


def before_reason(changes: Mapping[str, Sequence[object]]) -> str | None:
    """The exclusion reason a reinstated person had (from the history's changes)."""
    pair = changes.get("exclusion_reason")
    if pair and len(pair) == 2 and isinstance(pair[0], str):
        return pair[0]
    return None


def reason_for(
    action: str,
    birth_date: date,
    is_elderly: bool,
    previous_as_of: date,
    as_of: date,
    changes: Mapping[str, Sequence[object]] | None = None,
) -> str:
    """The reason a person became 事業対象者 with the extract of ``as_of``.

    :param action: the history's action, ``"create"`` (a new 住民番号) or
        ``"reinstate"``.
    :param changes: the reinstatement's ``{field: [before, after]}``.
    """
    changes = changes or {}
    if is_elderly and turned_60(birth_date, previous_as_of, as_of):
        return TURNED_60
    if action == CREATED:
        return MOVED_IN if is_elderly else OTHER
    excluded_for = before_reason(changes)
    if excluded_for in _MOVED_AWAY:
        return MOVED_IN
    if excluded_for == "lost_eligibility" or flags_gained(changes):
        return CATEGORY_GAINED
    return OTHER
