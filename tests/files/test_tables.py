"""app.files.tables on bytes alone: CSV read back with the csv module, Excel
workbooks opened back with openpyxl."""

import csv
import io
import os
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest

from app.files import tables
from app.files.tables import Sheet, csv_bytes, iter_csv, neutralise, write_csv, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    " =1",
    "\r=1",
    "\n=1",
    "\u3000=1",
    "＝1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "\t",
    "\rplain",
    "\tplain",
    "=",
]
HARMLESS = ["", "plain", "試験\u3000花子", "1+1", "a=b", " plain", "'=already quoted", "#N/A"]
HEADER = ["番号", "宛名", "送付先"]


def _csv_rows(data, bom=True):
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") is bom
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _workbook(sheets):
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets)))


# --- neutralise ------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_could_start_a_formula_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_unchanged(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("number", [-5, 0, 7, -1.5, Decimal("-12.30"), True])
def test_numbers_are_never_touched(number):
    result = neutralise(number)
    assert result == number
    assert type(result) is type(number)


def test_none_is_empty_and_dates_stay_dates():
    assert neutralise(None) == ""
    assert neutralise(date(2026, 4, 1)) == date(2026, 4, 1)
    assert neutralise(datetime(2026, 4, 1, 9, 30)) == datetime(2026, 4, 1, 9, 30)


def test_other_objects_are_checked_as_their_text():
    class Hostile:
        def __str__(self):
            return "=cmd|' /C calc'!A0"

    assert neutralise(Hostile()) == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", HOSTILE + HARMLESS)
def test_neutralising_twice_is_neutralising_once(text):
    assert neutralise(neutralise(text)) == neutralise(text)


# --- CSV ----------------------------------------------------------------------------


def test_csv_round_trip_neutralises_hostile_cells_and_keeps_numbers():
    rows = [[n, text, "ok"] for n, text in enumerate(HOSTILE, 1)]
    back = _csv_rows(csv_bytes(HEADER, rows))
    assert back[0] == HEADER
    assert [r[1] for r in back[1:]] == ["'" + text for text in HOSTILE]
    assert [r[0] for r in back[1:]] == [str(n) for n in range(1, len(HOSTILE) + 1)]


def test_csv_numbers_dates_and_none():
    rows = [
        [-5, -1.5, Decimal("-12.30"), None, date(2026, 4, 1), datetime(2026, 4, 1, 9, 5, 7, 99)]
    ]
    back = _csv_rows(csv_bytes(["a", "b", "c", "d", "e", "f"], rows))
    assert back[1] == ["-5", "-1.5", "-12.30", "", "2026-04-01", "2026-04-01 09:05:07"]


def test_csv_bytes_are_utf8_with_a_bom_and_crlf():
    data = csv_bytes(HEADER, [[1, "試験\u3000花子", "東京都新宿区"]])
    assert data.startswith(b"\xef\xbb\xbf" + "番号,宛名,送付先\r\n".encode())
    assert data.endswith("東京都新宿区\r\n".encode())
    assert _csv_rows(data)[1] == ["1", "試験\u3000花子", "東京都新宿区"]
    assert not csv_bytes(HEADER, [], bom=False).startswith(b"\xef\xbb\xbf")


def test_csv_cells_with_line_breaks_and_quotes_survive():
    text = 'line 1\r\nline 2 "quoted", comma'
    assert _csv_rows(csv_bytes(["x"], [[text]]))[1] == [text]


def test_a_40000_character_cell_survives_intact_in_csv():
    text = "=" + "長" * 39_999
    assert _csv_rows(csv_bytes(["x"], [[text]]))[1] == ["'" + text]


def test_the_header_is_neutralised_too_and_may_be_left_out():
    assert _csv_rows(csv_bytes(["=1", "b"], []))[0] == ["'=1", "b"]
    assert _csv_rows(csv_bytes([], [["a"]]), bom=True) == [["a"]]


def test_write_csv_counts_rows_and_reads_a_generator_once():
    out = io.StringIO(newline="")
    assert write_csv(out, HEADER, ([n, "-x", None] for n in range(3))) == 3
    assert out.getvalue().splitlines()[1:] == ["0,'-x,", "1,'-x,", "2,'-x,"]


def test_iter_csv_pieces_add_up_to_csv_bytes():
    rows = [[n, f"@{n}"] for n in range(7)]
    pieces = list(iter_csv(["n", "v"], rows, chunk_rows=3))
    assert len(pieces) == 3  # 3 + 3 + 1 rows, the header with the first
    assert "".join(pieces).encode() == csv_bytes(["n", "v"], rows)
    assert list(iter_csv(["n"], [], bom=False)) == ["n\r\n"]
    with pytest.raises(ValueError, match="chunk_rows"):
        list(iter_csv(["n"], [], chunk_rows=0))


def test_iter_csv_reads_the_rows_only_as_pieces_are_taken():
    taken = []

    def rows():
        for n in range(10):
            taken.append(n)
            yield [n]

    pieces = iter_csv(["n"], rows(), chunk_rows=4)
    assert taken == []
    next(pieces)
    assert taken == [0, 1, 2, 3]


# --- Excel ------------------------------------------------------------------------


def test_hostile_strings_are_string_cells_never_formulas():
    rows = [[text, n] for n, text in enumerate(HOSTILE + ["#N/A"], 1)]
    ws = _workbook([Sheet("一覧", HEADER[:2], rows)])["一覧"]
    cells = list(ws.iter_rows(min_row=2))
    assert [c.value for c, _n in cells] == ["'" + text for text in HOSTILE] + ["#N/A"]
    assert {c.data_type for c, _n in cells} == {"s"}
    assert [n.value for _c, n in cells] == list(range(1, len(HOSTILE) + 2))
    assert {n.data_type for _c, n in cells} == {"n"}


