"""Tables as CSV and Excel files that a spreadsheet cannot be tricked into running.

A cell whose text starts like a formula (``=HYPERLINK(...)``, ``+1``, ``@SUM(...)``)
is run by Excel or LibreOffice when the file is opened: "CSV injection".  Every
cell written here goes through :func:`neutralise`, which puts an apostrophe in
front of such text (the OWASP advice), so the spreadsheet shows it as text.
Numbers are never changed: ``-5`` given as a number stays a number.

CSV is written by the :mod:`csv` module with CRLF line ends, and as bytes in
UTF-8 with a byte-order mark, without which Excel reads Japanese as mojibake.
Excel files are written by openpyxl's write-only workbook (rows are streamed to
the file, so memory stays bounded), every text cell stored as a string cell.
"""

import contextlib
import csv
import io
import itertools
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, TextIO, overload

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "EXCEL_MAX_CELL_CHARS",
    "EXCEL_MAX_ROWS",
    "Sheet",
    "csv_bytes",
    "iter_csv",
    "iter_xlsx",
    "neutralise",
    "pieces_then_remove",
    "sheet_title",
    "write_csv",
    "write_large_xlsx",
    "write_xlsx",
    "xlsx_bytes",
]

# A value as written: text, a number, or a date (a datetime is a date too).
Scalar = str | int | float | Decimal | date

# Excel reads the full-width forms as the ASCII ones when they are typed with a
# Japanese input method; whether it ever does so on opening a file is not
# documented, so they are treated alike.
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# OWASP lists these as dangerous in the first position whatever follows them.
_CONTROL_START = ("\t", "\r")

BOM = "\ufeff"
DATE_FORMAT = "yyyy/mm/dd"
DATETIME_FORMAT = "yyyy/mm/dd hh:mm:ss"
EXCEL_MAX_ROWS = 1_048_576
# Excel cannot hold more in a cell; openpyxl would cut the text there silently.
EXCEL_MAX_CELL_CHARS = 32_767
_SHEET_TITLE_MAX = 31
_SHEET_TITLE_BAD = re.compile(r"[\x00-\x1f\[\]:*?/\\]")
_BOLD = Font(bold=True)
# openpyxl's own list, so that no text it would refuse gets through.
_NOT_IN_XML: re.Pattern[str] = ILLEGAL_CHARACTERS_RE


@overload
def neutralise(value: str | None) -> str: ...
@overload
def neutralise(value: object) -> Scalar: ...
def neutralise(value: object) -> Scalar:
    """``value`` as a cell no spreadsheet would run as a formula.

    Text whose first character, after any leading white space (spaces, tabs,
    CR, LF, the full-width space, ...), is one of ``= + - @`` or their
    full-width forms, or whose very first character is a tab or a CR, gets a
    leading ``'``.  Numbers and dates are returned as they are, ``None`` as
    ``""``, and anything else as its ``str()``, checked like any text.
    Applying it twice changes nothing more than applying it once.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal | date):  # bool is an int
        return value
    text = value if isinstance(value, str) else str(value)
    # str.lstrip() skips every kind of Unicode white space, a superset of what
    # spreadsheets are known to skip before a formula: erring on the safe side.
    if text.startswith(_CONTROL_START) or text.lstrip()[:1] in _FORMULA_START:
        return "'" + text
    return text


# --- CSV ----------------------------------------------------------------------


def _csv_cell(value: object) -> str | int | float | Decimal:
    cell = neutralise(value)
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ", timespec="seconds")
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write ``header`` (unless empty) and ``rows`` as CSV to the text stream ``out``.

    ``out`` should be opened with ``newline=""``; the lines end in CRLF.
    Dates are written as ISO text (a datetime to the second).

    :returns: the number of rows written, the header not counted.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow([_csv_cell(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        count += 1
    return count


def iter_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = True,
    chunk_rows: int = 500,
) -> Iterator[str]:
    """The CSV of :func:`write_csv` in pieces of ``chunk_rows`` rows, for a
    streamed download (``rows`` is read only as the pieces are taken)."""
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    write_csv(buffer, header, ())
    remaining = iter(rows)
    while True:
        written = write_csv(buffer, (), itertools.islice(remaining, chunk_rows))
        piece = buffer.getvalue()
        if piece:
            yield piece
        if written < chunk_rows:
            return
        buffer.seek(0)
        buffer.truncate()


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = True
) -> bytes:
    """The CSV of :func:`write_csv` in UTF-8, after a byte-order mark unless
    ``bom`` is false."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    write_csv(buffer, header, rows)
    return buffer.getvalue().encode("utf-8")


