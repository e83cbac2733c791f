"""The ledger reader: whole-file faults, sheets, limits (app.ledger.reader)."""

import io
import os
import struct
import zipfile

import pytest

from app.ledger import LedgerFileError, SheetKind, read_ledger
from app.ledger import reader as reader_module
from tests.ledger.conftest import (
    PASS_HEADER,
    PEOPLE_HEADER,
    SheetSpec,
    build_workbook,
    pass_row,
    pass_sheet,
    patch_part,
    people_sheet,
    person,
    simple_workbook,
)

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refused(data: bytes, **options: object) -> LedgerFileError:
    with pytest.raises(LedgerFileError) as caught:
        read_ledger(data, **options)
    assert caught.value.reason == str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "empty_file", "空"),
        ("住民番号,氏名\n0123456789,山田 太郎\n".encode("cp932"), "text_file", "CSV"),
        ("住民番号,氏名\r\n0123456789,山田\r\n".encode(), "text_file", "CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "pdf", "PDF"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200), "executable", "実行"),
        (os.urandom(4096) + b"\x00\x01", "not_xlsx", "Excel"),
        (bytes(range(256)) * 8, "not_xlsx", "Excel"),
        (
            OLE
            + bytes(500)
            + "EncryptedInfo".encode("utf-16-le")
            + bytes(8)
            + "EncryptedPackage".encode("utf-16-le")
            + bytes(500),
            "encrypted",
            "パスワード",
        ),
        (OLE + bytes(500) + "Workbook".encode("utf-16-le") + bytes(500), "legacy_xls", ".xls"),
        (b"PK\x03\x04" + os.urandom(300), "corrupt", "壊れて"),
    ],
    ids=[
        "empty",
        "csv-cp932",
        "csv-utf8",
        "pdf",
        "exe",
        "random",
        "binary",
        "encrypted",
        "xls",
        "bad-zip",
    ],
)
def test_files_that_are_no_workbook_are_refused(data, code, words):
    error = _refused(data)
    assert error.code == code
    assert words in error.reason


def test_a_zip_that_is_no_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    error = _refused(out.getvalue())
    assert error.code == "not_xlsx"


def test_an_xlsb_workbook_is_refused_with_a_hint():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x00" * 10)
    error = _refused(out.getvalue())
    assert error.code == "unsupported_format"
    assert ".xlsx" in error.reason


def test_no_people_sheet():
    error = _refused(build_workbook(pass_sheet("H30年度", pass_row())))
    assert (error.code, error.sheet) == ("no_people_sheet", "対象者")
    assert "対象者" in error.reason


def test_no_fiscal_year_sheet():
    data = build_workbook(people_sheet(person()), SheetSpec("集計", ["住民番号"]))
    error = _refused(data)
    assert error.code == "no_fiscal_year_sheet"
    assert "年度" in error.reason


@pytest.mark.parametrize(
    ("sheet", "column"),
    [
        ("対象者", "住民番号"),
        ("対象者", "氏名"),
        ("対象者", "生年月日"),
        ("H30年度", "整理番号"),
        ("H30年度", "住民番号"),
        ("H30年度", "交付日"),
    ],
)
def test_a_missing_required_column_names_sheet_and_column(sheet, column):
    people_header = [h for h in PEOPLE_HEADER if not (sheet == "対象者" and h == column)]
    pass_header = [h for h in PASS_HEADER if not (sheet == "H30年度" and h == column)]
    data = build_workbook(
        SheetSpec("対象者", people_header, [person()]),
        SheetSpec("H30年度", pass_header, [pass_row()]),
    )
    error = _refused(data)
    assert (error.code, error.sheet, error.column) == ("missing_column", sheet, column)
    assert sheet in error.reason
    assert column in error.reason


def test_the_header_must_be_within_the_first_rows():
    rows = [["メモ"]] * 120 + [PEOPLE_HEADER]
    data = build_workbook(SheetSpec("対象者", [], rows, title=None), pass_sheet("H30年度"))
    error = _refused(data)
    assert (error.code, error.column) == ("missing_column", "住民番号")


