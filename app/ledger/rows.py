"""Sheet mechanics shared by 対象者 and the fiscal-year sheets.

* The header row is the first row (among the first :data:`HEADER_SEARCH_ROWS`)
  with a cell 「住民番号」 once NFKC-normalised and stripped of every space and
  line break (「交付\\n場所」 is 交付場所).  Columns are found by header text.
* A row is blank when every column the reader knows is blank (a column the
  reader does not know, such as a clerk's 年齢 formula, does not make a row).
* A total row is a row whose first non-empty cell is 「合計」 or 「計」; its
  count is the next non-empty cell to the right.
"""

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from app.ledger.cells import Cell, CellError, cell_text, display_value, is_blank, normalized
from app.ledger.errors import LedgerFileError, RowNotice
from app.ledger.package import FORMULA_WITHOUT_VALUE

__all__ = [
    "HEADER_SEARCH_ROWS",
    "RESIDENT_NO",
    "ColumnSpec",
    "Fault",
    "RowReader",
    "locate_header",
    "map_columns",
    "total_count",
]

T = TypeVar("T")

HEADER_SEARCH_ROWS = 100
RESIDENT_NO = "住民番号"
_TOTAL_LABELS = frozenset({"合計", "計"})
_COUNT_SUFFIXES = "件枚人名"


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column the reader takes: its header and the other ways it is written."""

    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault of the row being read, before the sheet and row are known."""

    column: str
    code: str
    reason: str
    value: str


def header_key(cell: Cell) -> str:
    """A header cell's text as compared: NFKC, no spaces or line breaks."""
    return normalized(cell_text(cell))


def locate_header(rows: Iterator[list[Cell]], sheet: str) -> tuple[int, list[str]]:
    """Consume rows up to the header; return its index (from 0) and its keys.

    :raises LedgerFileError: ``missing_column`` (住民番号) when no row of the
        first :data:`HEADER_SEARCH_ROWS` has it.
    """
    for index, row in enumerate(rows):
        if index >= HEADER_SEARCH_ROWS:
            break
        keys = [header_key(cell) for cell in row]
        if RESIDENT_NO in keys:
            return index, keys
    raise LedgerFileError(
        f"シート「{sheet}」に見出し「{RESIDENT_NO}」の行がありません。",
        code="missing_column",
        sheet=sheet,
        column=RESIDENT_NO,
    )


def map_columns(
    keys: Sequence[str], specs: Sequence[ColumnSpec], sheet: str, header_row: int
) -> tuple[dict[str, int], list[RowNotice]]:
    """Positions of the known columns in the header, and notices about the rest.

    :raises LedgerFileError: ``missing_column`` for a required column.
    """
    by_key = {}
    for spec in specs:
        for alias in (spec.header, *spec.aliases):
            by_key[normalized(alias)] = spec.header
    columns: dict[str, int] = {}
    notices = []
    unknown = []
    for position, key in enumerate(keys):
        header = by_key.get(key)
        if header is None:
            if key:
                unknown.append(key)
        elif header in columns:
            notices.append(
                RowNotice(
                    sheet,
                    header_row,
                    header,
                    "同じ見出しが2列あります。左の列を読みました。",
                    "duplicate_header",
                )
            )
        else:
            columns[header] = position
    for spec in specs:
        if spec.required and spec.header not in columns:
            raise LedgerFileError(
                f"シート「{sheet}」に必須の列「{spec.header}」がありません。",
                code="missing_column",
                sheet=sheet,
                column=spec.header,
            )
    if unknown:
        listed = "、".join(unknown[:20])
        notices.append(
            RowNotice(sheet, header_row, "", f"読まなかった列：{listed}", "unknown_columns")
        )
    return columns, notices


def _count(cell: Cell) -> int | None:
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        value = float(cell)
        return int(value) if value.is_integer() and value >= 0 else None
    text = normalized(cell_text(cell)).replace(",", "").rstrip(_COUNT_SUFFIXES)
    return int(text) if text.isascii() and text.isdigit() else None


def total_count(row: Sequence[Cell]) -> tuple[bool, int | None]:
    """Whether ``row`` is a total row, and the count it gives (``None`` if none)."""
    for position, cell in enumerate(row):
        if is_blank(cell):
            continue
        if type(cell) is not str or len(cell) > 8:
            return False, None
        if unicodedata.normalize("NFKC", "".join(cell.split())) not in _TOTAL_LABELS:
            return False, None
        following = (c for c in row[position + 1 :] if not is_blank(c))
        count = next(following, None)
        return True, (None if count is None else _count(count))
    return False, None


_SPECIAL_REASONS = {
    FORMULA_WITHOUT_VALUE: (
        "formula_without_value",
        "数式の計算結果が保存されていません"
        "（数式は計算しません。Excel で開いて保存し直してください）",
    ),
}


def _special_fault(kind: str) -> tuple[str, str]:
    if kind in _SPECIAL_REASONS:
        return _SPECIAL_REASONS[kind]
    return "error_value", f"エラー値（{kind}）です"


class RowReader:
    """Reads the cells of one row by header, collecting its faults.

    :param cells: the row as calamine gives it.
    :param columns: header → position in ``cells``.
    :param special: header → ``"formula"`` / error value for the cells of this
        row whose formula has no saved result or whose value is an error
        (calamine reads both as empty); ``None`` when there are none.
    """

    __slots__ = ("_cells", "_columns", "_special", "faults", "notes")

    def __init__(
        self,
        cells: Sequence[Cell],
        columns: dict[str, int],
        special: dict[str, str] | None = None,
    ) -> None:
        self._cells = cells
        self._columns = columns
        self._special = special
        self.faults: list[Fault] = []
        # (column, code, message) for optional cells read as empty for a reason
        # worth telling (a formula without its result, an error value).
        self.notes: list[tuple[str, str, str]] = []

    def cell(self, header: str) -> Cell:
        """The raw cell under ``header`` (``""`` when the sheet lacks the column)."""
        position = self._columns.get(header)
        return "" if position is None else self._cells[position]

    def take(self, header: str, read: Callable[[Cell], T], default: T) -> T:
        """``read(cell)``, or ``default`` after recording the fault it raised."""
        position = self._columns.get(header)
        cell: Cell = "" if position is None else self._cells[position]
        try:
            value = read(cell)
        except CellError as error:
            self._record(header, error.code, error.reason, cell)
            return default
        if self._special is not None and header in self._special:
            self.notes.append((header, *_special_fault(self._special[header])))
        return value

    def fault(self, header: str, code: str, reason: str) -> None:
        """Record a fault found by comparing cells (交付日 before 申請日 …)."""
        self.faults.append(Fault(header, code, reason, display_value(self.cell(header))))

    def _record(self, header: str, code: str, reason: str, cell: Cell) -> None:
        if code == "missing" and self._special is not None and header in self._special:
            code, reason = _special_fault(self._special[header])
        self.faults.append(Fault(header, code, reason, display_value(cell)))
