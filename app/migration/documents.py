"""The migration's documents: the reconciliation report (移行結果照合表) as a PDF
to sign and as an Excel file, and the certificate of erasure (消去証明書).

Both start from plain dicts (:func:`report_context`, :func:`certificate_context`)
read from the run's ``summary`` (:mod:`app.migration.report`), its items and its
erasure records.  PDFs are made by :func:`app.letters.pdf.render_pdf` (Jinja
autoescape: a hostile name prints as text), Excel files by
:func:`app.files.tables.xlsx_bytes` (a cell that looks like a formula is
neutralised).  xhtml2pdf does not wrap Japanese text, so every free text of a
PDF is cut here into measured lines, and the report's long lists into pages of
one small table each; the PDF lists at most :data:`PDF_LIST_LIMIT` lines of
each kind and says how many more the Excel file has.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import clock
from app.audit import writer as audit
from app.extensions import db
from app.files.tables import Sheet, xlsx_bytes
from app.letters.pdf import render_pdf, settings_from_config
from app.letters.printing import fit_lines
from app.migration import erasure, runs
from app.migration.models import RUN_APPLIED, RUN_CHECKED, TRIGGER_COMMAND, MigrationRunItem
from app.migration.report import refused_summary
from app.offices.models import Office
from app.text.wareki import format_fiscal_year, format_wareki
from app.web import labels

REPORT_TEMPLATE = "pdf/ledger_report.html"
CERTIFICATE_TEMPLATE = "pdf/ledger_certificate.html"
# Lines of each list (rejected rows, mismatches, notices) the PDF prints: a
# page of 20 to 36 lines takes xhtml2pdf about a tenth of a second.
PDF_LIST_LIMIT = 500
# Height of a list page's rows (A4 landscape, after its heading), in mm: a row
# takes ROW_MM and LINE_MM for each of its lines (8pt).
PAGE_MM, ROW_MM, LINE_MM = 165.0, 1.1, 3.5
LIST_FONT_PT = 8
# A text is measured on its first characters only (a cell may hold 40,000).
_MEASURED_CHARS = 300
# (key, width in mm, lines at most) of each list's columns: 273 mm in all.
# fmt: off
LIST_COLUMNS = {
    "rejected": (("sheet", 30, 1), ("row", 14, 1), ("column", 30, 1), ("reason", 110, 3),
                 ("value", 89, 2)),
    "mismatch": (("sheet", 30, 1), ("row", 14, 1), ("resident_no", 26, 1), ("field", 26, 1),
                 ("ledger_value", 56, 2), ("app_value", 56, 2), ("reason", 65, 3)),
    "notice": (("sheet", 30, 1), ("row", 14, 1), ("column", 30, 1), ("reason", 199, 3)),
}
SHEET_KEYS = ("name", "kind", "fiscal_year_label", "hidden", "header_row", "rows", "blank_rows",
              "total_row", "taken", "rejected", "sheet_total", "total_check", "ignored_reason")
# fmt: on
YEAR_KEYS = ("fiscal_year_label", "fiscal_year", "office", "counter", "mail", "total")
LIST_KEYS = {"rejected": "rejected", "mismatch": "mismatches", "notice": "notices"}
# The report's free texts cut for the PDF: path (``*``: every element of a
# list) → (width in mm, size in pt, lines at most).
REPORT_TEXTS = {
    ("reason",): (262, 10, 4),
    ("file", "name"): (134, 9, 7),
    ("sheets", "*", "name"): (31, 9, 2),
    ("ignored_sheets", "*", "name"): (57, 9, 2),
    ("ignored_sheets", "*", "reason"): (208, 9, 3),
    ("reasons", "*", "sheet"): (37, 9, 2),
    ("reasons", "*", "reason"): (208, 9, 3),
}
CERTIFICATE_TEXTS = {
    ("statement",): (172, 11, 3),
    ("file", "name"): (146, 10, 7),
    **{("records", "*", key): (146, 10, 30) for key in ("location", "method", "note")},
    ("automatic_records", "*", "location"): (48, 8.5, 6),
    ("automatic_records", "*", "method"): (44, 8.5, 6),
    ("automatic_records", "*", "erased_on"): (54, 8.5, 2),
}


def _status_label(status: str) -> str:
    return {
        "checked": _("Checked only (nothing imported yet)"),
        "applied": _("Ledger imported"),
        "refused": _("Ledger refused"),
        "failed": _("Ledger run failed"),
        "discarded": _("Ledger run discarded"),
        "running": _("Ledger run in progress"),
    }.get(status, status)


def _headers() -> dict[str, str]:
    """Column headings, shared by the PDF and the Excel file."""
    # fmt: off
    return {
        "sheet": _("Sheet name"), "name": _("Sheet name"), "row": _("Row number"),
        "column": _("Ledger column"), "reason": _("Reason"), "value": _("Cell value"),
        "resident_no": _("Resident number"), "field": _("Ledger field"),
        "ledger_value": _("Value in the ledger"), "app_value": _("Value in the application"),
        "kind": _("Sheet kind"), "fiscal_year_label": _("Fiscal year"),
        "fiscal_year": _("Fiscal year (Western)"), "hidden": _("Hidden sheet"),
        "header_row": _("Header row"), "rows": _("Rows read"), "blank_rows": _("Blank rows"),
        "total_row": _("Total row"), "taken": _("Rows taken"), "rejected": _("Rows not taken"),
        "sheet_total": _("Total in the ledger"), "total_check": _("Total against rows read"),
        "ignored_reason": _("Why the sheet was ignored"), "office": _("Issuing office"),
        "counter": str(labels.METHODS["counter"]), "mail": str(labels.METHODS["mail"]),
        "total": _("Total"), "count": _("Count"), "item": _("Overview item"),
        "item_value": _("Overview value"),
    }
    # fmt: on


def _person(user: Any) -> str:
    if user is None:
        return ""
    return " ".join(x for x in (user.last_name, user.first_name) if x) or user.username


def _when(moment: datetime | None) -> str:
    return f"{format_wareki(moment.date())} {moment:%H:%M}" if moment else ""


def _day(day: date) -> str:
    return f"{format_wareki(day)}（{day.year}年{day.month}月{day.day}日）"


def _actor(run: Any, user: Any, moment: datetime | None) -> str:
    if moment is None:
        return ""
    if user is None and run.trigger == TRIGGER_COMMAND:
        return _("Run from the command line")
    return _person(user)


def _file(run: Any) -> dict[str, Any]:
    size = _("%(n)s bytes (ledger file)", n=f"{run.file_size:,}")
    return {"name": run.file_name, "size": run.file_size, "size_label": size, "sha256": run.sha256}


def _counts(summary: dict, checked_only: bool) -> dict[str, list[dict[str, Any]]]:
    """The people's and the passes' figures, each ``{"label", "count"}``."""
    people, passes = summary["people"], summary["passes"]
    created = _("Created as excluded (planned)") if checked_only else _("Created as excluded")
    imported = _("To be imported") if checked_only else _("Imported passes")
    rows = {
        "people": ((_("Read"), people["read"]), (_("Matched with the host"), people["matched"]),
                   (created, people["created"]), (_("With differences"), people["mismatched"]),
                   (_("Not taken"), people["rejected"])),
        "passes": ((_("Read"), passes["read"]), (imported, passes["imported"]),
                   (_("Already imported"), passes["already_present"]),
                   (_("Not taken"), passes["rejected"])),
    }  # fmt: skip
    return {k: [{"label": label, "count": n} for label, n in v] for k, v in rows.items()}


def _total_check(sheet: dict) -> str:
    if sheet["total_row"] is None:
        return _("No total row")
    if sheet["sheet_total"] is None:
        return _("No number in the total row")
    return _("Agrees") if sheet["total_agrees"] else _("Does not agree")


def _sheet_row(sheet: dict) -> dict[str, Any]:
    year = sheet["fiscal_year"]
    people = sheet["kind"] == "people"
    return {
        **{k: sheet[k] for k in ("name", "rows", "blank_rows", "taken", "rejected")},
        "kind": _("Ledger people sheet") if people else _("Ledger passes sheet"),
        "fiscal_year": year or "",
        "fiscal_year_label": format_fiscal_year(year) if year else "",
        "hidden": _("Hidden sheet") if sheet["hidden"] else "",
        "header_row": sheet["header_row"] or "",
        "total_row": sheet["total_row"] or "",
        "sheet_total": "" if sheet["sheet_total"] is None else sheet["sheet_total"],
        "total_check": _total_check(sheet),
        "total_agrees": 1 if sheet["total_agrees"] else 0,
    }


def _sheets(summary: dict) -> dict[str, list[dict[str, Any]]]:
    """The sheets read, the sheets ignored and the rejected rows' reasons by sheet."""
    taken = [s for s in summary["sheets"] if s["kind"] != "ignored"]
    return {
        "sheets": [_sheet_row(s) for s in taken],
        "ignored_sheets": [
            {"name": s["name"], "reason": s["ignored_reason"] or ""}
            for s in summary["sheets"]
            if s["kind"] == "ignored"
        ],
        "reasons": [
            {"sheet": s["name"], "reason": reason, "count": count}
            for s in taken
            for reason, count in s["reasons"]
        ],
    }


