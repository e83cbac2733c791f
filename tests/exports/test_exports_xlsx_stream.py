"""The streaming workbook writer of the list exports (app.files.tables.write_large_xlsx),
read back with openpyxl."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.files import tables


def _book(rows, **extra):
    out = io.BytesIO()
    sheet = tables.Sheet(title="一覧", header=["氏名", "数", "日付"], rows=rows, **extra)
    count = tables.write_large_xlsx(out, sheet)
    return count, load_workbook(io.BytesIO(out.getvalue()))


def test_exports_stream_writer_reads_back_with_types_and_layout():
    rows = [
        ['=HYPERLINK("http://x")', 1234567, date(2026, 3, 31)],
        ["@SUM(A1)", -5, datetime(2026, 4, 1, 9, 30, 15)],
        ["<&>\u3000外字𠮷", Decimal("1.5"), None],
        ["bad\x01char", 2.25, ""],
    ]
    count, book = _book(rows, column_widths=(30, 10, 14), number_formats={1: "#,##0"})
    assert count == 4
    sheet = book["一覧"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("氏名", "数", "日付")
    assert values[1] == ('\'=HYPERLINK("http://x")', 1234567, datetime(2026, 3, 31))
    assert values[2] == ("'@SUM(A1)", -5, datetime(2026, 4, 1, 9, 30, 15))
    assert values[3] == ("<&>\u3000外字𠮷", 1.5, None)
    assert values[4] == ("bad\ufffdchar", 2.25, None)
    assert sheet["A1"].font.b
    assert sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].number_format == "yyyy/mm/dd"
    assert sheet["C3"].number_format == "yyyy/mm/dd hh:mm:ss"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 30
    assert sheet["A2"].data_type == "s"


def test_exports_stream_writer_streams_a_generator_once():
    taken = []

    def rows():
        for n in range(5000):
            taken.append(n)
            yield [f"人{n}", n, None]

    count, book = _book(rows())
    assert count == 5000
    assert len(taken) == 5000
    assert book.active.max_row == 5001


def test_exports_stream_writer_refuses_title_rows():
    with pytest.raises(ValueError, match="title rows"):
        tables.write_large_xlsx(io.BytesIO(), tables.Sheet("x", ["a"], [], title_rows=["t"]))


def test_exports_temporary_file_is_removed_when_a_download_is_abandoned(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"x" * 1000)
    pieces = tables.pieces_then_remove(str(path), chunk_bytes=100)
    assert next(pieces) == b"x" * 100
    pieces.close()  # the browser went away
    assert not path.exists()


@pytest.mark.parametrize(("rows", "sheets"), [(6, 2), (7, 3), (3, 1), (0, 1)])
def test_exports_a_list_longer_than_a_sheet_goes_on_in_the_next(monkeypatch, rows, sheets):
    """Excel holds 1,048,576 rows a sheet; a large city's 1.2 million people
    go on in 「一覧 (2)」, each sheet with the header, nothing lost or doubled
    (here a sheet of 4 rows: the header and 3)."""
    monkeypatch.setattr(tables, "EXCEL_MAX_ROWS", 4)
    count, book = _book([[f"人{n}", n, None] for n in range(rows)])
    assert count == rows
    assert book.sheetnames == ["一覧", *(f"一覧 ({k})" for k in range(2, sheets + 1))]
    found = []
    for name in book.sheetnames:
        values = list(book[name].iter_rows(values_only=True))
        assert values[0] == ("氏名", "数", "日付")
        assert len(values) <= 4
        found += [row[1] for row in values[1:]]
    assert found == list(range(rows))
