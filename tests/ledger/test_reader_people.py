"""The ledger reader: the 対象者 sheet (app.ledger.reader, app.ledger.people)."""

import datetime

import pytest

from app.ledger import read_ledger
from tests.ledger.conftest import (
    FIRST_ROW,
    PEOPLE_HEADER,
    Literal,
    SheetSpec,
    build_workbook,
    pass_sheet,
    patch_part,
    people_sheet,
    person,
    simple_workbook,
)

D = datetime.date


def _read_person(values):
    ledger = read_ledger(simple_workbook(people=[person(values)]))
    assert ledger.errors == (), ledger.errors
    (row,) = ledger.people
    return row


def _error_of(values):
    ledger = read_ledger(simple_workbook(people=[person(values)]))
    assert ledger.people == ()
    assert {e.row for e in ledger.errors} == {FIRST_ROW}
    assert {e.sheet for e in ledger.errors} == {"対象者"}
    return ledger.errors


def test_a_full_row_is_read_into_every_field():
    row = _read_person(
        {
            "住民番号": 123456789,
            "氏名": "山田　太郎 ",
            "ふりがな": "やまだ たろう",
            "性別": "男",
            "生年月日": "S30.4.1",
            "郵便番号": "〒160-0022",
            "住所": "東京都新宿区新宿１－１－１",
            "方書": "ふれあい荘101",
            "電話番号": "03-0000-1234",
            "区分": "高齢・障害",
            "除外日": "R2.3.31",
            "除外事由": "転出 大阪市へ",
            "送付先宛名": "山田 一郎",
            "送付先郵便番号": "1690072",
            "送付先住所": "東京都新宿区大久保2-2-2",
            "送付先事由": "家族方",
            "備考": "耳が遠い",
        }
    )
    assert (row.sheet, row.row) == ("対象者", FIRST_ROW)
    assert row.resident_no == "0123456789"
    assert row.name == "山田\u3000太郎"
    assert row.kana == "ヤマダ タロウ"
    assert row.sex == 1
    assert row.birth_date == D(1955, 4, 1)
    assert row.postal_code == "1600022"
    assert row.address == "東京都新宿区新宿１－１－１"  # addresses are kept as typed
    assert (row.address2, row.phone) == ("ふれあい荘101", "03-0000-1234")
    assert row.categories == frozenset({"elderly", "disabled"})
    assert (row.excluded_on, row.exclusion_reason, row.exclusion_note) == (
        D(2020, 3, 31),
        "moved_out",
        "大阪市へ",
    )
    assert (row.mail_name, row.mail_postal_code, row.mail_address) == (
        "山田 一郎",
        "1690072",
        "東京都新宿区大久保2-2-2",
    )
    assert (row.mail_reason, row.mail_reason_note, row.note) == ("family", None, "耳が遠い")
    assert row.combined_note() == "耳が遠い\n除外事由：大阪市へ"


def test_blank_optional_fields():
    row = _read_person(
        {"ふりがな": None, "性別": None, "郵便番号": None, "住所": None, "区分": None}
    )
    assert (row.kana, row.sex, row.postal_code, row.address, row.address2, row.phone) == (
        "",
        None,
        "",
        "",
        "",
        "",
    )
    assert row.categories == frozenset()
    assert (row.excluded_on, row.exclusion_reason, row.mail_address, row.note) == (
        None,
        None,
        None,
        None,
    )
    assert row.combined_note() is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (123456789, "0123456789"),
        (123456789.0, "0123456789"),
        (1, "0000000001"),
        (9876543210, "9876543210"),
        ("0123456789", "0123456789"),
        ("０１２３４５６７８９", "0123456789"),
        (" 123 ", "0000000123"),
        (Literal("42"), "0000000042"),
    ],
)
def test_resident_numbers(cell, expected):
    assert _read_person({"住民番号": cell}).resident_no == expected


@pytest.mark.parametrize(
    "cell",
    ["12345678901", "0123-456789", "A123", 12345.5, -5, 12345678901, "１２３４５６７８９０１"],
)
def test_resident_numbers_that_are_not_1_to_10_digits(cell):
    (error,) = _error_of({"住民番号": cell})
    assert (error.column, error.code) == ("住民番号", "resident_no_format")
    assert "1〜10桁" in error.reason


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("山田 太郎", "山田\u3000太郎"),
        ("山田　太郎", "山田\u3000太郎"),
        ("山田太郎", "山田太郎"),
        ("山田  太郎   ", "山田\u3000太郎"),
        ("髙﨑 花子", "髙﨑\u3000花子"),
        ("ｱﾍﾞ ﾏﾘｱ", "ｱﾍﾞ\u3000ﾏﾘｱ"),
    ],
)
def test_names_keep_their_characters(cell, expected):
    assert _read_person({"氏名": cell}).name == expected


