"""An Excel workbook written straight to a file, row by row, for the list
exports of tens of thousands of rows (and of a large city's million: a list
longer than a sheet goes on in the next).

openpyxl's write-only mode still builds two cell objects per value and
checks each one twice; at 89,000 people × 9 columns that is most of the
time of an export.  This writer writes the sheet's XML itself: text as inline
strings (no shared-string table, so nothing grows with the rows), numbers as
numbers, dates as date cells.  Every value goes through
:func:`app.files.tables.neutralise` first, exactly as the openpyxl writer's
do, so the same cell is equally safe in either file.  The sheet has a bold,
frozen header row and column widths; a column may carry an Excel number format.

Use it through :func:`app.files.tables.write_large_xlsx`.
"""

import datetime
import itertools
import math
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

_EPOCH = datetime.datetime(1899, 12, 30)
# Style indexes of styles.xml below.
_BOLD, _DATE, _DATETIME, _FIRST_CUSTOM = 1, 2, 3, 4
_CUSTOM_FORMAT_ID = 164

_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
        for i in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}"
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    )  # fmt: skip


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)  # fmt: skip


def _workbook_rels(sheets: int) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{links}<Relationship Id="rId{sheets + 1}" Type="{kind}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _sheet_name(title: str, index: int) -> str:
    """The name of the ``index``-th sheet: the title, then ``title (2)`` …
    (within Excel's 31 characters)."""
    if index == 1:
        return title
    suffix = f" ({index})"
    return title[: 31 - len(suffix)] + suffix


def _workbook(title: str, sheets: int) -> str:
    names = "".join(
        f'<sheet name={quoteattr(_sheet_name(title, i))} sheetId="{i}" r:id="rId{i}"/>'
        for i in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{names}</sheets></workbook>"
    )


def _styles(formats: Sequence[str]) -> str:
    num_fmts = "".join(
        f'<numFmt numFmtId="{_CUSTOM_FORMAT_ID + i}" formatCode={quoteattr(code)}/>'
        for i, code in enumerate(("yyyy/mm/dd", "yyyy/mm/dd hh:mm:ss", *formats))
    )
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1"/>']  # fmt: skip
    xfs += [
        f'<xf numFmtId="{_CUSTOM_FORMAT_ID + i}" fontId="0" fillId="0" borderId="0" '
        'applyNumberFormat="1"/>'
        for i in range(2 + len(formats))
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<numFmts count="{2 + len(formats)}">{num_fmts}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )  # fmt: skip


def _serial(value: datetime.date) -> float:
    if isinstance(value, datetime.datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return float((value - _EPOCH.date()).days)


def _cell(ref: str, value: object, style: int = 0) -> str:
    """One ``<c>`` element; ``value`` is already neutralised and cut."""
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, datetime.datetime):
        return f'<c r="{ref}" s="{style or _DATETIME}"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="{style or _DATE}"><v>{_serial(value):.0f}</v></c>'
    if isinstance(value, float) and not math.isfinite(value):
        return _cell(ref, str(value), style)
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


def _sheet_start(columns: int, widths: Sequence[float], frozen: int) -> str:
    parts = [_SHEET_HEAD, '<sheetViews><sheetView workbookViewId="0">']
    if frozen:
        parts.append(
            f'<pane ySplit="{frozen}" topLeftCell="A{frozen + 1}" activePane="bottomLeft" '
            'state="frozen"/>'
        )
    parts.append("</sheetView></sheetViews>")
    if widths:
        parts.append("<cols>")
        parts.extend(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths[:columns] or widths, 1)
        )
        parts.append("</cols>")
    parts.append("<sheetData>")
    return "".join(parts)


def write(
    out: IO[bytes] | str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    cell_value: Callable[[object], object],
    *,
    widths: Sequence[float] = (),
    number_formats: Mapping[int, str] = {},  # noqa: B006 (read only)
    max_rows: int,
) -> int:
    """Write the workbook to ``out``; ``cell_value`` neutralises one value.

    A list longer than a sheet holds (``max_rows`` with the header: Excel's
    1,048,576) goes on in a second sheet, ``title (2)``, with the header
    again, and so on: a large city's 1.2 million people fit in two.

    :returns: the number of rows written, the header not counted.
    """
    formats = list(dict.fromkeys(number_formats.values()))
    style_of = {col: _FIRST_CUSTOM + formats.index(code) for col, code in number_formats.items()}
    first = 2 if header else 1
    pending: Iterator[Sequence[object]] | None = iter(rows)
    total = sheets = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        while pending is not None:
            sheets += 1
            with book.open(f"xl/worksheets/sheet{sheets}.xml", "w", force_zip64=True) as sheet:
                sheet.write(_sheet_start(len(header), widths, 1 if header else 0).encode())
                if header:
                    names = "".join(
                        _cell(f"{get_column_letter(i)}1", cell_value(name), _BOLD)
                        for i, name in enumerate(header, 1)
                    )
                    sheet.write(f'<row r="1">{names}</row>'.encode())
                count, pending = _write_rows(sheet, pending, cell_value, style_of, first, max_rows)
                sheet.write(b"</sheetData></worksheet>")
            total += count
        # The parts that name the sheets, once their number is known (the
        # package's parts may come in any order).
        book.writestr("[Content_Types].xml", _content_types(sheets))
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook(title, sheets))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(sheets))
        book.writestr("xl/styles.xml", _styles(formats))
    return total


def _write_rows(
    sheet: IO[bytes],
    rows: Iterator[Sequence[object]],
    cell_value: Callable[[object], object],
    style_of: Mapping[int, int],
    first: int,
    max_rows: int,
) -> tuple[int, Iterator[Sequence[object]] | None]:
    """Write rows until the sheet is full or they run out.

    :returns: the rows written, and the rest (``None`` when none is left).
    """
    letters: list[str] = []
    buffer: list[str] = []
    number = first - 1
    for row in rows:
        if number == max_rows:
            sheet.write("".join(buffer).encode())
            return number - first + 1, itertools.chain((row,), rows)
        number += 1
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
        cells = []
        for i, raw in enumerate(row):
            value = cell_value(raw)
            if value == "":
                continue
            style = style_of.get(i, 0) if isinstance(value, int | float | Decimal) else 0
            cells.append(_cell(f"{letters[i]}{number}", value, style))
        buffer.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(buffer) >= 500:
            sheet.write("".join(buffer).encode())
            buffer.clear()
    sheet.write("".join(buffer).encode())
    return number - first + 1, None
