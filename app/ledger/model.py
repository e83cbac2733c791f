"""The typed result of reading the Excel ledger (エクセル台帳).

Codes are the application's own (the models of 事業対象者 and 交付記録):

* categories: ``elderly`` (高齢), ``disabled`` (障害), ``child_allowance`` (児童);
* exclusion reasons: ``moved_out`` (転出), ``deceased`` (死亡), ``struck_off``
  (職権消除), ``lost_eligibility`` (資格喪失), ``not_extracted`` (抽出対象外),
  ``other`` (その他);
* mailing reasons: ``facility`` (施設入所), ``family`` (家族方), ``other``;
* pass kinds: ``new``, ``renewal``, ``reissue``; reissue reasons ``lost``,
  ``damaged``; methods ``counter`` (窓口), ``mail`` (郵送);
* offices: the codes of ``app/data/offices.json`` (``HQ``, ``YOTSUYA`` …).
"""

import datetime
import enum
from dataclasses import dataclass

from app.ledger.errors import RowError, RowNotice

__all__ = ["Ledger", "PassRow", "PersonRow", "SheetKind", "SheetSummary"]


class SheetKind(enum.StrEnum):
    """What a sheet holds, decided by its name."""

    PEOPLE = "people"
    PASSES = "passes"
    IGNORED = "ignored"