@pytest.mark.parametrize(
    "cell", ["やまだ たろう", "ヤマダ タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ", "やまだ　　たろう "]
)
def test_kana_in_any_form_is_full_width_katakana(cell):
    assert _read_person({"ふりがな": cell}).kana == "ヤマダ タロウ"


def test_kana_voiced_marks_and_vu():
    assert _read_person({"ふりがな": "ｳﾞｨｯﾂ ﾊﾟﾊﾟ"}).kana == "ヴィッツ パパ"


@pytest.mark.parametrize(
    ("cell", "code"), [("男", 1), ("女", 2), (1, 1), (2.0, 2), ("１", 1), ("2", 2), ("女性", 2)]
)
def test_sex(cell, code):
    assert _read_person({"性別": cell}).sex == code


def test_an_unknown_sex_is_a_row_error():
    (error,) = _error_of({"性別": "X"})
    assert (error.column, error.code, error.value) == ("性別", "sex_code", "X")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (D(1955, 4, 1), D(1955, 4, 1)),
        (datetime.datetime(1955, 4, 1, 0, 0), D(1955, 4, 1)),
        ("S30.4.1", D(1955, 4, 1)),
        ("S30/4/1", D(1955, 4, 1)),
        ("昭和30年4月1日", D(1955, 4, 1)),
        ("昭30.4.1", D(1955, 4, 1)),
        ("Ｓ３０．４．１", D(1955, 4, 1)),
        ("s30.04.01", D(1955, 4, 1)),
        ("1955/4/1", D(1955, 4, 1)),
        ("1955-04-01", D(1955, 4, 1)),
        ("1955/04/01 0:00:00", D(1955, 4, 1)),
        ("H元.1.8", D(1989, 1, 8)),
        ("H1.1.8", D(1989, 1, 8)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("S64.1.7", D(1989, 1, 7)),
        ("T15.12.24", D(1926, 12, 24)),
        (20180.0, D(1955, 4, 1)),  # an unformatted Excel serial number
        (19550401, D(1955, 4, 1)),  # YYYYMMDD typed as a number
        (61, D(1900, 3, 1)),
        (59, D(1900, 2, 28)),
        (1, D(1900, 1, 1)),
        ("M1.1.1", D(1868, 1, 1)),
    ],
)
def test_birth_date_spellings(cell, expected):
    assert _read_person({"生年月日": cell}).birth_date == expected


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("S64.1.8", "date_out_of_era"),
        ("H31.5.1", "date_out_of_era"),
        ("S30.2.30", "date_invalid"),
        ("1955-02-30", "date_invalid"),
        ("S0.4.1", "date_invalid"),
        ("S30.4", "date_format"),
        ("不明", "date_format"),
        (60, "date_invalid"),  # Excel's fictitious 1900-02-29
        (0, "date_range"),
        (-3.0, "date_range"),
        (300401, "date_range"),  # a serial in the 28th century
        (True, "date_format"),
        (datetime.time(10, 30), "date_format"),
    ],
)
def test_invalid_birth_dates_are_row_errors(cell, code):
    (error,) = _error_of({"生年月日": cell})
    assert (error.column, error.code) == ("生年月日", code)
    assert error.reason


def test_an_out_of_era_date_says_so_in_japanese():
    (error,) = _error_of({"生年月日": "S64.1.8"})
    assert "元号" in error.reason
    assert error.value == "S64.1.8"


def test_a_missing_birth_date_and_name_are_row_errors():
    errors = _error_of({"生年月日": None, "氏名": "  "})
    assert sorted((e.column, e.code) for e in errors) == [
        ("氏名", "missing"),
        ("生年月日", "missing"),
    ]


@pytest.mark.parametrize(
    "cell", ["160-0022", "1600022", "〒160-0022", 1600022, "１６０－００２２", "〒1600022"]
)
def test_postal_codes_are_seven_digits(cell):
    assert _read_person({"郵便番号": cell}).postal_code == "1600022"


def test_a_postal_code_number_that_lost_its_leading_zero():
    assert _read_person({"郵便番号": 600001}).postal_code == "0600001"


@pytest.mark.parametrize("cell", ["160-002", "16000222", "東京", 160.5])
def test_bad_postal_codes_are_row_errors(cell):
    (error,) = _error_of({"郵便番号": cell})
    assert (error.column, error.code) == ("郵便番号", "postal_code_format")


