"""Workbooks for the ledger reader's tests, built with openpyxl (dummy data only).

:func:`build_workbook` lays every sheet out as the clerks did: a merged title
row, a blank row, the header on row 3, data from row 4 (:data:`FIRST_ROW`),
and optionally a blank row and a total row at the bottom.
"""

import datetime
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import openpyxl
from openpyxl.utils import get_column_letter

PEOPLE_HEADER = [
    "住民番号",
    "氏名",
    "ふりがな",
    "性別",
    "生年月日",
    "郵便番号",
    "住所",
    "方書",
    "電話番号",
    "区分",
    "除外日",
    "除外事由",
    "送付先宛名",
    "送付先郵便番号",
    "送付先住所",
    "送付先事由",
    "備考",
]
PASS_HEADER = [
    "整理番号",
    "住民番号",
    "氏名",
    "申請日",
    "交付日",
    "交付場所",
    "交付方法",
    "種別",
    "返戻日",
    "再送日",
    "備考",
]
FIRST_ROW = 4  # title, blank, header, then data


class Literal(str):
    """Text written as a string cell even when it starts with 「=」."""


@dataclass
class SheetSpec:
    """One sheet: rows are dicts by header text, or raw lists."""

    name: str
    header: Sequence[str]
    rows: Sequence[Mapping[str, object] | Sequence[object]] = ()
    title: str | None = "ふれあい入浴証 台帳"
    total: object = None
    first_column: int = 1
    hidden: bool = False
    blank_before_total: bool = True


def person(values: Mapping[str, object] | None = None) -> dict[str, object]:
    """A valid 対象者 row, with ``values`` (by header) replacing the defaults."""
    row: dict[str, object] = {
        "住民番号": "0000000001",
        "氏名": "山田 太郎",
        "ふりがな": "ヤマダ タロウ",
        "性別": "男",
        "生年月日": datetime.date(1955, 4, 1),
        "郵便番号": "160-0022",
        "住所": "東京都新宿区新宿1-1-1",
        "区分": "高齢",
    }
    row.update(values or {})
    return row


def pass_row(values: Mapping[str, object] | None = None) -> dict[str, object]:
    """A valid pass row, with ``values`` (by header) replacing the defaults."""
    row: dict[str, object] = {
        "整理番号": 1,
        "住民番号": "0000000001",
        "氏名": "山田 太郎",
        "申請日": datetime.date(2018, 4, 2),
        "交付日": datetime.date(2018, 4, 2),
        "交付場所": "本課",
        "交付方法": "窓口",
        "種別": "新規",
    }
    row.update(values or {})
    return row


def _write(ws, row, column, value):
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, Literal):
        cell.data_type = "s"


def _fill(ws, spec):
    col0 = spec.first_column
    width = max(len(spec.header), 1)
    if spec.title is not None:
        _write(ws, 1, col0, spec.title)
        ws.merge_cells(start_row=1, start_column=col0, end_row=1, end_column=col0 + width - 1)
    for offset, text in enumerate(spec.header):
        _write(ws, 3, col0 + offset, text)
    row_no = FIRST_ROW
    for row in spec.rows:
        values = [row.get(h) for h in spec.header] if isinstance(row, Mapping) else list(row)
        for offset, value in enumerate(values):
            if value is not None:
                _write(ws, row_no, col0 + offset, value)
        row_no += 1
    if spec.total is not None:
        row_no += 1 if spec.blank_before_total else 0
        _write(ws, row_no, col0, "合計")
        _write(ws, row_no, col0 + 1, spec.total)


def build_workbook(*sheets: SheetSpec) -> bytes:
    """Save the sheets, in order, as .xlsx bytes."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        _fill(ws, spec)
        if spec.hidden:
            ws.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def people_sheet(*rows: Mapping[str, object] | Sequence[object], **options: object) -> SheetSpec:
    return SheetSpec("対象者", PEOPLE_HEADER, list(rows), **options)


def pass_sheet(
    name: str, *rows: Mapping[str, object] | Sequence[object], **options: object
) -> SheetSpec:
    return SheetSpec(name, PASS_HEADER, list(rows), **options)


def simple_workbook(
    people: Sequence[Mapping[str, object]] = (),
    passes: Sequence[Mapping[str, object]] = (),
    year_sheet: str = "H30年度",
) -> bytes:
    """対象者 and one fiscal-year sheet."""
    return build_workbook(people_sheet(*(people or [person()])), pass_sheet(year_sheet, *passes))


def patch_part(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """Rewrite one part of a workbook's zip (to make what openpyxl cannot)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def cell_ref(column_index: int, row: int) -> str:
    """``(1, 4)`` → ``"A4"``."""
    return f"{get_column_letter(column_index)}{row}"
