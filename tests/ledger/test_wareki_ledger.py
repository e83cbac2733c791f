"""The 和暦 helpers added for the ledger (app.text.wareki)."""

from datetime import date

import pytest

from app.text.wareki import WarekiError, parse_fiscal_year_name, split_leading_date


@pytest.mark.parametrize(
    ("text", "fiscal_year"),
    [
        ("H26年度", 2014),
        ("平成26年度", 2014),
        ("H30年度", 2018),
        ("h30年度", 2018),
        ("H31年度", 2019),
        ("平成31年度", 2019),
        ("R1年度", 2019),
        ("R01年度", 2019),
        ("令和元年度", 2019),
        ("R元年度", 2019),
        ("R2年度", 2020),
        ("令和2年度", 2020),
        ("Ｒ２年度", 2020),
        ("H 30 年度", 2018),
        ("平成元年度", 1989),
        ("昭和63年度", 1988),
        ("S1年度", 1926),
        ("大正15年度", 1926),
        ("2019年度", 2019),
        ("２０２０年度", 2020),
    ],
)
def test_parse_fiscal_year_name(text, fiscal_year):
    assert parse_fiscal_year_name(text) == fiscal_year


@pytest.mark.parametrize(
    "text", ["集計", "Sheet1", "対象者", "H30", "H30年", "年度", "R1年度分", ""]
)
def test_parse_fiscal_year_name_not_a_name(text):
    assert parse_fiscal_year_name(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("平成40年度", "fiscal_year_out_of_era"),
        ("H32年度", "fiscal_year_out_of_era"),
        ("S64年度", "fiscal_year_out_of_era"),
        ("H0年度", "fiscal_year_out_of_era"),
        ("T16年度", "fiscal_year_out_of_era"),
        ("1867年度", "before_meiji"),
    ],
)
def test_parse_fiscal_year_name_out_of_era(text, code):
    with pytest.raises(WarekiError) as caught:
        parse_fiscal_year_name(text)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H30.4.10 あて所不明", (date(2018, 4, 10), "あて所不明")),
        ("H30.4.10あて所不明", (date(2018, 4, 10), "あて所不明")),
        ("Ｈ３０．４．１０\u3000あて所不明", (date(2018, 4, 10), "あて所不明")),
        ("平成30年4月10日 転居先不明", (date(2018, 4, 10), "転居先不明")),
        ("2018/4/10 受取拒否", (date(2018, 4, 10), "受取拒否")),
        ("H30.4.10", (date(2018, 4, 10), "")),
        ("  H30.4.10  ", (date(2018, 4, 10), "")),
        ("R元.5.1 ＡＢＣ", (date(2019, 5, 1), "ＡＢＣ")),
        ("S300401 x", (date(1955, 4, 1), "x")),
        ("19550401 x", (date(1955, 4, 1), "x")),
        ("1955/04/01 0:00:00", (date(1955, 4, 1), "0:00:00")),
    ],
)
def test_split_leading_date(text, expected):
    assert split_leading_date(text) == expected


@pytest.mark.parametrize("text", ["返戻", "あて所不明 H30.4.10", "S30.4.123", "", "H30.4", "12345"])
def test_split_leading_date_without_a_leading_date(text):
    assert split_leading_date(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("S64.1.8 返戻", "date_out_of_era"), ("H30.2.30 あて所不明", "invalid_date")],
)
def test_split_leading_date_impossible_dates_raise(text, code):
    with pytest.raises(WarekiError) as caught:
        split_leading_date(text)
    assert caught.value.code == code


def test_split_leading_date_keeps_the_rest_as_typed():
    # The rest is not NFKC-normalised: full-width letters and ｶﾅ stay.
    assert split_leading_date("H30.4.10 ｱﾃ所不明（ＡＢ）") == (
        date(2018, 4, 10),
        "ｱﾃ所不明（ＡＢ）",
    )