def test_a_phone_number_cell_gets_its_leading_zero_back():
    assert _read_person({"電話番号": 312345678}).phone == "0312345678"
    assert _read_person({"電話番号": "０３－１２３４－５６７８"}).phone == "03-1234-5678"


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("高齢", {"elderly"}),
        ("高齢・障害", {"elderly", "disabled"}),
        ("高齢/児童", {"elderly", "child_allowance"}),
        ("障害、児童", {"disabled", "child_allowance"}),
        ("高齢 障害 児童", {"elderly", "disabled", "child_allowance"}),
        ("高齢者／障がい", {"elderly", "disabled"}),
        ("高齢･障害", {"elderly", "disabled"}),
    ],
)
def test_categories(cell, codes):
    assert _read_person({"区分": cell}).categories == frozenset(codes)


def test_an_unknown_category_is_a_row_error():
    (error,) = _error_of({"区分": "高齢・学生"})
    assert (error.column, error.code) == ("区分", "category_unknown")


@pytest.mark.parametrize(
    ("cell", "code", "note"),
    [
        ("転出", "moved_out", None),
        ("死亡", "deceased", None),
        ("職権消除", "struck_off", None),
        ("資格喪失", "lost_eligibility", None),
        ("その他", "other", None),
        ("死亡（家族より連絡）", "deceased", "（家族より連絡）"),
        ("転出：大阪市", "moved_out", "大阪市"),
        ("区外転出", "moved_out", "区外転出"),
        ("施設入所のため", "other", "施設入所のため"),
    ],
)
def test_exclusion_reasons(cell, code, note):
    row = _read_person({"除外日": "H30.5.1", "除外事由": cell})
    assert (row.excluded_on, row.exclusion_reason, row.exclusion_note) == (
        D(2018, 5, 1),
        code,
        note,
    )


@pytest.mark.parametrize(
    ("cell", "code", "note"),
    [
        ("施設入所", "facility", None),
        ("家族方", "family", None),
        ("その他", "other", None),
        ("特養に施設入所中", "facility", "特養に施設入所中"),
        ("長女（親族）方", "family", "長女（親族）方"),
        ("病院", "other", "病院"),
    ],
)
def test_mailing_reasons(cell, code, note):
    row = _read_person({"送付先事由": cell, "送付先住所": "東京都新宿区1-1"})
    assert (row.mail_reason, row.mail_reason_note) == (code, note)


def test_hostile_strings_are_kept_as_plain_data():
    row = _read_person(
        {
            "氏名": "<script>alert(1)</script>",
            "住所": Literal('=HYPERLINK("http://example.invalid","x")'),
            "備考": Literal("=1+2"),
        }
    )
    assert row.name == "<script>alert(1)</script>"
    assert row.address == '=HYPERLINK("http://example.invalid","x")'
    assert row.note == "=1+2"


def test_a_40000_character_cell_is_rejected_not_cut():
    data = simple_workbook(people=[person({"住所": "XLONGX", "備考": "XNOTEX"})])
    data = patch_part(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"XLONGX", "長".encode() * 40_000).replace(
            b"XNOTEX", b"n" * 40_000
        ),
    )
    ledger = read_ledger(data)
    assert ledger.people == ()
    errors = {e.column: e for e in ledger.errors}
    assert set(errors) == {"住所", "備考"}
    assert errors["住所"].code == "too_long"
    assert "上限200文字" in errors["住所"].reason
    assert "上限2000文字" in errors["備考"].reason
    assert len(errors["住所"].value) < 60


def test_over_long_name_is_rejected():
    (error,) = _error_of({"氏名": "山" * 101})
    assert (error.column, error.code) == ("氏名", "too_long")


def test_the_same_resident_number_twice_rejects_the_later_row():
    people = [
        person({"住民番号": 5, "氏名": "一郎"}),
        person({"住民番号": "0000000005", "氏名": "二郎"}),
    ]
    ledger = read_ledger(simple_workbook(people=people))
    assert [p.name for p in ledger.people] == ["一郎"]
    (error,) = ledger.errors
    assert (error.row, error.column, error.code) == (
        FIRST_ROW + 1,
        "住民番号",
        "duplicate_resident_no",
    )
    assert f"{FIRST_ROW}行目" in error.reason


def test_every_fault_of_a_row_is_reported():
    errors = _error_of({"住民番号": "x", "性別": "?", "生年月日": "S64.1.8", "区分": "学生"})
    assert sorted(e.column for e in errors) == ["住民番号", "区分", "性別", "生年月日"]


