"""The ledger reader: the fiscal-year sheets (app.ledger.reader, app.ledger.passes)."""

import datetime

import pytest

from app.ledger import Office, read_ledger
from tests.ledger.conftest import (
    FIRST_ROW,
    SheetSpec,
    build_workbook,
    pass_row,
    pass_sheet,
    people_sheet,
    person,
    simple_workbook,
)

D = datetime.date


def _read_pass(values):
    ledger = read_ledger(simple_workbook(passes=[pass_row(values)]))
    assert ledger.errors == (), ledger.errors
    (row,) = ledger.passes
    return row


def _error_of(values):
    ledger = read_ledger(simple_workbook(passes=[pass_row(values)]))
    assert ledger.passes == ()
    assert {(e.sheet, e.row) for e in ledger.errors} == {("H30年度", FIRST_ROW)}
    return ledger.errors


def test_a_full_row_is_read_into_every_field():
    row = _read_pass(
        {
            "整理番号": "１２",
            "住民番号": 123456789,
            "氏名": "山田 太郎 ",
            "申請日": "H30.4.2",
            "交付日": D(2018, 4, 3),
            "交付場所": "四谷特出",
            "交付方法": "郵送",
            "種別": "更新",
            "返戻日": "H30.4.10 あて所不明",
            "再送日": "H30.4.20",
            "備考": "転居先へ再送",
        }
    )
    assert (row.sheet, row.row, row.fiscal_year, row.control_no) == ("H30年度", FIRST_ROW, 2018, 12)
    assert (row.resident_no, row.name) == ("0123456789", "山田 太郎")
    assert (row.applied_on, row.applied_on_from_issued, row.issued_on) == (
        D(2018, 4, 2),
        False,
        D(2018, 4, 3),
    )
    assert (row.office, row.method, row.kind, row.reissue_reason, row.kind_inferred) == (
        "YOTSUYA",
        "mail",
        "renewal",
        None,
        False,
    )
    assert (row.returned_on, row.return_note, row.return_undated, row.resent_on) == (
        D(2018, 4, 10),
        "あて所不明",
        False,
        D(2018, 4, 20),
    )
    assert row.note == "転居先へ再送"
    assert row.combined_note() == "転居先へ再送\n返戻：あて所不明"


def test_a_blank_application_date_is_the_issue_date():
    row = _read_pass({"申請日": None, "交付日": "H30.5.1"})
    assert (row.applied_on, row.issued_on, row.applied_on_from_issued) == (
        D(2018, 5, 1),
        D(2018, 5, 1),
        True,
    )


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("地域包括ケア推進課", "HQ"),
        ("地域包括", "HQ"),
        ("本庁", "HQ"),
        ("本課", "HQ"),
        ("四谷", "YOTSUYA"),
        ("四谷特出", "YOTSUYA"),
        ("四谷特別出張所", "YOTSUYA"),
        ("四谷出張所", "YOTSUYA"),
        ("四谷 特別出張所", "YOTSUYA"),
        ("箪笥町", "TANSUMACHI"),
        ("簞笥町特出", "TANSUMACHI"),
        ("榎町特別出張所", "ENOKI"),
        ("若松町", "WAKAMATSU"),
        ("大久保", "OKUBO"),
        ("戸塚特出", "TOTSUKA"),
        ("落合第一", "OCHIAI1"),
        ("落一", "OCHIAI1"),
        ("落合第一特別出張所", "OCHIAI1"),
        ("落合１", "OCHIAI1"),
        ("落合第二", "OCHIAI2"),
        ("落二特出", "OCHIAI2"),
        ("柏木出張所", "KASHIWAGI"),
        ("角筈", "TSUNOHAZU"),
    ],
)
def test_office_spellings(cell, code):
    assert _read_pass({"交付場所": cell}).office == code


@pytest.mark.parametrize("cell", ["新宿", "落合", "区役所", "四谷三丁目"])
def test_an_unknown_office_is_a_row_error(cell):
    (error,) = _error_of({"交付場所": cell})
    assert (error.column, error.code, error.value) == ("交付場所", "office_unknown", cell)
    assert "交付場所" in error.reason


