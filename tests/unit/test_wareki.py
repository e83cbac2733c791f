"""Japanese eras, fiscal years and legal age (app.text.wareki)."""

from datetime import date

import pytest

from app.text.wareki import (
    ERAS,
    WarekiError,
    age_on,
    era_by_code,
    era_date,
    fiscal_year_end,
    fiscal_year_of,
    fiscal_year_start,
    format_fiscal_year,
    format_wareki,
    parse_date_input,
    parse_era_coded,
    to_wareki,
)


def test_era_table_matches_the_specification():
    table = [(e.name, e.letter, e.code, e.first_day, e.last_day) for e in ERAS]
    assert table == [
        ("明治", "M", 1, date(1868, 1, 1), date(1912, 7, 29)),
        ("大正", "T", 2, date(1912, 7, 30), date(1926, 12, 24)),
        ("昭和", "S", 3, date(1926, 12, 25), date(1989, 1, 7)),
        ("平成", "H", 4, date(1989, 1, 8), date(2019, 4, 30)),
        ("令和", "R", 5, date(2019, 5, 1), None),
    ]


def test_eras_are_contiguous():
    for earlier, later in zip(ERAS, ERAS[1:], strict=False):
        assert (later.first_day - earlier.last_day).days == 1


@pytest.mark.parametrize(
    ("era", "year", "month", "day", "expected"),
    [
        (3, 30, 4, 1, date(1955, 4, 1)),
        (3, 64, 1, 7, date(1989, 1, 7)),
        (3, 1, 12, 25, date(1926, 12, 25)),
        (4, 1, 1, 8, date(1989, 1, 8)),
        (4, 31, 4, 30, date(2019, 4, 30)),
        (5, 1, 5, 1, date(2019, 5, 1)),
        (5, 8, 4, 1, date(2026, 4, 1)),
        (2, 1, 7, 30, date(1912, 7, 30)),
        (1, 45, 7, 29, date(1912, 7, 29)),
        (1, 1, 1, 1, date(1868, 1, 1)),
    ],
)
def test_era_date_valid(era, year, month, day, expected):
    assert era_date(era, year, month, day) == expected


@pytest.mark.parametrize(
    ("era", "year", "month", "day", "code"),
    [
        (3, 64, 1, 8, "date_out_of_era"),
        (4, 31, 5, 1, "date_out_of_era"),
        (4, 1, 1, 7, "date_out_of_era"),
        (5, 1, 4, 30, "date_out_of_era"),
        (2, 15, 12, 25, "date_out_of_era"),
        (1, 45, 7, 30, "date_out_of_era"),
        (3, 30, 2, 30, "invalid_date"),
        (3, 30, 13, 1, "invalid_date"),
        (3, 0, 4, 1, "invalid_date"),
        (6, 1, 1, 1, "era_code"),
        (0, 1, 1, 1, "era_code"),
    ],
)
def test_era_date_invalid(era, year, month, day, code):
    with pytest.raises(WarekiError) as caught:
        era_date(era, year, month, day)
    assert caught.value.code == code
    assert caught.value.message  # English text for logs


def test_wareki_error_is_a_value_error_with_code_and_message():
    error = WarekiError("era_code", "unknown era code 9")
    assert isinstance(error, ValueError)
    assert (error.code, error.message, str(error)) == (
        "era_code",
        "unknown era code 9",
        "unknown era code 9",
    )


def test_era_by_code():
    assert era_by_code(4).name == "平成"
    assert era_by_code("5").letter == "R"
    with pytest.raises(WarekiError):
        era_by_code("x")


@pytest.mark.parametrize(
    ("day", "name", "year"),
    [
        (date(1955, 4, 1), "昭和", 30),
        (date(1989, 1, 7), "昭和", 64),
        (date(1989, 1, 8), "平成", 1),
        (date(2019, 4, 30), "平成", 31),
        (date(2019, 5, 1), "令和", 1),
        (date(1926, 12, 24), "大正", 15),
        (date(1926, 12, 25), "昭和", 1),
    ],
)
def test_to_wareki(day, name, year):
    era, era_year = to_wareki(day)
    assert (era.name, era_year) == (name, year)


def test_to_wareki_before_meiji():
    with pytest.raises(WarekiError) as caught:
        to_wareki(date(1867, 12, 31))
    assert caught.value.code == "before_meiji"


@pytest.mark.parametrize(
    ("day", "long", "short"),
    [
        (date(1955, 4, 1), "昭和30年4月1日", "S30.04.01"),
        (date(2019, 5, 1), "令和元年5月1日", "R01.05.01"),
        (date(1989, 1, 8), "平成元年1月8日", "H01.01.08"),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.01.07"),
        (date(2026, 12, 31), "令和8年12月31日", "R08.12.31"),
        (date(1912, 7, 30), "大正元年7月30日", "T01.07.30"),
    ],
)
def test_format_wareki(day, long, short):
    assert format_wareki(day) == long
    assert format_wareki(day, style="long") == long
    assert format_wareki(day, style="short") == short


def test_format_wareki_unknown_style():
    with pytest.raises(ValueError, match="unknown style"):
        format_wareki(date(2026, 1, 1), style="medium")


