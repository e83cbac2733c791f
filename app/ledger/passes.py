"""Rows of the fiscal-year sheets (H26年度 … R2年度 …): one pass each."""

import datetime
import functools
from dataclasses import dataclass

from app.ledger.cells import (
    Cell,
    CellError,
    DateReader,
    Memo,
    cell_text,
    control_number,
    optional_text,
    resident_number,
    text_or_empty,
)
from app.ledger.codes import OfficeResolver, parse_kind, parse_method
from app.ledger.rows import RESIDENT_NO, ColumnSpec, RowReader

__all__ = ["PASS_COLUMNS", "PassDraft", "PassReader"]

CONTROL_NO = "整理番号"
ISSUED_ON = "交付日"
APPLIED_ON = "申請日"
RETURNED_ON = "返戻日"
RESENT_ON = "再送日"
PASS_COLUMNS = (
    ColumnSpec(CONTROL_NO, required=True),
    ColumnSpec(RESIDENT_NO, required=True),
    ColumnSpec("氏名"),
    ColumnSpec(APPLIED_ON, aliases=("申請年月日",)),
    ColumnSpec(ISSUED_ON, required=True, aliases=("交付年月日",)),
    ColumnSpec("交付場所"),
    ColumnSpec("交付方法"),
    ColumnSpec("種別"),
    ColumnSpec(RETURNED_ON),
    ColumnSpec(RESENT_ON),
    ColumnSpec("備考"),
)
_NAME_LIMIT = 100
_NO_RETURN: tuple[datetime.date | None, str | None] = (None, None)
_NO_KIND: tuple[str, str | None] | None = None


@dataclass(slots=True)
class PassDraft:
    """A pass row read without fault, before its blank 種別 is decided.

    ``kind`` is ``None`` when 種別 was blank.
    """

    sheet: str
    sheet_index: int
    row: int
    fiscal_year: int
    control_no: int
    resident_no: str
    name: str
    applied_on: datetime.date
    applied_on_from_issued: bool
    issued_on: datetime.date
    office: str
    method: str
    kind: str | None
    reissue_reason: str | None
    returned_on: datetime.date | None
    return_note: str | None
    resent_on: datetime.date | None
    note: str | None


def _method(cell: Cell) -> str:
    return parse_method(cell_text(cell))


def _kind(cell: Cell) -> tuple[str, str | None] | None:
    return parse_kind(cell_text(cell))


class PassReader:
    """Turns the rows of one fiscal-year sheet into :class:`PassDraft` records.

    :param dates: the workbook's date reader.
    :param offices: the office spellings.
    """

    def __init__(self, dates: DateReader, offices: OfficeResolver) -> None:
        self._dates = dates
        self._offices = offices
        self._name = functools.partial(text_or_empty, limit=_NAME_LIMIT)
        self._office = Memo(self._office_code)
        self._method = Memo(_method)
        self._kind = Memo(_kind)

    def _issued_on(self, cell: Cell) -> datetime.date:
        day = self._dates.date(cell)
        if day is None:
            raise CellError("missing", "交付日が空欄です")
        return day

    def _office_code(self, cell: Cell) -> str:
        return self._offices.resolve(cell_text(cell))

    def read(
        self, r: RowReader, sheet: str, sheet_index: int, row: int, fiscal_year: int
    ) -> PassDraft | None:
        """The pass of one row, or ``None`` when ``r`` recorded a fault."""
        control_no = r.take(CONTROL_NO, control_number, 0)
        resident_no = r.take(RESIDENT_NO, resident_number, "")
        name = r.take("氏名", self._name, "")
        applied_on = r.take(APPLIED_ON, self._dates.date, None)
        issued_on = r.take(ISSUED_ON, self._issued_on, None)
        office = r.take("交付場所", self._office, "")
        method = r.take("交付方法", self._method, "counter")
        kind = r.take("種別", self._kind, _NO_KIND)
        returned_on, return_note = r.take(RETURNED_ON, self._dates.date_with_note, _NO_RETURN)
        resent_on = r.take(RESENT_ON, self._dates.date, None)
        note = r.take("備考", optional_text, None)
        if issued_on is not None:
            _check_order(r, applied_on, issued_on, returned_on, resent_on)
        if r.faults or issued_on is None:
            return None
        return PassDraft(
            sheet=sheet,
            sheet_index=sheet_index,
            row=row,
            fiscal_year=fiscal_year,
            control_no=control_no,
            resident_no=resident_no,
            name=name,
            applied_on=applied_on or issued_on,
            applied_on_from_issued=applied_on is None,
            issued_on=issued_on,
            office=office,
            method=method,
            kind=None if kind is None else kind[0],
            reissue_reason=None if kind is None else kind[1],
            returned_on=returned_on,
            return_note=return_note,
            resent_on=resent_on,
            note=note,
        )


def _check_order(
    r: RowReader,
    applied_on: datetime.date | None,
    issued_on: datetime.date,
    returned_on: datetime.date | None,
    resent_on: datetime.date | None,
) -> None:
    if applied_on is not None and issued_on < applied_on:
        r.fault(ISSUED_ON, "issued_before_applied", "交付日が申請日より前です")
    if returned_on is not None and returned_on < issued_on:
        r.fault(RETURNED_ON, "returned_before_issued", "返戻日が交付日より前です")
    if resent_on is not None and resent_on < issued_on:
        r.fault(RESENT_ON, "resent_before_issued", "再送日が交付日より前です")
