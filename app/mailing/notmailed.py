"""The people a mass mailing does not send a pass to, by name and reason: as a
printable PDF (:func:`not_mailed_pdf`) and as Excel (:func:`not_mailed_xlsx`).

Both take the ``skipped`` list of
:func:`app.letters.mass_mailing.selection.select_people` (a preview's, or a
run's ``summary["skipped_people"]``).  Every reason that applies to a person
is shown; the counts per reason overlap, beside the number of people.
"""

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _

from app import clock
from app.audit import writer as audit
from app.files.tables import Sheet, xlsx_bytes
from app.letters.pdf import render_pdf
from app.text.wareki import format_fiscal_year, format_wareki

log = logging.getLogger(__name__)

TEMPLATE = "mailing/not_mailed_pdf.html"
LINES_PER_PAGE = 50
# Lines per table row: xhtml2pdf spends its time per cell, so ten people
# share a row, one under the other (as the mailing list does).
LINES_PER_ROW = 10
# People named on a mass mailing's preview and run pages (the rest in the
# PDF and Excel): templates/mailing/_not_mailed.html shows as many.
SHOWN = 100

Label = Callable[[str], str]


def _reasons_text(entry: dict[str, Any], label: Label) -> str:
    return "・".join(label(r) for r in entry.get("reasons") or [entry["reason"]])


def counts(skipped: Sequence[dict[str, Any]], codes: Sequence[str]) -> list[tuple[str, int]]:
    """``[(reason code, people)]`` in ``codes`` order: a person with two
    reasons counts under both."""
    found = Counter(r for s in skipped for r in s.get("reasons") or [s["reason"]])
    return [(code, found.get(code, 0)) for code in codes]


def _pages(skipped: Sequence[dict[str, Any]], label: Label) -> list[list[dict[str, list[Any]]]]:
    lines = [
        (n, s["resident_no"], s.get("name") or "", _reasons_text(s, label))
        for n, s in enumerate(skipped, start=1)
    ]
    pages = []
    for first in range(0, len(lines), LINES_PER_PAGE):
        page_lines = lines[first : first + LINES_PER_PAGE]
        rows = []
        for top in range(0, len(page_lines), LINES_PER_ROW):
            chunk = page_lines[top : top + LINES_PER_ROW]
            rows.append({key: [line[i] for line in chunk]
                         for i, key in enumerate(("n", "resident_no", "name", "reasons"))})  # fmt: skip
        pages.append(rows)
    return pages


def _context(
    fiscal_year: int, cutoff: date, skipped: Sequence[dict[str, Any]],
    codes: Sequence[str], label: Label, run_id: int | None,
) -> dict[str, Any]:  # fmt: skip
    pages = _pages(skipped, label)
    return {
        "title": _("People not sent the mass mailing"),
        "fiscal_year": format_fiscal_year(fiscal_year),
        "cutoff": format_wareki(cutoff),
        "printed": format_wareki(clock.today()),
        "run": str(run_id) if run_id else "",
        "people": len(skipped),
        "counts": [(label(code), n) for code, n in counts(skipped, codes)],
        "pages": pages,
    }


def not_mailed_pdf(
    fiscal_year: int, cutoff: date, skipped: Sequence[dict[str, Any]],
    codes: Sequence[str], label: Label, run_id: int | None = None,
) -> bytes:  # fmt: skip
    """The list as a PDF: the counts (overlapping) and the people, 50 a page."""
    return bytes(render_pdf(TEMPLATE, _context(fiscal_year, cutoff, skipped, codes, label, run_id)))


def not_mailed_xlsx(
    fiscal_year: int, cutoff: date, skipped: Sequence[dict[str, Any]],
    codes: Sequence[str], label: Label,
) -> bytes:  # fmt: skip
    """The list as an Excel workbook: the people, then the counts."""
    heading = (
        f"{_('People not sent the mass mailing')}　{format_fiscal_year(fiscal_year)}",
        f"{_('Cut-off date')} {format_wareki(cutoff)}　{_('People not mailed')} {len(skipped)}",
    )
    people = Sheet(
        title=_("People not mailed"),
        header=[_("No."), _("Resident No."), _("Name"), _("Reason")],
        rows=[
            [n, s["resident_no"], s.get("name") or "", _reasons_text(s, label)]
            for n, s in enumerate(skipped, start=1)
        ],
        column_widths=(8, 14, 24, 40),
        title_rows=heading,
    )
    totals = Sheet(
        title=_("By reason"),
        header=[_("Reason"), _("People not mailed")],
        rows=[
            *([label(code), n] for code, n in counts(skipped, codes)),
            [_("People not mailed (a person may have several reasons)"), len(skipped)],
        ],
        column_widths=(50, 10),
    )
    return xlsx_bytes([people, totals])


def file_name(fiscal_year: int, extension: str) -> str:
    """The download's name, in Japanese as every file the users get."""
    return f"一斉発送対象外者一覧_{fiscal_year}年度.{extension}"


def log_shown(
    skipped: Sequence[dict[str, Any]], detail: dict[str, Any], run_id: int | None = None,
    always: bool = False,
) -> None:  # fmt: skip
    """The access-log row of a mass-mailing page naming the first :data:`SHOWN`
    people not mailed (``always``: written even when nobody is named)."""
    if not (skipped or always):
        return
    audit.record(
        "mass_mailing.run",
        target=f"mass_mailing:{run_id}" if run_id else None,
        detail=detail,
        people=[s["resident_no"] for s in skipped[:SHOWN]],
        commit=True,
    )