def _join_notes(*parts: tuple[str, str | None]) -> str | None:
    lines = [f"{label}{text}" for label, text in parts if text]
    return "\n".join(lines) or None


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One row of the 対象者 sheet that was taken.

    Text fields are stripped; blank optional text is ``""`` for the fields the
    application stores as ``""`` (kana, postal code, address, 方書, phone) and
    ``None`` for the nullable ones.

    :param resident_no: 10 ASCII digits (leading zeros restored).
    :param name: as typed; a space between surname and given name, half- or
        full-width, becomes one U+3000 (as the host sends it); no other change
        (髙 and 﨑 stay).
    :param kana: full-width katakana, one ASCII space between the parts.
    :param sex: 1 male, 2 female, ``None`` when blank.
    :param postal_code: 7 ASCII digits without hyphen (the application's
        storage form), ``""`` when blank.
    :param exclusion_note: text of 除外事由 beyond the reason itself.
    :param mail_reason_note: text of 送付先事由 when it is not exactly one of
        施設入所 / 家族方 / その他.
    :param note: 備考 as typed.
    """

    sheet: str
    row: int
    resident_no: str
    name: str
    kana: str
    sex: int | None
    birth_date: datetime.date
    postal_code: str
    address: str
    address2: str
    phone: str
    categories: frozenset[str]
    excluded_on: datetime.date | None
    exclusion_reason: str | None
    exclusion_note: str | None
    mail_name: str | None
    mail_postal_code: str | None
    mail_address: str | None
    mail_reason: str | None
    mail_reason_note: str | None
    note: str | None

    def combined_note(self) -> str | None:
        """備考 with the extra texts of 除外事由 and 送付先事由, one per line.

        ``"施設に入所中\\n除外事由：大阪市へ"``; ``None`` when all are blank.
        """
        return _join_notes(
            ("", self.note),
            ("除外事由：", self.exclusion_note),
            ("送付先事由：", self.mail_reason_note),
        )


@dataclass(frozen=True, slots=True)
class PassRow:
    """One row of a fiscal-year sheet that was taken.

    :param fiscal_year: the sheet's fiscal year (Western year it starts in).
    :param name: 氏名 as typed at the time, for the report only.
    :param applied_on: 申請日; the 交付日 when 申請日 was blank
        (``applied_on_from_issued`` is then true).
    :param office: office code (``HQ``, ``YOTSUYA`` …).
    :param method: ``counter`` or ``mail`` (blank 交付方法 is ``counter``).
    :param kind: ``new``, ``renewal`` or ``reissue``, always set: a blank 種別
        is decided by the reader (``kind_inferred`` true): ``new`` for the
        person's first pass taken from the ledger, ``renewal`` for any later
        one, in the order fiscal year, 交付日, sheet, row.
    :param reissue_reason: ``lost`` or ``damaged`` for a reissue, ``None``
        when the ledger says only 再交付.
    :param return_note: what followed the date in 返戻日 (``"あて所不明"``), or
        the whole text when it had no date.
    :param return_undated: 返戻日 held text but no date (「返戻」); a
        :class:`RowNotice` reports it.
    """

    sheet: str
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
    kind: str
    reissue_reason: str | None
    kind_inferred: bool
    returned_on: datetime.date | None
    return_note: str | None
    return_undated: bool
    resent_on: datetime.date | None
    note: str | None

    def combined_note(self) -> str | None:
        """備考 with the 返戻 text on its own line (``"返戻：あて所不明"``)."""
        return _join_notes(("", self.note), ("返戻：", self.return_note))


@dataclass(frozen=True, slots=True)
class SheetSummary:
    """What was found on one sheet, for the reconciliation report.

    :param index: position in the workbook, from 0.
    :param fiscal_year: for a passes sheet, the Western year its fiscal year
        starts in (``H30年度`` → 2018); ``None`` otherwise.
    :param header_row: the header's row number, ``None`` for ignored sheets.
    :param rows_read: data rows after the header (taken + rejected); blank and
        total rows are not counted.
    :param blank_rows: blank rows skipped after the header (only rows up to
        the sheet's last used row exist to be counted).
    :param total_row: row number of the clerk's total row (合計 / 計), ``None``
        when there was none; when several, the last.
    :param total_value: the count written in it, ``None`` when missing or not
        a number.
    :param ignored_reason: why an ignored sheet was ignored (Japanese).
    """

    name: str
    index: int
    kind: SheetKind
    fiscal_year: int | None
    hidden: bool
    header_row: int | None = None
    rows_read: int = 0
    blank_rows: int = 0
    rows_taken: int = 0
    rows_rejected: int = 0
    total_row: int | None = None
    total_value: int | None = None
    ignored_reason: str | None = None

    @property
    def total_row_skipped(self) -> bool:
        """Whether a total row was found (and not read as data)."""
        return self.total_row is not None


@dataclass(frozen=True, slots=True)
class Ledger:
    """Everything read from one workbook.

    :param sheets: every sheet, in workbook order, ignored ones included.
    :param people: rows taken from 対象者, in row order.
    :param passes: rows taken from the fiscal-year sheets, by fiscal year,
        then sheet, then row.
    :param errors: every fault of every rejected row, by sheet then row.
    :param notices: things to report that rejected nothing.
    """

    sheets: tuple[SheetSummary, ...]
    people: tuple[PersonRow, ...]
    passes: tuple[PassRow, ...]
    errors: tuple[RowError, ...]
    notices: tuple[RowNotice, ...]

    @property
    def fiscal_years(self) -> tuple[int, ...]:
        """The fiscal years with a sheet, ascending."""
        return tuple(sorted({s.fiscal_year for s in self.sheets if s.fiscal_year is not None}))

    @property
    def ignored_sheets(self) -> tuple[SheetSummary, ...]:
        """Sheets neither 対象者 nor a fiscal year, to list in the report."""
        return tuple(s for s in self.sheets if s.kind is SheetKind.IGNORED)

    def sheet(self, name: str) -> SheetSummary:
        """The summary of the sheet called ``name``.

        :raises KeyError: when there is no such sheet.
        """
        for summary in self.sheets:
            if summary.name == name:
                return summary
        raise KeyError(name)

    def errors_of(self, sheet: str, row: int) -> tuple[RowError, ...]:
        """The faults of one row (empty when it was taken)."""
        return tuple(e for e in self.errors if e.sheet == sheet and e.row == row)