def test_a_blank_office_is_a_row_error():
    (error,) = _error_of({"交付場所": None})
    assert (error.column, error.code) == ("交付場所", "missing")


def test_offices_can_be_given_by_the_caller():
    offices = [Office("MAIN", "本部", is_headquarters=True), Office("X1", "新宿特別出張所")]
    data = simple_workbook(passes=[pass_row({"交付場所": "新宿特出"})])
    assert read_ledger(data, offices=offices).passes[0].office == "X1"
    assert (
        read_ledger(simple_workbook(passes=[pass_row()]), offices=offices).passes[0].office
        == "MAIN"
    )


@pytest.mark.parametrize(
    ("cell", "method"),
    [
        ("窓口", "counter"),
        ("窓", "counter"),
        (None, "counter"),
        ("郵送", "mail"),
        ("郵", "mail"),
        (" 郵 ", "mail"),
    ],
)
def test_methods(cell, method):
    assert _read_pass({"交付方法": cell}).method == method


def test_an_unknown_method_is_a_row_error():
    (error,) = _error_of({"交付方法": "電話"})
    assert (error.column, error.code) == ("交付方法", "method_unknown")


@pytest.mark.parametrize(
    ("cell", "kind", "reason"),
    [
        ("新規", "new", None),
        ("更新", "renewal", None),
        ("再交付（紛失）", "reissue", "lost"),
        ("再交付(紛失)", "reissue", "lost"),
        ("再交付（汚損）", "reissue", "damaged"),
        ("再交付(汚損)", "reissue", "damaged"),
        ("再(紛)", "reissue", "lost"),
        ("再（汚）", "reissue", "damaged"),
        ("再交付 (紛失)", "reissue", "lost"),
        ("再交付", "reissue", None),
    ],
)
def test_kind_spellings(cell, kind, reason):
    row = _read_pass({"種別": cell})
    assert (row.kind, row.reissue_reason, row.kind_inferred) == (kind, reason, False)


@pytest.mark.parametrize("cell", ["再交付(盗難)", "継続", "その他"])
def test_an_unknown_kind_is_a_row_error(cell):
    (error,) = _error_of({"種別": cell})
    assert (error.column, error.code) == ("種別", "kind_unknown")


def test_a_blank_kind_is_new_for_the_first_pass_and_renewal_after_across_sheets():
    people = [person({"住民番号": 1}), person({"住民番号": 2})]
    # Workbook order is not chronological: R1 comes before H30 here.
    r1 = [
        pass_row({"整理番号": 1, "住民番号": 1, "交付日": "R1.6.1", "申請日": None, "種別": None}),
        pass_row({"整理番号": 2, "住民番号": 2, "交付日": "R1.6.1", "申請日": None, "種別": None}),
    ]
    h30 = [
        pass_row({"整理番号": 7, "住民番号": 1, "交付日": "H30.6.1", "申請日": None, "種別": None}),
        pass_row(
            {"整理番号": 8, "住民番号": 1, "交付日": "H30.7.1", "申請日": None, "種別": "再(紛)"}
        ),
    ]
    data = build_workbook(
        people_sheet(*people), pass_sheet("R1年度", *r1), pass_sheet("H30年度", *h30)
    )
    ledger = read_ledger(data)
    assert ledger.errors == ()
    assert [(p.fiscal_year, p.control_no, p.kind, p.kind_inferred) for p in ledger.passes] == [
        (2018, 7, "new", True),
        (2018, 8, "reissue", False),
        (2019, 1, "renewal", True),
        (2019, 2, "new", True),
    ]


def test_a_rejected_first_pass_does_not_count_for_the_blank_kind():
    passes = [
        pass_row(
            {"整理番号": 1, "交付日": "H30.6.1", "申請日": None, "種別": None, "交付場所": "不明"}
        ),
        pass_row({"整理番号": 2, "交付日": "H30.9.1", "申請日": None, "種別": None}),
    ]
    ledger = read_ledger(simple_workbook(passes=passes))
    assert [(p.control_no, p.kind) for p in ledger.passes] == [(2, "new")]


def test_a_return_date_with_a_note():
    row = _read_pass({"返戻日": "Ｈ３０．４．１０　あて所不明"})
    assert (row.returned_on, row.return_note, row.return_undated) == (
        D(2018, 4, 10),
        "あて所不明",
        False,
    )