def _years(summary: dict) -> list[dict[str, Any]]:
    """Each fiscal year's passes by office (names and order of the Office table)."""
    rows = db.session.execute(select(Office.code, Office.sort_order, Office.name))
    names = {code: (order, name) for code, order, name in rows}
    years = []
    for year in summary["years"]:
        offices = [
            {**o, "name": names.get(o["code"], (0, o["code"]))[1]}
            for o in sorted(
                year["offices"], key=lambda o: (names.get(o["code"], (9999,))[0], o["code"])
            )
        ]
        years.append({**year, "label": format_fiscal_year(year["fiscal_year"]), "offices": offices})
    return years


def _item(item: Any) -> dict[str, Any]:
    """One line of a list; a mismatch's ``field`` is the column it compares."""
    value = item.value or ""
    return {"sheet": item.sheet, "row": item.row or "", "column": item.column,
            "field": item.column, "resident_no": item.resident_no or "", "reason": item.reason,
            "value": value, "ledger_value": value, "app_value": item.app_value or ""}  # fmt: skip


def _lists(run: Any, limit: int | None) -> dict[str, Any]:
    statement = (
        select(MigrationRunItem.kind, func.count())
        .where(MigrationRunItem.run_id == run.id)
        .group_by(MigrationRunItem.kind)
    )
    totals = dict(db.session.execute(statement).tuples().all())
    lists: dict[str, Any] = {"counts": {}, "omitted": {}}
    for kind, key in LIST_KEYS.items():
        lists[key] = [_item(i) for i in runs.items_of(run.id, kind, limit=limit)]
        lists["counts"][key] = totals.get(kind, 0)
        lists["omitted"][key] = totals.get(kind, 0) - len(lists[key])
    return lists


