"""What the ledger reader reports: a refused file, a rejected row, a notice.

Reasons are Japanese sentences for the clerks and the supervisor who signs the
reconciliation report; codes are stable English identifiers for programs
(grouping in the report, tests).
"""

from dataclasses import dataclass

__all__ = ["LedgerFileError", "RowError", "RowNotice"]


class LedgerFileError(Exception):
    """The workbook is refused as a whole; nothing of it may be applied.

    :param reason: Japanese, user-facing explanation (shown as is).
    :param code: stable code: ``empty_file``, ``encrypted``, ``legacy_xls``,
        ``executable``, ``pdf``, ``text_file``, ``not_xlsx``, ``unsupported_format``,
        ``corrupt``, ``zip_bomb``, ``too_many_rows``, ``too_many_columns``,
        ``no_people_sheet``, ``no_fiscal_year_sheet``, ``missing_column``.
    :param sheet: the sheet concerned, if any.
    :param column: the column (header text) concerned, if any.
    """

    def __init__(
        self,
        reason: str,
        *,
        code: str = "unreadable",
        sheet: str | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.sheet = sheet
        self.column = column

    def __repr__(self) -> str:
        return f"LedgerFileError({self.reason!r}, code={self.code!r}, sheet={self.sheet!r})"


@dataclass(frozen=True, slots=True)
class RowError:
    """One fault of one data row; the row is rejected (a row may have several).

    :param sheet: the sheet's name as in the workbook.
    :param row: the row number as Excel shows it (1-based).
    :param column: the header text of the faulty column (normalised, e.g.
        ``"交付場所"``), or ``""`` when the fault is not one cell's.
    :param reason: Japanese, user-facing explanation.
    :param code: stable code, e.g. ``missing``, ``date_out_of_era`` (see
        :mod:`app.ledger.cells` and :mod:`app.ledger.reader`).
    :param value: the cell's content as text, shortened for display.
    """

    sheet: str
    row: int
    column: str
    reason: str
    code: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class RowNotice:
    """Something the report must show although nothing was rejected.

    For instance 「返戻」 in 返戻日 without a date, or a formula whose result was
    never saved in an optional column.  ``row`` is ``None`` for a notice about
    a whole sheet.
    """

    sheet: str
    row: int | None
    column: str
    message: str
    code: str = ""