def _bomb(size: int) -> bytes:
    """A workbook whose 対象者 sheet inflates to ``size`` bytes of spaces."""
    data = simple_workbook()

    def inflate(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<sheetData>" + b" " * size, 1)

    return patch_part(data, "xl/worksheets/sheet1.xml", inflate)


def test_a_zip_bomb_is_refused_by_its_ratio_before_calamine_runs(monkeypatch):
    data = _bomb(200 << 20)  # 200 MiB of spaces, about 200 KB compressed
    assert len(data) < 1 << 20

    def never(*_args, **_kwargs):
        raise AssertionError("calamine must not see a zip bomb")

    monkeypatch.setattr(reader_module.CalamineWorkbook, "from_filelike", never)
    error = _refused(data)
    assert error.code == "zip_bomb"
    assert "圧縮率" in error.reason


def test_the_declared_uncompressed_size_is_capped():
    data = simple_workbook()
    error = _refused(data, max_uncompressed_bytes=10_000)
    assert error.code == "zip_bomb"
    assert "大きすぎます" in error.reason
    assert read_ledger(data).people  # the same workbook under the default cap


def test_the_ratio_limit_is_configurable():
    data = _bomb(4 << 20)
    assert _refused(data, max_compression_ratio=50).code == "zip_bomb"


def _lie_about_size(data: bytes, part: bytes, size: int) -> bytes:
    """Set the uncompressed size the central directory declares for ``part``."""
    buffer = bytearray(data)
    at = buffer.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", buffer, at + 28)[0]
        if bytes(buffer[at + 46 : at + 46 + name_length]) == part:
            struct.pack_into("<I", buffer, at + 24, size)
        at = buffer.find(b"PK\x01\x02", at + 4)
    return bytes(buffer)


def test_a_part_lying_about_its_size_is_refused():
    data = _lie_about_size(simple_workbook(), b"xl/worksheets/sheet1.xml", 200)
    error = _refused(data)
    assert error.code == "corrupt"


def test_too_many_rows_is_refused_with_a_configurable_limit():
    people = [person({"住民番号": str(i)}) for i in range(1, 31)]
    data = simple_workbook(people=people)
    error = _refused(data, max_rows=20)
    assert (error.code, error.sheet) == ("too_many_rows", "対象者")
    assert "20" in error.reason
    assert len(read_ledger(data, max_rows=40).people) == 30


def test_a_stray_cell_far_away_is_refused_before_calamine_allocates_it():
    data = simple_workbook()

    def stray(xml: bytes) -> bytes:
        far = b'<row r="900000"><c r="ZZZ900000" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace(b"</sheetData>", far + b"</sheetData>")

    data = patch_part(data, "xl/worksheets/sheet2.xml", stray)
    error = _refused(data)
    assert (error.code, error.sheet) == ("too_many_rows", "H30年度")
    error = _refused(data, max_rows=1_000_000)
    assert (error.code, error.sheet) == ("too_many_columns", "H30年度")


@pytest.mark.parametrize(
    ("name", "fiscal_year"),
    [
        ("H26年度", 2014),
        ("平成26年度", 2014),
        ("H30年度", 2018),
        ("H31年度", 2019),
        ("R1年度", 2019),
        ("R01年度", 2019),
        ("令和元年度", 2019),
        ("R2年度", 2020),
        ("Ｒ３年度", 2021),
        (" R4年度 ", 2022),
    ],
)
def test_fiscal_year_sheet_names(name, fiscal_year):
    ledger = read_ledger(simple_workbook(passes=[pass_row()], year_sheet=name))
    summary = ledger.sheet(name)
    assert (summary.kind, summary.fiscal_year) == (SheetKind.PASSES, fiscal_year)
    assert [p.fiscal_year for p in ledger.passes] == [fiscal_year]
    assert ledger.fiscal_years == (fiscal_year,)


def test_other_sheets_are_listed_as_ignored_and_not_read():
    data = build_workbook(
        SheetSpec("集計", ["住民番号", "件数"], [["=COUNTA(A:A)"]]),
        people_sheet(person()),
        SheetSpec("作業用", ["メモ"], [["x"]]),
        pass_sheet("H30年度", pass_row()),
        SheetSpec("Sheet1", []),
        SheetSpec("H40年度", PASS_HEADER, [pass_row()]),
        SheetSpec("R2年度", PASS_HEADER, [pass_row({"整理番号": 5})], hidden=True),
    )
    ledger = read_ledger(data)
    assert [(s.name, s.kind, s.index) for s in ledger.sheets] == [
        ("集計", SheetKind.IGNORED, 0),
        ("対象者", SheetKind.PEOPLE, 1),
        ("作業用", SheetKind.IGNORED, 2),
        ("H30年度", SheetKind.PASSES, 3),
        ("Sheet1", SheetKind.IGNORED, 4),
        ("H40年度", SheetKind.IGNORED, 5),
        ("R2年度", SheetKind.PASSES, 6),
    ]
    assert [s.name for s in ledger.ignored_sheets] == ["集計", "作業用", "Sheet1", "H40年度"]
    assert ledger.sheet("H40年度").ignored_reason == "年度名が元号の期間と合いません"
    assert ledger.sheet("集計").ignored_reason == "対象者・年度のシートではありません"
    assert ledger.sheet("R2年度").hidden is True
    assert [(p.fiscal_year, p.control_no) for p in ledger.passes] == [(2018, 1), (2020, 5)]


def test_an_xlsm_workbook_is_read_like_an_xlsx():
    data = simple_workbook(passes=[pass_row()])

    def macro_content_type(xml: bytes) -> bytes:
        return xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )

    data = patch_part(data, "[Content_Types].xml", macro_content_type)
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro that never runs")
    ledger = read_ledger(out.getvalue())
    assert [p.control_no for p in ledger.passes] == [1]


def test_the_1904_date_system_is_applied_to_serial_numbers():
    data = simple_workbook(people=[person({"生年月日": 18993.0})])  # 1955-01-01 in 1904
    data = patch_part(
        data,
        "xl/workbook.xml",
        lambda xml: xml.replace(b"<workbookPr", b'<workbookPr date1904="1"', 1),
    )
    ledger = read_ledger(data)
    assert ledger.people[0].birth_date.isoformat() == "1956-01-01"