def report_context(run: Any, item_limit: int | None = None) -> dict[str, Any]:
    """The reconciliation report of ``run`` as a plain dict.

    :param item_limit: list at most this many lines of each kind
        (``rejected``, ``mismatches``, ``notices``); ``counts`` and ``omitted``
        say how many there are and how many were left out.
    """
    summary = run.summary or refused_summary({})
    checked_only = run.status == RUN_CHECKED
    return {
        "ward_name": current_app.config.get("WARD_NAME", ""),
        "title": _("Ledger migration reconciliation report"),
        "run_id": run.id,
        "status": run.status,
        "status_label": _status_label(run.status),
        "checked_only": 1 if checked_only else 0,
        "applied": 1 if run.status == RUN_APPLIED else 0,
        "reason": run.reason or "",
        "file": _file(run),
        "started_at": _when(run.started_at),
        "checked_by": _actor(run, run.user, run.checked_at),
        "checked_at": _when(run.checked_at),
        "applied_by": _actor(run, run.applied_by, run.applied_at),
        "applied_at": _when(run.applied_at),
        "printed_at": _when(clock.now()),
        **_counts(summary, checked_only),
        **_sheets(summary),
        "years": _years(summary),
        "headers": _headers(),
        **_lists(run, item_limit),
    }


# --- PDF ----------------------------------------------------------------------


def _cutter(font: str) -> Callable[..., list[str]]:
    """``cut(text, width_mm, size_pt, max_lines)``: printable lines of ``font``."""
    settings = settings_from_config(current_app.config)
    path = settings.mincho if font == "mincho" else settings.gothic

    def cut(text: Any, width: float, size: float, lines: int) -> list[str]:
        printable = settings.printable(str(text)[: _MEASURED_CHARS * lines])
        return fit_lines(printable, path, size, width, lines) or [""]

    return cut


def _changed(node: Any, keys: Sequence[str], change: Callable[[Any], Any]) -> Any:
    if not keys:
        return change(node)
    if keys[0] == "*":
        return [_changed(item, keys[1:], change) for item in node]
    return {**node, keys[0]: _changed(node[keys[0]], keys[1:], change)}