# --- Excel --------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One worksheet: ``title_rows`` (e.g. a report's title, one line each in
    column A), then the bold ``header``, then ``rows``.

    ``rows`` may be a generator; it is read once, when the workbook is written.
    ``column_widths`` are in Excel's units (characters), from column A on.
    ``number_formats`` maps a column index (0 for A) to the Excel number
    format of its numbers (e.g. ``"#,##0"``); dates keep their date format.
    The header row is frozen (it stays in view when scrolling).
    """

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]
    column_widths: Sequence[float] = ()
    title_rows: Sequence[str] = ()
    number_formats: Mapping[int, str] = field(default_factory=dict)


def _utf16_cut(text: str, limit: int) -> str:
    # Excel counts UTF-16 units: a character outside the BMP counts twice.
    text = text[:limit]
    while len(text.encode("utf-16-le")) // 2 > limit:
        text = text[:-1]
    return text


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """``title`` made a valid Excel sheet name, different from every name in
    ``taken`` (compared as Excel does, ignoring case).

    At most 31 characters, none of ``[ ] : * ? / \\`` nor control characters
    (each becomes ``_``), no apostrophe at either end, never empty and never
    ``History`` (which Excel keeps for itself); a clash gets `` (2)``, `` (3)``...
    """
    clean = _utf16_cut(_SHEET_TITLE_BAD.sub("_", title).strip(), _SHEET_TITLE_MAX).strip("'")
    clean = clean.strip() or "Sheet"
    if clean.casefold() == "history":
        clean += "_"
    used = {name.casefold() for name in taken}
    candidate, number = clean, 1
    while candidate.casefold() in used:
        number += 1
        suffix = f" ({number})"
        candidate = _utf16_cut(clean, _SHEET_TITLE_MAX - len(suffix)).rstrip("'") + suffix
    return candidate


def _excel_text(text: str) -> str:
    # openpyxl refuses control characters (XML cannot carry them); a visible
    # replacement keeps the rest of the cell, and shows that something was there.
    return _NOT_IN_XML.sub("\ufffd", text)[:EXCEL_MAX_CELL_CHARS]


def _excel_cell(ws: Any, value: object, font: Font | None = None) -> Any:
    """A write-only cell for ``value``, or ``None`` for an empty one."""
    cell_value = neutralise(value)
    if cell_value == "":
        return None
    if isinstance(cell_value, float) and not math.isfinite(cell_value):
        cell_value = str(cell_value)  # Excel has no NaN or infinity
    if isinstance(cell_value, str):
        cell = WriteOnlyCell(ws, _excel_text(cell_value))
        # openpyxl would store text starting with "=" as a formula and "#N/A"
        # as an error; a string cell is shown exactly as written.
        cell.data_type = "s"
    elif isinstance(cell_value, datetime):
        # Excel has no time zones; the wall-clock time is what a reader expects.
        cell = WriteOnlyCell(ws, cell_value.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
    elif isinstance(cell_value, date):
        cell = WriteOnlyCell(ws, cell_value)
        cell.number_format = DATE_FORMAT
    else:
        cell = WriteOnlyCell(ws, cell_value)
    if font is not None:
        cell.font = font
    return cell


def _formatted(cells: list[Any], formats: Mapping[int, str]) -> list[Any]:
    for index, number_format in formats.items():
        cell = cells[index] if index < len(cells) else None
        if cell is not None and isinstance(cell.value, int | float | Decimal):
            cell.number_format = number_format
    return cells


def _write_sheet(workbook: Any, sheet: Sheet, taken: list[str]) -> None:
    ws = workbook.create_sheet(sheet_title(sheet.title, taken))
    taken.append(ws.title)
    # Column widths and the frozen pane are written before the first row.
    for index, width in enumerate(sheet.column_widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    used = len(sheet.title_rows)
    if sheet.header:
        used += 1
        ws.freeze_panes = f"A{used + 1}"
    for line in sheet.title_rows:
        ws.append([_excel_cell(ws, line)])
    if sheet.header:
        ws.append([_excel_cell(ws, name, _BOLD) for name in sheet.header])
    for row in sheet.rows:
        used += 1
        if used > EXCEL_MAX_ROWS:
            raise ValueError(f"sheet {ws.title!r}: more than {EXCEL_MAX_ROWS} rows")
        cells = [_excel_cell(ws, value) for value in row]
        ws.append(_formatted(cells, sheet.number_formats) if sheet.number_formats else cells)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook (.xlsx) of ``sheets``, in order.

    Text is stored as string cells (never a formula), neutralised as in CSV so
    that it stays safe when the workbook is saved again as CSV, and cut at
    Excel's limit of 32,767 characters.  Dates are date cells shown as
    ``yyyy/mm/dd`` (datetimes with the time).

    :raises ValueError: no sheets, or a sheet of more rows than Excel holds;
        whatever reading ``rows`` raises, after removing the temporary files.
    """
    out = io.BytesIO()
    write_xlsx(out, sheets)
    return out.getvalue()


