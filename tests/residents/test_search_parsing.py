"""The one search box: what kind of search each typed text becomes."""

from datetime import date

import pytest

from app.text.search import (
    BIRTH_DATE,
    EMPTY,
    KANA,
    NAME,
    RESIDENT_NO,
    RESIDENT_NO_PREFIX,
    SearchQueryError,
    parse_search,
)
from app.text.wareki import WarekiError


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("1086400007", RESIDENT_NO, "1086400007"),
        (" １０８６４００００７ ", RESIDENT_NO, "1086400007"),
        ("108640", RESIDENT_NO_PREFIX, "108640"),
        ("10864000", RESIDENT_NO_PREFIX, "10864000"),  # 8 digits, not a date
        ("19550401", BIRTH_DATE, date(1955, 4, 1)),
        ("S30.4.1", BIRTH_DATE, date(1955, 4, 1)),
        ("昭和30年4月1日", BIRTH_DATE, date(1955, 4, 1)),
        ("1955-04-01", BIRTH_DATE, date(1955, 4, 1)),
        ("Ｈ元．１．８", BIRTH_DATE, date(1989, 1, 8)),
        ("やまだ", KANA, "ヤマダ"),
        ("ヤマダ タロウ", KANA, "ヤマダタロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", KANA, "ヤマダタロウ"),
        ("やまだ　たろう", KANA, "ヤマダタロウ"),
        ("山田", NAME, "山田"),
        ("山田　太郎", NAME, "山田太郎"),
        ("髙橋", NAME, "髙橋"),
        ("<script>alert(1)</script>", NAME, "<script>alert(1)</script>"),
        ("100%", NAME, "100%"),
        ("", EMPTY, None),
        ("   ", EMPTY, None),
    ],
)
def test_kinds(text, kind, value):
    query = parse_search(text)
    assert (query.kind, query.value) == (kind, value)


def test_kanji_is_never_normalised():
    # 髙 and 﨑 are other people's names than 高 and 崎.
    assert parse_search("山﨑").value == "山﨑"
    assert parse_search("山﨑").value != parse_search("山崎").value


@pytest.mark.parametrize("text", ["S64.1.8", "昭和64年1月8日", "1955-02-30", "H31.5.1", "20261399"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(WarekiError):
        parse_search(text)


def test_more_than_ten_digits_is_refused():
    with pytest.raises(SearchQueryError) as err:
        parse_search("10864000071")
    assert err.value.code == "resident_no_length"


def test_very_long_text_is_refused():
    with pytest.raises(SearchQueryError) as err:
        parse_search("あ" * 101)
    assert err.value.code == "too_long"