def _cut_texts(context: dict[str, Any], texts: dict[tuple, tuple], font: str) -> dict[str, Any]:
    """``context`` with the texts named in ``texts`` as lists of lines."""
    cut = _cutter(font)
    for path, (width, size, lines) in texts.items():
        context = _changed(context, path, lambda text, w=width, s=size, n=lines: cut(text, w, s, n))
    return context


def _list_pages(rows: Sequence[dict], columns: Sequence[tuple]) -> list[list]:
    """``rows`` cut into pages of :data:`PAGE_MM`; each row a list of cells,
    each cell a list of lines."""
    cut = _cutter("gothic")
    pages: list[list] = [[]]
    used = 0.0
    for row in rows:
        cells = [cut(row[key], width - 2, LIST_FONT_PT, n) for key, width, n in columns]
        height = ROW_MM + LINE_MM * max(len(c) for c in cells)
        if pages[-1] and used + height > PAGE_MM:
            pages.append([])
            used = 0.0
        pages[-1].append(cells)
        used += height
    return pages if pages[0] else []


def _pdf_lists(context: dict[str, Any]) -> list[dict[str, Any]]:
    headers = context["headers"]
    titles = {
        "rejected": _("Rejected rows"),
        "mismatch": _("Differences from the host or the application"),
        "notice": _("Notices while reading"),
    }
    return [
        {
            "title": titles[kind],
            "count": context["counts"][key],
            "omitted": context["omitted"][key],
            "columns": [
                {"label": headers[k], "width": w, "num": 1 if k == "row" else 0}
                for k, w, _n in LIST_COLUMNS[kind]
            ],
            "pages": _list_pages(context[key], LIST_COLUMNS[kind]),
        }
        for kind, key in LIST_KEYS.items()
    ]


def report_pdf(run: Any) -> bytes:
    """The reconciliation report as a PDF to sign (確認者印)."""
    context = report_context(run, item_limit=PDF_LIST_LIMIT)
    context["lists"] = _pdf_lists(context)
    for key in LIST_KEYS.values():
        context[key] = []  # printed from the pages
    return render_pdf(REPORT_TEMPLATE, _cut_texts(context, REPORT_TEXTS, "gothic"))


def report_filename(run: Any, ext: str) -> str:
    """``移行結果照合表_取込12.pdf``."""
    return f"{_('Reconciliation report file for run %(id)s', id=run.id)}.{ext.lstrip('.')}"


def certificate_filename(run: Any) -> str:
    """``消去証明書_取込12.pdf``."""
    return f"{_('Erasure certificate file for run %(id)s', id=run.id)}.pdf"


# --- Excel --------------------------------------------------------------------


def _overview(context: dict[str, Any]) -> list[dict[str, Any]]:
    file = context["file"]
    # fmt: off
    rows = [
        (_("Ward"), context["ward_name"]), (_("Import number"), context["run_id"]),
        (_("Status"), context["status_label"]), (_("Reason refused"), context["reason"]),
        (_("File name"), file["name"]), (_("File size in bytes"), file["size"]),
        (_("SHA-256"), file["sha256"]),
        (_("Check run by"), context["checked_by"]), (_("Check run at"), context["checked_at"]),
        (_("Import run by"), context["applied_by"]), (_("Import run at"), context["applied_at"]),
    ]
    # fmt: on
    rows += [(f"{_('Ledger people')}：{c['label']}", c["count"]) for c in context["people"]]
    rows += [(f"{_('Ledger passes')}：{c['label']}", c["count"]) for c in context["passes"]]
    return [{"item": label, "item_value": value} for label, value in rows]


def _table(title: str, rows: Sequence[dict], keys: Sequence[str], widths: Sequence[float],
           **options: Any) -> Sheet:  # fmt: skip
    headers = _headers()
    values = ([row.get(k, "") for k in keys] for row in rows)
    return Sheet(title, [headers[k] for k in keys], values, column_widths=widths, **options)


