"""Rows of the 対象者 sheet (one per person the ledger ever held)."""

import datetime
import functools

from app.ledger.cells import (
    Cell,
    CellError,
    DateReader,
    Memo,
    kana_name,
    optional_text,
    person_name,
    phone_number,
    postal_code,
    resident_number,
    sex_code,
    text_or_empty,
)
from app.ledger.codes import parse_categories, parse_exclusion_reason, parse_mail_reason
from app.ledger.model import PersonRow
from app.ledger.rows import RESIDENT_NO, ColumnSpec, RowReader

__all__ = ["PEOPLE_COLUMNS", "PEOPLE_SHEET", "PersonReader"]

PEOPLE_SHEET = "対象者"
PEOPLE_COLUMNS = (
    ColumnSpec(RESIDENT_NO, required=True),
    ColumnSpec("氏名", required=True),
    ColumnSpec("ふりがな", aliases=("フリガナ", "ふりがな氏名", "カナ氏名", "氏名カナ", "カナ")),
    ColumnSpec("性別"),
    ColumnSpec("生年月日", required=True),
    ColumnSpec("郵便番号", aliases=("〒",)),
    ColumnSpec("住所"),
    ColumnSpec("方書", aliases=("方書き",)),
    ColumnSpec("電話番号", aliases=("電話",)),
    ColumnSpec("区分"),
    ColumnSpec("除外日"),
    ColumnSpec("除外事由"),
    ColumnSpec("送付先宛名"),
    ColumnSpec("送付先郵便番号"),
    ColumnSpec("送付先住所"),
    ColumnSpec("送付先事由"),
    ColumnSpec("備考"),
)

# The application's column sizes (事業対象者).
_NAME_LIMIT = 100
_ADDRESS_LIMIT = 200
_ADDRESS2_LIMIT = 120
_NO_CATEGORIES: frozenset[str] = frozenset()
_NO_REASON: tuple[str | None, str | None] = (None, None)


def _categories(cell: Cell) -> frozenset[str]:
    return parse_categories(optional_text(cell, 100) or "")


def _exclusion(cell: Cell) -> tuple[str | None, str | None]:
    return parse_exclusion_reason(optional_text(cell) or "")


def _mail_reason(cell: Cell) -> tuple[str | None, str | None]:
    return parse_mail_reason(optional_text(cell) or "")


class PersonReader:
    """Turns 対象者 rows into :class:`PersonRow` records.

    :param dates: the workbook's date reader.
    :param sheet: the sheet's name, for the records.
    """

    def __init__(self, dates: DateReader, sheet: str = PEOPLE_SHEET) -> None:
        self._dates = dates
        self._sheet = sheet
        self._address = functools.partial(text_or_empty, limit=_ADDRESS_LIMIT)
        self._address2 = functools.partial(text_or_empty, limit=_ADDRESS2_LIMIT)
        self._mail_name = functools.partial(optional_text, limit=_NAME_LIMIT)
        self._mail_address = functools.partial(optional_text, limit=_ADDRESS_LIMIT)
        self._sex = Memo(sex_code)
        self._categories = Memo(_categories)
        self._exclusion = Memo(_exclusion)

    def _birth_date(self, cell: Cell) -> datetime.date:
        day = self._dates.date(cell)
        if day is None:
            raise CellError("missing", "空欄です")
        return day

    def read(self, r: RowReader, row: int) -> PersonRow | None:
        """The person of one row, or ``None`` when ``r`` recorded a fault."""
        resident_no = r.take(RESIDENT_NO, resident_number, "")
        name = r.take("氏名", person_name, "")
        kana = r.take("ふりがな", kana_name, "")
        sex = r.take("性別", self._sex, None)
        birth_date = r.take("生年月日", self._birth_date, datetime.date.min)
        postal = r.take("郵便番号", postal_code, None)
        address = r.take("住所", self._address, "")
        address2 = r.take("方書", self._address2, "")
        phone = r.take("電話番号", phone_number, "")
        categories = r.take("区分", self._categories, _NO_CATEGORIES)
        excluded_on = r.take("除外日", self._dates.date, None)
        exclusion_reason, exclusion_note = r.take("除外事由", self._exclusion, _NO_REASON)
        mail_name = r.take("送付先宛名", self._mail_name, None)
        mail_postal = r.take("送付先郵便番号", postal_code, None)
        mail_address = r.take("送付先住所", self._mail_address, None)
        mail_reason, mail_reason_note = r.take("送付先事由", _mail_reason, _NO_REASON)
        note = r.take("備考", optional_text, None)
        if r.faults:
            return None
        return PersonRow(
            sheet=self._sheet,
            row=row,
            resident_no=resident_no,
            name=name,
            kana=kana,
            sex=sex,
            birth_date=birth_date,
            postal_code=postal or "",
            address=address,
            address2=address2,
            phone=phone,
            categories=categories,
            excluded_on=excluded_on,
            exclusion_reason=exclusion_reason,
            exclusion_note=exclusion_note,
            mail_name=mail_name,
            mail_postal_code=mail_postal,
            mail_address=mail_address,
            mail_reason=mail_reason,
            mail_reason_note=mail_reason_note,
            note=note,
        )
