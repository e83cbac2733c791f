"""Reading the Excel ledger (エクセル台帳) for the go-live migration — pure.

Bytes in, a typed :class:`~app.ledger.model.Ledger` out; no Flask, no
database.  The workbook is the one described in the migration specification
(excel-ledger.md): a 対象者 sheet and one sheet per fiscal year
(``H26年度`` … ``R1年度`` / ``R01年度`` / ``令和元年度`` … ``平成26年度``); any
other sheet is listed as ignored.

Failures, as the specification requires:

* :class:`~app.ledger.errors.LedgerFileError` — nothing may be applied (the
  file is not a readable .xlsx/.xlsm, is too big or a zip bomb, has no 対象者
  or no fiscal-year sheet, or lacks a required column).
* :class:`~app.ledger.errors.RowError` — one fault of one row; the row is
  not taken, the others are.  Row numbers are Excel's (from 1).

Decisions where the specification leaves room:

* A blank 種別 is decided here, across all fiscal-year sheets: ``new`` for the
  person's first pass *taken* from the ledger, ``renewal`` for a later one,
  ordering passes by fiscal year, 交付日, sheet and row
  (:attr:`PassRow.kind_inferred` says so).  Rejected rows do not count, so
  that what is imported is consistent in itself.
* A second non-reissue pass for one person in one fiscal year is left to the
  applier, which must check it against the application anyway; the reader
  rejects only what the workbook alone proves wrong.
* The same 整理番号 twice in one fiscal year rejects the later row, also when
  two sheets name the same year (``H31年度`` and ``R1年度``, reported as a
  notice); the same 住民番号 twice on 対象者 rejects the later row too.
* A blank 交付場所 rejects the row (the application needs an office and the
  specification gives no default), as does an unknown 区分.
* Formulas are never evaluated: their saved results are read.  A formula
  without a saved result, or an error value, is an error in a required
  column and a notice elsewhere.

Performance: calamine parses each sheet in Rust; rows are then converted one by
one (about 10 µs a row).  See ``bench/ledger_read.py``.
"""

import io
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from app.ledger.cells import Cell, CellError, DateReader, control_number, resident_number
from app.ledger.codes import Office, OfficeResolver, default_offices
from app.ledger.errors import LedgerFileError, RowNotice
from app.ledger.inference import decide_kinds
from app.ledger.model import Ledger, PersonRow, SheetKind, SheetSummary
from app.ledger.package import PartScan, SheetPart, open_package, scan_parts, sniff
from app.ledger.passes import CONTROL_NO, PASS_COLUMNS, PassDraft, PassReader
from app.ledger.people import PEOPLE_COLUMNS, PEOPLE_SHEET, PersonReader
from app.ledger.rows import RESIDENT_NO, RowReader
from app.ledger.sheets import Collector, SheetPlan, scan_rows
from app.text.wareki import WarekiError, parse_fiscal_year_name

