"""Cell conversion and code tables of the ledger reader (app.ledger.cells, codes, rows)."""

import datetime

import pytest

from app.ledger.cells import (
    CellError,
    DateReader,
    Memo,
    display_value,
    excel_serial_date,
    is_blank,
    resident_number,
)
from app.ledger.codes import (
    Office,
    OfficeResolver,
    default_offices,
    load_offices,
    parse_kind,
    parse_method,
)
from app.ledger.rows import total_count

D = datetime.date


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, D(1900, 1, 1)),
        (59, D(1900, 2, 28)),
        (61, D(1900, 3, 1)),
        (366, D(1900, 12, 31)),
        (367, D(1901, 1, 1)),
        (25569, D(1970, 1, 1)),
        (43192, D(2018, 4, 2)),
        (43192.75, D(2018, 4, 2)),  # the time of day is dropped
        (2958465, D(9999, 12, 31)),
    ],
)
def test_excel_serial_dates_1900(serial, expected):
    assert excel_serial_date(serial) == expected


def test_serial_60_is_excels_fictitious_leap_day():
    with pytest.raises(CellError) as caught:
        excel_serial_date(60)
    assert caught.value.code == "date_invalid"
    assert "1900年2月29日" in caught.value.reason


@pytest.mark.parametrize("serial", [0, 0.5, -1, 2958466, 2958466.5, float("nan"), float("inf")])
def test_serials_out_of_range(serial):
    with pytest.raises(CellError) as caught:
        excel_serial_date(serial)
    assert caught.value.code == "date_range"


def test_excel_serial_dates_1904():
    assert excel_serial_date(0, date1904=True) == D(1904, 1, 1)
    assert excel_serial_date(41730, date1904=True) == D(2018, 4, 2)
    assert excel_serial_date(60, date1904=True) == D(1904, 3, 1)


def test_a_cached_text_date_error_is_raised_afresh_each_time():
    dates = DateReader()
    errors = []
    for _ in range(3):
        with pytest.raises(CellError) as caught:
            dates.date("S64.1.8")
        errors.append(caught.value)
    assert len({id(e) for e in errors}) == 3
    assert {e.code for e in errors} == {"date_out_of_era"}
    assert dates.date("S30.4.1") == dates.date(" S30.4.1 ") == D(1955, 4, 1)


def test_dates_outside_1868_to_2100_are_typing_errors():
    dates = DateReader()
    for cell in (D(1867, 12, 31), D(2101, 1, 1), "2200/1/1"):
        with pytest.raises(CellError) as caught:
            dates.date(cell)
        assert caught.value.code == "date_range"


def test_date_with_note():
    dates = DateReader()
    assert dates.date_with_note("") == (None, None)
    assert dates.date_with_note(" ") == (None, None)
    assert dates.date_with_note(D(2018, 4, 10)) == (D(2018, 4, 10), None)
    assert dates.date_with_note(43200.0) == (D(2018, 4, 10), None)
    assert dates.date_with_note("H30.4.10") == (D(2018, 4, 10), None)
    assert dates.date_with_note("H30.4.10 あて所不明") == (D(2018, 4, 10), "あて所不明")
    assert dates.date_with_note("返戻") == (None, "返戻")


@pytest.mark.parametrize(
    ("cell", "blank"),
    [("", True), (" ", True), ("\u3000\n", True), ("x", False), (0.0, False), (False, False)],
)
def test_is_blank(cell, blank):
    assert is_blank(cell) is blank


def test_display_value_is_short():
    assert display_value(123456789.0) == "123456789"
    assert display_value(1.5) == "1.5"
    assert display_value(D(2018, 4, 2)) == "2018-04-02"
    assert display_value(datetime.datetime(2018, 4, 2, 0, 0)) == "2018-04-02"
    assert display_value(True) == "TRUE"
    long = display_value("あ" * 40_000)
    assert long.startswith("あ" * 40)
    assert long.endswith("（40000文字）")


def test_a_huge_number_text_is_not_normalised():
    with pytest.raises(CellError) as caught:
        resident_number("１" * 40_000)
    assert caught.value.code == "resident_no_format"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["合計", "", 12], (True, 12)),
        (["", "計", 12.0], (True, 12)),
        (["合 計", "1,234件"], (True, 1234)),
        (["合計"], (True, None)),
        (["合計", "たくさん"], (True, None)),
        ([1, "合計", 3], (False, None)),
        (["", "", ""], (False, None)),
        (["合計人数", 3], (False, None)),
    ],
)
def test_total_rows(row, expected):
    assert total_count(row) == expected


def test_default_offices_come_from_the_application_file():
    offices = default_offices()
    assert offices == load_offices()
    assert [o.code for o in offices if o.is_headquarters] == ["HQ"]
    assert len(offices) == 11


def test_an_alias_two_offices_could_claim_is_refused_but_names_win():
    offices = [
        Office("A", "落合第一特別出張所"),
        Office("B", "落一特別出張所"),  # an office really called so
        Office("C", "中井特別出張所"),
        Office("D", "中井町特別出張所"),
    ]
    resolver = OfficeResolver(offices)
    assert resolver.resolve("落合第一") == "A"
    assert resolver.resolve("落一特別出張所") == "B"
    assert resolver.resolve("中井町") == "D"
    assert resolver.resolve("中井特別出張所") == "C"
    for ambiguous in ("落一", "中井", "中井特出"):  # claimed by two offices
        with pytest.raises(CellError) as caught:
            resolver.resolve(ambiguous)
        assert caught.value.code == "office_unknown"


def test_method_and_kind_tables():
    assert parse_method("") == "counter"
    assert parse_kind("") is None
    assert parse_kind("　新規　") == ("new", None)


def test_memo_remembers_values_and_raises_faults_afresh():
    calls = []

    def read(cell):
        calls.append(cell)
        if cell == "bad":
            raise CellError("kind_unknown", "だめ")
        return ("value", cell)

    memo = Memo(read)
    assert memo("a") == memo("a") == ("value", "a")
    with pytest.raises(CellError) as caught:
        memo("bad")
    first = caught.value
    with pytest.raises(CellError) as caught:
        memo("bad")
    second = caught.value
    assert first is not second
    assert (second.code, second.reason) == ("kind_unknown", "だめ")
    assert memo(3.0) == ("value", 3.0)
    assert calls == ["a", "bad", 3.0]