def test_headers_with_spaces_and_line_breaks_and_moved_columns():
    header = ["備考", "氏 名", "生年\n月日", "住民　番号", "ﾌﾘｶﾞﾅ", "性別", "年齢"]
    rows = [["メモ", "佐藤 花子", "S25.1.2", 42, "ｻﾄｳ ﾊﾅｺ", "女", 76]]
    data = build_workbook(SheetSpec("対象者", header, rows, first_column=3), pass_sheet("H30年度"))
    ledger = read_ledger(data)
    (row,) = ledger.people
    assert (row.resident_no, row.name, row.birth_date, row.kana, row.sex, row.note) == (
        "0000000042",
        "佐藤\u3000花子",
        D(1950, 1, 2),
        "サトウ ハナコ",
        2,
        "メモ",
    )
    assert ledger.sheet("対象者").header_row == 3
    (notice,) = [n for n in ledger.notices if n.code == "unknown_columns"]
    assert (notice.sheet, notice.row) == ("対象者", 3)
    assert "年齢" in notice.message


def test_blank_rows_anywhere_are_skipped_and_counted():
    rows = [
        person({"住民番号": 1}),
        {},
        {},
        person({"住民番号": 2}),
        {"備考": "　"},
        person({"住民番号": 3}),
    ]
    ledger = read_ledger(simple_workbook(people=rows))
    assert [(p.row, p.resident_no) for p in ledger.people] == [
        (FIRST_ROW, "0000000001"),
        (FIRST_ROW + 3, "0000000002"),
        (FIRST_ROW + 5, "0000000003"),
    ]
    summary = ledger.sheet("対象者")
    assert (summary.rows_read, summary.blank_rows, summary.rows_taken, summary.rows_rejected) == (
        3,
        3,
        3,
        0,
    )


def test_rows_above_the_header_are_ignored_even_with_a_resident_number_like_text():
    rows = [
        ["台帳", "作成 R2.4.1"],
        ["0123456789"],
        PEOPLE_HEADER,
        [1, "山田 太郎", "", "", "S30.4.1"],
    ]
    data = build_workbook(SheetSpec("対象者", [], rows, title=None), pass_sheet("H30年度"))
    ledger = read_ledger(data)
    # The builder starts raw rows on row 4: titles on 4 and 5, the header on 6.
    assert [(p.row, p.resident_no) for p in ledger.people] == [(7, "0000000001")]
    assert ledger.sheet("対象者").header_row == 6


def test_a_formula_without_saved_result_in_a_required_column_is_an_error():
    # openpyxl saves formulas without a result, as a program generating a file would.
    data = simple_workbook(people=[person({"生年月日": "=DATE(1955,4,1)", "備考": "=A4&B4"})])
    ledger = read_ledger(data)
    assert ledger.people == ()
    (error,) = ledger.errors
    assert (error.sheet, error.row, error.column, error.code) == (
        "対象者",
        FIRST_ROW,
        "生年月日",
        "formula_without_value",
    )
    assert "数式" in error.reason
    (notice,) = [n for n in ledger.notices if n.code == "formula_without_value"]
    assert (notice.sheet, notice.row, notice.column) == ("対象者", FIRST_ROW, "備考")
    assert "数式" in notice.message


def test_a_formula_with_a_saved_result_gives_that_result_never_evaluated():
    data = simple_workbook(people=[person({"住民番号": "=1+1", "氏名": '="再"&"計算"'})])

    def cache(xml: bytes) -> bytes:
        xml = xml.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>77</v>")
        return xml.replace(b"<v></v>", b"<v>saved</v>").replace(
            b'<c r="B4">', b'<c r="B4" t="str">'
        )

    ledger = read_ledger(patch_part(data, "xl/worksheets/sheet1.xml", cache))
    assert ledger.errors == ()
    (row,) = ledger.people
    assert (row.resident_no, row.name) == ("0000000077", "saved")


def test_an_error_value_in_a_required_column_is_an_error():
    data = simple_workbook(people=[person({"氏名": "XERRX"})])

    def error_cell(xml: bytes) -> bytes:
        start = xml.index(b'<c r="B4"')
        end = xml.index(b"</c>", start) + 4
        return xml[:start] + b'<c r="B4" t="e"><v>#N/A</v></c>' + xml[end:]

    ledger = read_ledger(patch_part(data, "xl/worksheets/sheet1.xml", error_cell))
    (error,) = ledger.errors
    assert (error.column, error.code) == ("氏名", "error_value")
    assert "#N/A" in error.reason


def test_a_total_row_on_the_people_sheet_is_not_a_person():
    ledger = read_ledger(build_workbook(people_sheet(person(), total=1), pass_sheet("H30年度")))
    assert len(ledger.people) == 1
    summary = ledger.sheet("対象者")
    assert (summary.total_row, summary.total_value, summary.total_row_skipped) == (
        FIRST_ROW + 2,
        1,
        True,
    )