__all__ = [
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_COMPRESSION_RATIO",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "read_ledger",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
# Told the name of each sheet as its reading starts.
Progress = Callable[[str], None]

DEFAULT_MAX_ROWS = 500_000
DEFAULT_MAX_COLUMNS = 256
DEFAULT_MAX_UNCOMPRESSED_BYTES = 1 << 30
DEFAULT_MAX_COMPRESSION_RATIO = 100.0
# calamine holds a sheet as a full rectangle of cells: a sheet may be long or
# wide, not both (16 million cells by default).
_CELLS_PER_ROW = 32


@dataclass(frozen=True, slots=True)
class _Limits:
    max_rows: int
    max_columns: int


def _plan_sheet(part: SheetPart, index: int, people_found: bool) -> SheetPlan:
    name = part.name.strip()
    if part.part is None or part.part_kind != "worksheet":
        return SheetPlan(
            part,
            index,
            SheetKind.IGNORED,
            ignored_reason="ワークシートではありません（グラフなど）",
        )
    if name == PEOPLE_SHEET:
        if people_found:
            return SheetPlan(
                part, index, SheetKind.IGNORED, ignored_reason="2枚目の「対象者」シートです"
            )
        return SheetPlan(part, index, SheetKind.PEOPLE)
    try:
        fiscal_year = parse_fiscal_year_name(name)
    except WarekiError:
        return SheetPlan(
            part, index, SheetKind.IGNORED, ignored_reason="年度名が元号の期間と合いません"
        )
    if fiscal_year is None:
        return SheetPlan(
            part, index, SheetKind.IGNORED, ignored_reason="対象者・年度のシートではありません"
        )
    return SheetPlan(part, index, SheetKind.PASSES, fiscal_year)


def _plan_sheets(parts: Sequence[SheetPart]) -> list[SheetPlan]:
    plans: list[SheetPlan] = []
    for index, part in enumerate(parts):
        found = any(p.kind is SheetKind.PEOPLE for p in plans)
        plans.append(_plan_sheet(part, index, found))
    if not any(p.kind is SheetKind.PEOPLE for p in plans):
        raise LedgerFileError(
            "「対象者」シートがありません。", code="no_people_sheet", sheet=PEOPLE_SHEET
        )
    if not any(p.kind is SheetKind.PASSES for p in plans):
        raise LedgerFileError(
            "年度のシート（H30年度、R1年度 など）がひとつもありません。",
            code="no_fiscal_year_sheet",
        )
    return plans


def _check_size(name: str, scan: PartScan, limits: _Limits) -> None:
    if scan.max_row > limits.max_rows:
        raise LedgerFileError(
            f"シート「{name}」の行が多すぎます（{scan.max_row:,}行、上限{limits.max_rows:,}行）。"
            "使っていない行を削除して保存し直してください。",
            code="too_many_rows",
            sheet=name,
        )
    too_wide = scan.max_column > limits.max_columns
    if too_wide or scan.max_row * scan.max_column > limits.max_rows * _CELLS_PER_ROW:
        raise LedgerFileError(
            f"シート「{name}」の列が多すぎます（{scan.max_column:,}列）。"
            "使っていない列を削除して保存し直してください。",
            code="too_many_columns",
            sheet=name,
        )


def _open_workbook(data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError):
        log.info("ledger: calamine could not open the workbook", exc_info=True)
        raise LedgerFileError("ブックが壊れているため読めません。", code="corrupt") from None


def _load_sheet(workbook: CalamineWorkbook, name: str, limits: _Limits) -> CalamineSheet:
    try:
        sheet = workbook.get_sheet_by_name(name)
    except (CalamineError, ValueError, OSError):
        log.info("ledger: calamine could not read sheet %r", name, exc_info=True)
        raise LedgerFileError(
            f"シート「{name}」が壊れているため読めません。", code="corrupt", sheet=name
        ) from None
    if sheet.end is not None and sheet.end[0] + 1 > limits.max_rows:
        # The pre-scan saw fewer rows than calamine found: trust calamine.
        _check_size(name, PartScan(max_row=sheet.end[0] + 1), limits)
    return sheet


def _quiet(read: Callable[[Cell], T], cell: Cell) -> T | None:
    try:
        return read(cell)
    except CellError:
        return None


def _people_converter(reader: PersonReader) -> Callable[[RowReader, int], PersonRow | None]:
    first_rows: dict[str, int] = {}

    def convert(r: RowReader, row: int) -> PersonRow | None:
        person = reader.read(r, row)
        # A rejected row still claims its number: it is the later row that goes.
        resident_no = person.resident_no if person else _quiet(resident_number, r.cell(RESIDENT_NO))
        if resident_no is None:
            return person
        first = first_rows.setdefault(resident_no, row)
        if first == row:
            return person
        r.fault(RESIDENT_NO, "duplicate_resident_no", f"住民番号が{first}行目と重複しています")
        return None

    return convert


def _pass_converter(
    reader: PassReader,
    plan: SheetPlan,
    first_rows: dict[int, tuple[str, int]],
    collector: Collector,
) -> Callable[[RowReader, int], PassDraft | None]:
    sheet, fiscal_year = plan.part.name, plan.fiscal_year or 0

    def duplicate(r: RowReader, row: int, control_no: int | None) -> bool:
        if control_no is None:
            return False
        first_sheet, first_row = first_rows.setdefault(control_no, (sheet, row))
        if (first_sheet, first_row) == (sheet, row):
            return False
        where = (
            f"{first_row}行目"
            if first_sheet == sheet
            else f"シート「{first_sheet}」の{first_row}行目"
        )
        r.fault(
            CONTROL_NO, "duplicate_control_no", f"整理番号{control_no}が{where}と重複しています"
        )
        return True

    def convert(r: RowReader, row: int) -> PassDraft | None:
        draft = reader.read(r, sheet, plan.index, row, fiscal_year)
        control_no = draft.control_no if draft else _quiet(control_number, r.cell(CONTROL_NO))
        if duplicate(r, row, control_no):
            return None
        if draft is not None and draft.returned_on is None and draft.return_note is not None:
            collector.notices.append(
                RowNotice(
                    sheet,
                    row,
                    "返戻日",
                    "返戻日に日付がありません（備考に残します）",
                    "return_undated",
                )
            )
        return draft

    return convert


def _read_people(
    workbook: CalamineWorkbook,
    plan: SheetPlan,
    scans: dict[str, PartScan],
    dates: DateReader,
    limits: _Limits,
    collector: Collector,
) -> tuple[SheetSummary, list[PersonRow]]:
    name = plan.part.name
    sheet = _load_sheet(workbook, name, limits)
    people: list[PersonRow] = []
    convert = _people_converter(PersonReader(dates, name))
    summary = scan_rows(sheet, plan, scans.get(name), PEOPLE_COLUMNS, convert, people, collector)
    return summary, people


def _read_passes(
    workbook: CalamineWorkbook,
    plans: Iterable[SheetPlan],
    scans: dict[str, PartScan],
    reader: PassReader,
    limits: _Limits,
    collector: Collector,
    progress: Progress,
) -> tuple[dict[str, SheetSummary], list[PassDraft]]:
    summaries: dict[str, SheetSummary] = {}
    drafts: list[PassDraft] = []
    first_rows_by_year: dict[int, dict[int, tuple[str, int]]] = {}
    for plan in plans:
        name = plan.part.name
        year = plan.fiscal_year or 0
        if year in first_rows_by_year:
            collector.notices.append(
                RowNotice(
                    name,
                    None,
                    "",
                    "同じ年度のシートが他にもあります。整理番号の重複は両方のシートで調べます。",
                    "same_fiscal_year",
                )
            )
        first_rows = first_rows_by_year.setdefault(year, {})
        progress(name)
        sheet = _load_sheet(workbook, name, limits)
        convert = _pass_converter(reader, plan, first_rows, collector)
        summaries[name] = scan_rows(
            sheet, plan, scans.get(name), PASS_COLUMNS, convert, drafts, collector
        )
    return summaries, drafts


def _read_sheets(
    data: bytes,
    date1904: bool,
    plans: Sequence[SheetPlan],
    scans: dict[str, PartScan],
    limits: _Limits,
    offices: Iterable[Office] | None,
    progress: Progress,
) -> tuple[dict[str, SheetSummary], list[PersonRow], list[PassDraft], Collector]:
    dates = DateReader(date1904=date1904)
    resolver = OfficeResolver(default_offices() if offices is None else offices)
    collector = Collector()
    workbook = _open_workbook(data)
    try:
        people_plan = next(p for p in plans if p.kind is SheetKind.PEOPLE)
        progress(people_plan.part.name)
        people_summary, people = _read_people(
            workbook, people_plan, scans, dates, limits, collector
        )
        pass_plans = [p for p in plans if p.kind is SheetKind.PASSES]
        summaries, drafts = _read_passes(
            workbook, pass_plans, scans, PassReader(dates, resolver), limits, collector, progress
        )
    finally:
        workbook.close()
    return {people_summary.name: people_summary, **summaries}, people, drafts, collector


def read_ledger(
    data: bytes,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_columns: int = DEFAULT_MAX_COLUMNS,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio: float = DEFAULT_MAX_COMPRESSION_RATIO,
    offices: Iterable[Office] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Ledger:
    """Read the ledger workbook (.xlsx / .xlsm bytes).

    :param max_rows: rows per sheet (the last used row number) beyond which
        the workbook is refused; 500,000 by default.
    :param max_columns: columns per sheet beyond which it is refused.
    :param max_uncompressed_bytes: the zip's declared uncompressed size
        beyond which it is refused (1 GiB by default).
    :param max_compression_ratio: uncompressed / compressed size beyond which
        a part over 1 MiB is taken for a zip bomb (100 by default; Excel's
        sheets compress 5 to 20 times).
    :param offices: the offices to recognise; ``app/data/offices.json`` by
        default.
    :param progress: ``progress(sheet, done, total)`` before each sheet read.
    :raises LedgerFileError: for every file-level fault (nothing may be applied).
    :raises RuntimeError: python-calamine no longer numbers rows as expected.
    """
    started = time.perf_counter()
    limits = _Limits(max_rows, max_columns)
    sniff(data)
    package = open_package(
        data,
        max_uncompressed_bytes=max_uncompressed_bytes,
        max_compression_ratio=max_compression_ratio,
    )
    plans = _plan_sheets(package.sheets)
    read_plans = [p for p in plans if p.kind is not SheetKind.IGNORED]
    scans = scan_parts(package, {p.part.name for p in read_plans})
    for name, scan in scans.items():
        _check_size(name, scan, limits)
    summaries, people, drafts, collector = _read_sheets(
        data, package.date1904, read_plans, scans, limits, offices, _counter(progress, read_plans)
    )
    sheets = tuple(summaries.get(p.part.name) or _ignored_summary(p) for p in plans)
    passes = decide_kinds(drafts)
    ledger = Ledger(
        sheets=sheets,
        people=tuple(people),
        passes=passes,
        errors=tuple(collector.errors),
        notices=tuple(collector.notices),
    )
    log.info(
        "ledger read: %d sheets, %d people, %d passes, %d row errors in %.2f s",
        len(sheets),
        len(ledger.people),
        len(ledger.passes),
        len(ledger.errors),
        time.perf_counter() - started,
    )
    return ledger


def _counter(
    report: Callable[[str, int, int], None] | None, plans: Sequence[SheetPlan]
) -> Progress:
    """A :data:`Progress` that counts the sheets for ``report``."""
    total = len(plans)
    done = 0

    def step(sheet: str) -> None:
        nonlocal done
        if report is not None:
            report(sheet, done, total)
        done += 1

    return step


def _ignored_summary(plan: SheetPlan) -> SheetSummary:
    return SheetSummary(
        name=plan.part.name,
        index=plan.index,
        kind=SheetKind.IGNORED,
        fiscal_year=None,
        hidden=plan.part.hidden,
        ignored_reason=plan.ignored_reason,
    )