def _year_rows(context: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for year in context["years"]:
        common = {"fiscal_year_label": year["label"], "fiscal_year": year["fiscal_year"]}
        rows += [{**common, **office, "office": office["name"]} for office in year["offices"]]
        rows.append({**common, **year, "office": _("Total")})
    return rows


def _list_table(title: str, context: dict[str, Any], kind: str) -> Sheet:
    columns = LIST_COLUMNS[kind]
    widths = [max(8.0, w / 2.2) for _k, w, _n in columns]
    return _table(title, context[LIST_KEYS[kind]], [k for k, _w, _n in columns], widths)


def report_xlsx(run: Any) -> bytes:
    """The reconciliation report as an Excel file: every figure and every line."""
    context = report_context(run)
    heading = (f"{context['ward_name']}　{context['title']}",
               f"{_('Printed')} {context['printed_at']}")  # fmt: skip
    ignored = [
        {**s, "kind": _("Ignored sheet"), "ignored_reason": s["reason"]}
        for s in context["ignored_sheets"]
    ]
    reason_keys = ("sheet", "reason", "count")
    return xlsx_bytes(
        [
            _table(_("Overview"), _overview(context), ("item", "item_value"), (32, 70),
                   title_rows=heading),
            _table(_("By sheet"), context["sheets"] + ignored, SHEET_KEYS, [13] * 13),
            _table(_("Reasons not taken"), context["reasons"], reason_keys, (16, 70, 10)),
            _table(_("By fiscal year"), _year_rows(context), YEAR_KEYS, (14, 12, 20, 10, 10, 10)),
            _list_table(_("Rejected rows"), context, "rejected"),
            _list_table(_("Differences"), context, "mismatch"),
            _list_table(_("Notices"), context, "notice"),
        ]
    )  # fmt: skip


# --- Certificate of erasure ---------------------------------------------------


def _record(record: Any, corrected_by: dict[int, list[int]]) -> dict[str, Any]:
    automatic = bool(record.automatic)
    corrects = record.corrects_id
    return {
        "id": record.id,
        "automatic": 1 if automatic else 0,
        "what": _("The uploaded copy of the ledger") if automatic else _("The ledger workbook"),
        "location": record.location,
        "method": record.method,
        "erased_on": _day(record.erased_on),
        "erased_by": _("The application (automatic)") if automatic else _person(record.erased_by),
        "witness": _person(record.witness),
        "recorded_by": _person(record.recorded_by) or _("Run from the command line"),
        "recorded_at": _when(record.recorded_at),
        "note": record.note or "",
        "corrects": _("Correction of record %(id)s", id=corrects) if corrects else "",
        "corrected_by": "、".join(
            _("Corrected by record %(id)s", id=n) for n in corrected_by.get(record.id, [])
        ),
    }


def certificate_context(run: Any) -> dict[str, Any]:
    """The certificate of erasure (消去証明書) of ``run`` as a plain dict:
    ``records`` made by people, ``automatic_records`` by the application."""
    records = erasure.records_of(run.id)
    corrected_by: dict[int, list[int]] = {}
    for record in records:
        if record.corrects_id:
            corrected_by.setdefault(record.corrects_id, []).append(record.id)
    rows = [_record(r, corrected_by) for r in records]
    statement = _(
        "We certify that the electronic data of the Fureai bath pass ledger "
        "(Excel) was erased as follows."
    )
    return {
        "ward_name": current_app.config.get("WARD_NAME", ""),
        "title": _("Certificate of erasure"),
        "statement": statement,
        "run_id": run.id,
        "file": _file(run),
        "applied_at": _when(run.applied_at),
        "applied_by": _actor(run, run.applied_by, run.applied_at),
        "status_label": _status_label(run.status),
        "records": [r for r in rows if not r["automatic"]],
        "automatic_records": [r for r in rows if r["automatic"]],
        "printed_on": format_wareki(clock.today()),
    }


def certificate_pdf(run: Any) -> bytes:
    """The certificate of erasure as a PDF to sign."""
    context = _cut_texts(certificate_context(run), CERTIFICATE_TEXTS, "mincho")
    return render_pdf(CERTIFICATE_TEMPLATE, context)


def audit_download(run: Any, kind: str, user: Any = None) -> None:
    """Log one download of ``run``'s report (``pdf``, ``xlsx``: naming the people its
    lists show) or certificate (``certificate``); ``user=False`` is the command line."""
    limit = PDF_LIST_LIMIT if kind == "pdf" else None
    lists = [runs.items_of(run.id, k, limit=limit) for k in LIST_KEYS if kind != "certificate"]
    audit.record(
        "ledger.report",
        target=f"ledger_run:{run.id}",
        detail={"format": kind, "file": run.file_name},
        user=user,
        username="command-line" if user is False else None,
        people=[item.resident_no for items in lists for item in items],
        commit=True,
    )
