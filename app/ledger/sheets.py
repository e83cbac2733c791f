"""One sheet's rows: header, blank and total rows, conversion, tallies.

Generic over what a row becomes (a person or a pass): the reader gives a
``convert`` function per sheet.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from python_calamine import CalamineSheet

from app.ledger.cells import Cell, is_blank
from app.ledger.errors import RowError, RowNotice
from app.ledger.model import SheetKind, SheetSummary
from app.ledger.package import PartScan, SheetPart
from app.ledger.rows import ColumnSpec, RowReader, locate_header, map_columns, total_count

__all__ = ["Collector", "SheetPlan", "scan_rows"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SheetPlan:
    """A sheet and what the reader will make of it."""

    part: SheetPart
    index: int
    kind: SheetKind
    fiscal_year: int | None = None
    ignored_reason: str | None = None


def _special_by_row(scan: PartScan | None, first_column: int) -> dict[int, dict[int, str]]:
    """Special cells by row index, then by position in calamine's row lists."""
    by_row: dict[int, dict[int, str]] = {}
    if scan is None:
        return by_row
    for (row, column), kind in scan.special_cells.items():
        if column >= first_column:
            by_row.setdefault(row, {})[column - first_column] = kind
    return by_row


@dataclass(slots=True)
class _Tally:
    rows_read: int = 0
    blank_rows: int = 0
    rows_taken: int = 0
    rows_rejected: int = 0
    total_row: int | None = None
    total_value: int | None = None
    totals_found: int = 0


class Collector:
    """Errors and notices of the whole workbook, in reading order."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.notices: list[RowNotice] = []


def _is_blank_row(cells: Sequence[Cell], positions: Sequence[int]) -> bool:
    for position in positions:
        cell = cells[position]
        if cell != "" and not (type(cell) is str and cell.isspace()):
            return False
    return True


def _special_for(
    row_special: dict[int, str] | None, columns: dict[str, int]
) -> dict[str, str] | None:
    if row_special is None:
        return None
    found = {header: row_special[p] for header, p in columns.items() if p in row_special}
    return found or None


def _settle(
    reader: RowReader,
    result: T | None,
    out: list[T],
    tally: _Tally,
    collector: Collector,
    sheet: str,
    row: int,
) -> None:
    if reader.faults or result is None:
        tally.rows_rejected += 1
        collector.errors.extend(
            RowError(sheet, row, f.column, f.reason, f.code, f.value) for f in reader.faults
        )
    else:
        tally.rows_taken += 1
        out.append(result)
    for column, code, message in reader.notes:
        collector.notices.append(RowNotice(sheet, row, column, message, code))


def _count_total(cells: Sequence[Cell], row: int, tally: _Tally) -> bool:
    is_total, count = total_count(cells)
    if is_total:
        tally.total_row, tally.total_value = row, count
        tally.totals_found += 1
    return is_total


def scan_rows(
    sheet: CalamineSheet,
    plan: SheetPlan,
    scan: PartScan | None,
    specs: Sequence[ColumnSpec],
    convert: Callable[[RowReader, int], T | None],
    out: list[T],
    collector: Collector,
) -> SheetSummary:
    name = plan.part.name
    # calamine yields rows from the sheet's first row (1), empty ones
    # included, but cells only from its first used column.
    rows = sheet.iter_rows()
    header_index, keys = locate_header(rows, name)
    columns, notices = map_columns(keys, specs, name, header_index + 1)
    collector.notices.extend(notices)
    positions = tuple(columns.values())
    special = _special_by_row(scan, sheet.start[1] if sheet.start else 0)
    tally = _Tally()
    index = header_index
    for index, cells in enumerate(rows, start=header_index + 1):
        known_blank = _is_blank_row(cells, positions)
        if known_blank and all(is_blank(c) for c in cells):
            tally.blank_rows += 1
        elif _count_total(cells, index + 1, tally):
            continue
        elif known_blank:
            tally.blank_rows += 1
        else:
            tally.rows_read += 1
            reader = RowReader(cells, columns, _special_for(special.get(index), columns))
            _settle(reader, convert(reader, index + 1), out, tally, collector, name, index + 1)
    if sheet.end is not None and index != sheet.end[0]:
        raise RuntimeError(
            f"python-calamine gave rows up to {index}, the sheet ends at {sheet.end[0]}"
        )
    if tally.totals_found > 1:
        collector.notices.append(
            RowNotice(
                name,
                tally.total_row,
                "",
                f"合計の行が{tally.totals_found}行あります。最後の行の値を使いました。",
                "several_totals",
            )
        )
    return SheetSummary(
        name=name,
        index=plan.index,
        kind=plan.kind,
        fiscal_year=plan.fiscal_year,
        hidden=plan.part.hidden,
        header_row=header_index + 1,
        rows_read=tally.rows_read,
        blank_rows=tally.blank_rows,
        rows_taken=tally.rows_taken,
        rows_rejected=tally.rows_rejected,
        total_row=tally.total_row,
        total_value=tally.total_value,
    )