def test_a_string_that_openpyxl_would_take_for_a_formula_is_stored_as_text(monkeypatch):
    # Even were neutralise to let one through, the cell type alone keeps it text.
    monkeypatch.setattr(tables, "neutralise", lambda value: value)
    ws = _workbook([Sheet("s", ["x"], [["=1+1"]])])["s"]
    assert ws["A2"].value == "=1+1"
    assert ws["A2"].data_type == "s"


def test_excel_numbers_dates_and_empty_cells():
    when = datetime(2026, 4, 1, 9, 5, 7, tzinfo=timezone(timedelta(hours=9)))
    rows = [[-5, -1.5, Decimal("2.5"), None, "", date(2026, 4, 1), when, float("nan")]]
    ws = _workbook([Sheet("s", list("abcdefgh"), rows)])["s"]
    a, b, c, d, e, f, g, h = next(ws.iter_rows(min_row=2, max_col=8))
    assert (a.value, b.value, c.value) == (-5, -1.5, 2.5)
    assert {a.data_type, b.data_type, c.data_type} == {"n"}
    assert d.value is None
    assert e.value is None
    assert f.value == datetime(2026, 4, 1)
    assert f.is_date
    assert f.number_format == "yyyy/mm/dd"
    assert g.value == datetime(2026, 4, 1, 9, 5, 7)
    assert g.number_format == "yyyy/mm/dd hh:mm:ss"
    assert h.value == "nan"


def test_japanese_header_bold_frozen_title_rows_and_widths():
    sheet = Sheet(
        "発送リスト",
        HEADER,
        [[1, "試験\u3000花子", "東京都新宿区"]],
        column_widths=(6, 20.5),
        title_rows=("令和8年度 一斉発送", "=not a formula"),
    )
    ws = _workbook([sheet])["発送リスト"]
    assert ws["A1"].value == "令和8年度 一斉発送"
    assert ws["A2"].value == "'=not a formula"
    assert [c.value for c in ws[3]] == HEADER
    assert all(c.font.bold for c in ws[3])
    assert not ws["B4"].font.bold
    assert ws["B4"].value == "試験\u3000花子"
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["A"].width == 6
    assert ws.column_dimensions["B"].width == 20.5


def test_a_long_string_is_kept_up_to_excels_limit_with_its_prefix():
    text = "=" + "x" * 39_999
    ws = _workbook([Sheet("s", ["x"], [[text]])])["s"]
    assert ws["A2"].value == ("'" + text)[: tables.EXCEL_MAX_CELL_CHARS]
    assert ws["A2"].data_type == "s"


def test_control_characters_that_xml_cannot_carry_are_replaced():
    ws = _workbook([Sheet("s", ["x"], [["a\x00b\x1bc\td"]])])["s"]
    assert ws["A2"].value == "a\ufffdb\ufffdc\td"


def test_several_sheets_in_order_with_titles_made_valid():
    sheets = [
        Sheet("a/b:c*d?e[f]g\\h", ["x"], [[1]]),
        Sheet("x" * 40, ["x"], [[2]]),
        Sheet("X" * 40, ["x"], []),
        Sheet("", [], [["no header"]]),
    ]
    wb = _workbook(sheets)
    assert wb.sheetnames == ["a_b_c_d_e_f_g_h", "x" * 31, "X" * 27 + " (2)", "Sheet"]
    assert wb.worksheets[0]["A2"].value == 1
    assert wb.worksheets[3]["A1"].value == "no header"
    assert wb.worksheets[3].freeze_panes is None


@pytest.mark.parametrize(
    ("title", "taken", "expected"),
    [
        ("'quoted'", (), "quoted"),
        ("History", (), "History_"),
        ("   ", (), "Sheet"),
        ("一覧", ("一覧",), "一覧 (2)"),
        ("Data", ("data", "DATA (2)"), "Data (3)"),
        ("😀" * 20, (), "😀" * 15),
        ("line\nbreak", (), "line_break"),
    ],
)
def test_sheet_title(title, taken, expected):
    assert tables.sheet_title(title, taken) == expected


def test_a_workbook_needs_a_sheet_and_a_sheet_fits_in_excel(monkeypatch):
    with pytest.raises(ValueError, match="at least one sheet"):
        xlsx_bytes([])
    monkeypatch.setattr(tables, "EXCEL_MAX_ROWS", 3)
    xlsx_bytes([Sheet("s", ["x"], [[1], [2]])])
    with pytest.raises(ValueError, match="more than 3 rows"):
        xlsx_bytes([Sheet("s", ["x"], [[1], [2], [3]])])


def test_a_workbook_saved_again_as_csv_stays_safe():
    ws = _workbook([Sheet("s", ["x"], [[text] for text in HOSTILE])])["s"]
    values = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    back = _csv_rows(csv_bytes(["x"], [[v] for v in values]))
    assert [r[0] for r in back[1:]] == ["'" + text for text in HOSTILE]


def test_a_failed_workbook_leaves_no_temporary_file(monkeypatch):
    from openpyxl.worksheet import _writer

    def rows():
        yield ["試験\u3000花子"]
        raise RuntimeError("database gone")

    created = []
    real = _writer.create_temporary_file

    def spy(suffix=""):
        created.append(real(suffix))
        return created[-1]

    monkeypatch.setattr(_writer, "create_temporary_file", spy)
    with pytest.raises(RuntimeError, match="database gone"):
        xlsx_bytes([Sheet("ok", ["x"], [[1]]), Sheet("broken", ["x"], rows())])
    assert len(created) == 2
    assert not any(os.path.exists(path) for path in created)
    assert not set(_writer.ALL_TEMP_FILES) & set(created)
