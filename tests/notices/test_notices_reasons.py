"""The reason rule alone (pure): 60th birthdays on the edges of the window
between two 基準日, new and reinstated people."""

from datetime import date

import pytest

from app.notices.reasons import reason_for, turned_60

PREVIOUS = date(2026, 4, 1)
AS_OF = date(2026, 4, 16)


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [
        # 60 at the end of the day before the birthday (年齢計算ニ関スル法律)
        (date(1966, 4, 1), False),  # 60 at the end of 31 March: before the window
        (date(1966, 4, 2), False),  # 60 at the end of the previous 基準日 itself
        (date(1966, 4, 3), True),  # 60 the day after the previous 基準日
        (date(1966, 4, 16), True),  # birthday on this 基準日
        (date(1966, 4, 17), True),  # 60 at the end of this 基準日
        (date(1966, 4, 18), False),  # not 60 until after this 基準日
        (date(1950, 6, 1), False),  # long over 60
        (date(1990, 4, 10), False),  # far under 60
    ],
)
def test_turned_60_edges(birth_date, expected):
    assert turned_60(birth_date, PREVIOUS, AS_OF) is expected


def test_29_february_birthday_turns_60_at_the_end_of_28_february():
    # born 1968-02-29: 60 at the end of 2028-02-28 (a leap year: the 28th too)
    assert turned_60(date(1968, 2, 29), date(2028, 2, 16), date(2028, 2, 28))
    assert not turned_60(date(1968, 2, 29), date(2028, 2, 28), date(2028, 3, 1))


@pytest.mark.parametrize(
    ("action", "birth_date", "elderly", "changes", "expected"),
    [
        ("create", date(1966, 4, 10), True, None, "turned_60"),
        ("create", date(1950, 6, 1), True, None, "moved_in"),
        # a new 住民番号 with the disability flag only: the extract cannot tell
        # a new resident from a long-time one newly granted the handbook
        ("create", date(1990, 1, 1), False, None, "other"),
        ("reinstate", date(1950, 6, 1), True,
         {"exclusion_reason": ["moved_out", None], "status": ["excluded", "active"]}, "moved_in"),
        ("reinstate", date(1950, 6, 1), True,
         {"exclusion_reason": ["struck_off", None]}, "moved_in"),
        ("reinstate", date(1990, 1, 1), False,
         {"exclusion_reason": ["lost_eligibility", None], "is_disabled": [False, True]},
         "category_gained"),
        ("reinstate", date(1990, 1, 1), False,
         {"exclusion_reason": ["not_extracted", None], "is_child_allowance": [False, True]},
         "category_gained"),
        ("reinstate", date(1990, 1, 1), False, {"exclusion_reason": ["not_extracted", None]},
         "other"),
        # excluded for having lost eligibility, back because they turned 60
        ("reinstate", date(1966, 4, 5), True,
         {"exclusion_reason": ["lost_eligibility", None], "is_elderly": [False, True]},
         "turned_60"),
    ],
)  # fmt: skip
def test_reason_for(action, birth_date, elderly, changes, expected):
    assert reason_for(action, birth_date, elderly, PREVIOUS, AS_OF, changes) == expected