def write_xlsx(out: IO[bytes] | str, sheets: Sequence[Sheet]) -> None:
    """Write the workbook of :func:`xlsx_bytes` to ``out`` (a binary file or a
    path): rows are streamed through openpyxl's write-only sheets, so an
    export of 89,000 people never holds them all in memory.

    :raises ValueError: as :func:`xlsx_bytes`.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    workbook = Workbook(write_only=True)
    taken: list[str] = []
    try:
        for sheet in sheets:
            _write_sheet(workbook, sheet, taken)
        workbook.save(out)
    except BaseException:
        _discard(workbook)
        raise


def _large_cell(value: object) -> object:
    cell = neutralise(value)
    if isinstance(cell, str):
        return _excel_text(cell)
    return cell


def write_large_xlsx(out: IO[bytes] | str, sheet: Sheet) -> int:
    """Write one ``sheet`` as a workbook to ``out`` (a binary file or a path)
    by the streaming writer of :mod:`app.files.xlsx_stream`: several times
    faster than openpyxl for a list of tens of thousands of rows, memory
    bounded whatever the length.  Cells are neutralised exactly as by
    :func:`write_xlsx`; ``title_rows`` are not supported (a list has none).

    A list longer than an Excel sheet holds continues in more sheets.

    :returns: the number of rows written.
    :raises ValueError: a sheet with ``title_rows``.
    """
    from app.files import xlsx_stream

    if sheet.title_rows:
        raise ValueError("write_large_xlsx writes a plain list: no title rows")
    return xlsx_stream.write(
        out,
        sheet_title(sheet.title),
        sheet.header,
        sheet.rows,
        _large_cell,
        widths=sheet.column_widths,
        number_formats=sheet.number_formats,
        max_rows=EXCEL_MAX_ROWS,
    )


def iter_xlsx(sheets: Sequence[Sheet], *, chunk_bytes: int = 256 * 1024) -> Iterator[bytes]:
    """The workbook of :func:`write_xlsx` written to a temporary file when the
    first piece is taken, then read back in pieces of ``chunk_bytes`` for a
    streamed download; the file is removed when the last piece is taken, or
    when the download is abandoned (the generator is closed)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, sheets)
    except BaseException:
        os.unlink(path)
        raise
    yield from pieces_then_remove(path, chunk_bytes=chunk_bytes)


def pieces_then_remove(path: str, *, chunk_bytes: int = 256 * 1024) -> Iterator[bytes]:
    """The bytes of the (temporary) file ``path`` in pieces, for a streamed
    download; the file is removed after the last piece, or when the download
    is abandoned (the generator is closed)."""
    try:
        with open(path, "rb") as data:
            while piece := data.read(chunk_bytes):
                yield piece
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _discard(workbook: Any) -> None:
    # A write-only sheet streams its rows to a temporary file that only a
    # successful save removes: a failed export must not leave personal data on
    # disk until the process ends.  The error being raised is the one to report.
    for ws in workbook.worksheets:
        writer = ws._writer
        if writer is None:
            continue
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()
        with contextlib.suppress(OSError, ValueError):
            writer.cleanup()