@pytest.mark.parametrize(
    ("fiscal_year", "text"),
    [
        (2026, "令和8年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (1926, "大正15年度"),
    ],
)
def test_format_fiscal_year(fiscal_year, text):
    assert format_fiscal_year(fiscal_year) == text


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2026, 4, 1), 2026),
        (date(2027, 3, 31), 2026),
        (date(2026, 3, 31), 2025),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
    ],
)
def test_fiscal_year_of(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_fiscal_year_bounds():
    assert fiscal_year_start(2026) == date(2026, 4, 1)
    assert fiscal_year_end(2026) == date(2027, 3, 31)
    assert fiscal_year_end(2027) == date(2028, 3, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S30.4.1", date(1955, 4, 1)),
        ("s30.4.1", date(1955, 4, 1)),
        ("S30/4/1", date(1955, 4, 1)),
        ("S30-04-01", date(1955, 4, 1)),
        ("昭和30年4月1日", date(1955, 4, 1)),
        ("昭和30.4.1", date(1955, 4, 1)),
        ("昭30.4.1", date(1955, 4, 1)),
        ("昭和30年4月1", date(1955, 4, 1)),
        (" S30.4.1 ", date(1955, 4, 1)),
        ("S300401", date(1955, 4, 1)),
        ("H1.1.8", date(1989, 1, 8)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("R1.5.1", date(2019, 5, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("M45.7.29", date(1912, 7, 29)),
        ("T1.7.30", date(1912, 7, 30)),
        ("1955-04-01", date(1955, 4, 1)),
        ("1955/4/1", date(1955, 4, 1)),
        ("1955.4.1", date(1955, 4, 1)),
        ("1955年4月1日", date(1955, 4, 1)),
        ("19550401", date(1955, 4, 1)),
        # full-width digits, letters and punctuation
        ("Ｓ３０．４．１", date(1955, 4, 1)),
        ("ｓ３０／４／１", date(1955, 4, 1)),
        ("昭和３０年４月１日", date(1955, 4, 1)),
        ("１９５５－０４－０１", date(1955, 4, 1)),
        ("１９５５０４０１", date(1955, 4, 1)),
        ("平成元年１月８日", date(1989, 1, 8)),
        ("昭和30年4月1日\u3000", date(1955, 4, 1)),
    ],
)
def test_parse_date_input_accepts(text, expected):
    assert parse_date_input(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "山田", "ヤマダ", "yamada", "0312345678", "12345678", "2026", "S30", "S30.4", None],
)
def test_parse_date_input_not_a_date(text):
    assert parse_date_input(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("S64.1.8", "date_out_of_era"),
        ("H31.5.1", "date_out_of_era"),
        ("平成31年5月1日", "date_out_of_era"),
        ("1955-02-30", "invalid_date"),
        ("19550230", "invalid_date"),
        ("S30.2.30", "invalid_date"),
        ("S30.13.1", "invalid_date"),
        ("S0.4.1", "invalid_date"),
        ("2026年13月1日", "invalid_date"),
    ],
)
def test_parse_date_input_impossible_dates_raise(text, code):
    with pytest.raises(WarekiError) as caught:
        parse_date_input(text)
    assert caught.value.code == code


def test_parse_date_input_does_not_touch_the_argument():
    text = "Ｓ３０．４．１"
    parse_date_input(text)
    assert text == "Ｓ３０．４．１"


@pytest.mark.parametrize(
    ("text7", "expected"),
    [
        ("3300401", date(1955, 4, 1)),
        ("4010108", date(1989, 1, 8)),
        ("3640107", date(1989, 1, 7)),
        ("5010501", date(2019, 5, 1)),
        ("1450729", date(1912, 7, 29)),
        ("2150101", date(1926, 1, 1)),
    ],
)
def test_parse_era_coded(text7, expected):
    assert parse_era_coded(text7) == expected


@pytest.mark.parametrize(
    ("text7", "code"),
    [
        ("3640108", "date_out_of_era"),
        ("4310501", "date_out_of_era"),
        ("3300230", "invalid_date"),
        ("3000401", "invalid_date"),
        ("6300401", "era_code"),
        ("0300401", "era_code"),
        ("330041", "era_coded_format"),
        ("33004011", "era_coded_format"),
        ("33O0401", "era_coded_format"),
        ("       ", "era_coded_format"),
        ("３３００４０１", "era_coded_format"),
    ],
)
def test_parse_era_coded_invalid(text7, code):
    with pytest.raises(WarekiError) as caught:
        parse_era_coded(text7)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        # Attains the age at the end of the day before the birthday.
        (date(1966, 4, 1), date(2026, 3, 30), 59),
        (date(1966, 4, 1), date(2026, 3, 31), 60),
        (date(1966, 4, 2), date(2026, 3, 31), 59),
        (date(1966, 4, 2), date(2026, 4, 1), 60),
        (date(1966, 4, 2), date(2026, 4, 2), 60),
        (date(1966, 1, 1), date(2025, 12, 31), 60),
        (date(1966, 1, 1), date(2025, 12, 30), 59),
        (date(2026, 4, 1), date(2026, 4, 1), 0),
        # Born on 29 February: in a common year the age comes at the end of 28 February.
        (date(2000, 2, 29), date(2001, 2, 27), 0),
        (date(2000, 2, 29), date(2001, 2, 28), 1),
        (date(2000, 2, 29), date(2004, 2, 27), 3),
        (date(2000, 2, 29), date(2004, 2, 28), 4),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(1964, 2, 29), date(2024, 2, 28), 60),
        (date(1966, 3, 1), date(2026, 2, 28), 60),
        (date(1966, 3, 1), date(2026, 2, 27), 59),
    ],
)
def test_age_on(birth, on, age):
    assert age_on(birth, on) == age


def test_age_on_before_birth():
    with pytest.raises(ValueError, match="before birth_date"):
        age_on(date(2000, 1, 2), date(2000, 1, 1))