def test_a_return_date_cell():
    row = _read_pass({"返戻日": D(2018, 4, 10)})
    assert (row.returned_on, row.return_note) == (D(2018, 4, 10), None)


def test_return_without_a_date_is_kept_and_reported():
    ledger = read_ledger(simple_workbook(passes=[pass_row({"返戻日": "返戻"})]))
    (row,) = ledger.passes
    assert (row.returned_on, row.return_note, row.return_undated) == (None, "返戻", True)
    assert row.combined_note() == "返戻：返戻"
    (notice,) = [n for n in ledger.notices if n.code == "return_undated"]
    assert (notice.sheet, notice.row, notice.column) == ("H30年度", FIRST_ROW, "返戻日")


def test_an_impossible_return_date_is_a_row_error():
    (error,) = _error_of({"返戻日": "H30.2.30 あて所不明"})
    assert (error.column, error.code) == ("返戻日", "date_invalid")


def test_a_missing_issue_date_is_a_row_error():
    (error,) = _error_of({"交付日": None})
    assert (error.sheet, error.row, error.column, error.code) == (
        "H30年度",
        FIRST_ROW,
        "交付日",
        "missing",
    )
    assert "交付日" in error.reason


def test_issued_before_applied_is_a_row_error():
    (error,) = _error_of({"申請日": "H30.4.5", "交付日": "H30.4.4"})
    assert (error.column, error.code, error.value) == ("交付日", "issued_before_applied", "H30.4.4")
    assert "申請日より前" in error.reason


def test_returned_or_resent_before_issued_are_row_errors():
    errors = _error_of({"交付日": "H30.4.4", "返戻日": "H30.4.1", "再送日": "H30.4.2"})
    assert sorted((e.column, e.code) for e in errors) == [
        ("再送日", "resent_before_issued"),
        ("返戻日", "returned_before_issued"),
    ]


@pytest.mark.parametrize(
    ("column", "cell", "code"),
    [
        ("交付日", "S64.1.8", "date_out_of_era"),
        ("申請日", "H30.13.1", "date_invalid"),
        ("再送日", "そのうち", "date_format"),
        ("住民番号", "12345678901", "resident_no_format"),
        ("住民番号", None, "missing"),
        ("整理番号", 0, "control_no_format"),
        ("整理番号", "No.3", "control_no_format"),
        ("整理番号", 2.5, "control_no_format"),
        ("整理番号", None, "missing"),
    ],
)
def test_row_errors(column, cell, code):
    values = {"申請日": None, column: cell}
    (error,) = _error_of(values)
    assert (error.sheet, error.row, error.column, error.code) == (
        "H30年度",
        FIRST_ROW,
        column,
        code,
    )
    assert error.reason


def test_the_same_control_number_twice_rejects_the_later_row():
    passes = [
        pass_row({"整理番号": 3, "住民番号": 1}),
        pass_row({"整理番号": 4, "住民番号": 2}),
        pass_row({"整理番号": "３", "住民番号": 3}),
    ]
    ledger = read_ledger(simple_workbook(passes=passes))
    assert [p.resident_no for p in ledger.passes] == ["0000000001", "0000000002"]
    (error,) = ledger.errors
    assert (error.row, error.column, error.code) == (
        FIRST_ROW + 2,
        "整理番号",
        "duplicate_control_no",
    )
    assert f"{FIRST_ROW}行目" in error.reason


def test_the_same_control_number_on_two_sheets_of_one_year():
    data = build_workbook(
        people_sheet(person()),
        pass_sheet("H31年度", pass_row({"整理番号": 9, "交付日": "H31.4.2", "申請日": None})),
        pass_sheet("R1年度", pass_row({"整理番号": 9, "交付日": "R1.5.7", "申請日": None})),
        pass_sheet("R2年度", pass_row({"整理番号": 9, "交付日": "R2.5.7", "申請日": None})),
    )
    ledger = read_ledger(data)
    assert [(p.sheet, p.control_no) for p in ledger.passes] == [("H31年度", 9), ("R2年度", 9)]
    (error,) = ledger.errors
    assert (error.sheet, error.code) == ("R1年度", "duplicate_control_no")
    assert "H31年度" in error.reason
    assert [n.sheet for n in ledger.notices if n.code == "same_fiscal_year"] == ["R1年度"]


@pytest.mark.parametrize(("label", "count"), [("合計", 3), ("計", 3), ("合　計", "3件")])
def test_the_total_row_is_the_clerks_count_not_a_pass(label, count):
    rows = [pass_row({"整理番号": n}) for n in (1, 2, 3)]
    spec = pass_sheet("H30年度", *rows)
    spec.rows = [*rows, {}, [label, None, count]]
    ledger = read_ledger(build_workbook(people_sheet(person()), spec))
    assert [p.control_no for p in ledger.passes] == [1, 2, 3]
    summary = ledger.sheet("H30年度")
    assert (summary.rows_read, summary.blank_rows, summary.total_row, summary.total_value) == (
        3,
        1,
        FIRST_ROW + 4,
        3,
    )
    assert summary.total_row_skipped


def test_a_total_row_without_a_number():
    spec = pass_sheet("H30年度", pass_row(), total="不明")
    summary = read_ledger(build_workbook(people_sheet(person()), spec)).sheet("H30年度")
    assert (summary.total_row_skipped, summary.total_value) == (True, None)


def test_no_total_row():
    summary = read_ledger(simple_workbook(passes=[pass_row()])).sheet("H30年度")
    assert (summary.total_row, summary.total_value, summary.total_row_skipped) == (
        None,
        None,
        False,
    )


def test_header_with_line_breaks_and_columns_in_another_order():
    header = ["No.", "交付\n場所", "住民\u3000番号", "交付 日", "種 別", "整理\r\n番号", "年齢"]
    rows = [[1, "落一", 5, "R2.4.1", "新規", 31, 70]]
    data = build_workbook(people_sheet(person()), SheetSpec("R2年度", header, rows, first_column=2))
    ledger = read_ledger(data)
    assert ledger.errors == ()
    (row,) = ledger.passes
    assert (row.control_no, row.office, row.resident_no, row.issued_on, row.kind) == (
        31,
        "OCHIAI1",
        "0000000005",
        D(2020, 4, 1),
        "new",
    )


def test_statistics_count_taken_and_rejected_rows():
    passes = [
        pass_row({"整理番号": 1}),
        {},
        pass_row({"整理番号": 2, "交付日": None}),
        pass_row({"整理番号": 3}),
    ]
    spec = pass_sheet("H30年度", *passes, total=3)
    ledger = read_ledger(build_workbook(people_sheet(person()), spec))
    summary = ledger.sheet("H30年度")
    assert (
        summary.header_row,
        summary.rows_read,
        summary.blank_rows,
        summary.rows_taken,
        summary.rows_rejected,
        summary.total_value,
    ) == (3, 3, 2, 2, 1, 3)
    assert ledger.errors_of("H30年度", FIRST_ROW + 2)[0].code == "missing"


def test_excel_serial_numbers_in_date_columns():
    row = _read_pass({"申請日": 43192.0, "交付日": 43193})  # 2018-04-02, 2018-04-03
    assert (row.applied_on, row.issued_on) == (D(2018, 4, 2), D(2018, 4, 3))


@pytest.mark.parametrize("first_column", [1, 3])
def test_a_formula_without_result_in_the_issue_date_is_an_error(first_column):
    spec = pass_sheet("H30年度", pass_row({"交付日": "=TODAY()"}), first_column=first_column)
    ledger = read_ledger(build_workbook(people_sheet(person()), spec))
    (error,) = ledger.errors
    assert (error.row, error.column, error.code) == (FIRST_ROW, "交付日", "formula_without_value")


def test_a_formula_without_result_in_an_optional_column_is_a_notice():
    spec = pass_sheet("H30年度", pass_row({"備考": "=B4&C4"}), first_column=2)
    ledger = read_ledger(build_workbook(people_sheet(person()), spec))
    assert ledger.errors == ()
    assert ledger.passes[0].note is None
    (notice,) = ledger.notices
    assert (notice.sheet, notice.row, notice.column, notice.code) == (
        "H30年度",
        FIRST_ROW,
        "備考",
        "formula_without_value",
    )
