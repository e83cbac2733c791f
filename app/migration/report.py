"""The figures of the reconciliation report (移行結果照合表) as plain data.

:func:`summarize` turns what was read and the plan into the JSON kept on the
run (``MigrationRun.summary``): the file, the people and pass counts, each
sheet against the clerk's own 合計, and each fiscal year's passes by office
and by method.  The screens, the PDF, the Excel file and the command line's
JSON all read this one dict, so they cannot disagree.
"""

from collections import Counter, defaultdict
from typing import Any

from app.ledger import Ledger, SheetKind, SheetSummary
from app.migration.plan import Plan

METHODS = ("counter", "mail")


def _sheet(summary: SheetSummary, plan: Plan) -> dict[str, Any]:
    rejected = summary.rows_rejected
    if summary.kind is SheetKind.PASSES:
        rejected = plan.rejected_rows.get(summary.name, 0)
    total = summary.total_value
    return {
        "name": summary.name,
        "kind": summary.kind.value,
        "fiscal_year": summary.fiscal_year,
        "hidden": summary.hidden,
        "header_row": summary.header_row,
        "rows": summary.rows_read,
        "blank_rows": summary.blank_rows,
        "total_row": summary.total_row,
        "taken": summary.rows_read - rejected,
        "rejected": rejected,
        "reasons": sorted(plan.rejected_reasons.get(summary.name, {}).items(), key=lambda r: -r[1]),
        "sheet_total": total,
        "total_agrees": None if total is None else total == summary.rows_read,
        "ignored_reason": summary.ignored_reason,
    }


def _years(plan: Plan) -> list[dict[str, Any]]:
    """Passes in the application after the import, per year, office and method."""
    counts: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
    for row in [p.row for p in plan.new_passes] + plan.already_present:
        counts[row.fiscal_year][row.office, row.method] += 1
    years = []
    for year in sorted(counts):
        by_office: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METHODS, 0))
        for (office, method), count in counts[year].items():
            by_office[office][method] += count
        offices: list[dict[str, Any]] = [
            {"code": code, **methods, "total": sum(methods.values())}
            for code, methods in sorted(by_office.items())
        ]
        years.append(
            {
                "fiscal_year": year,
                "offices": offices,
                **{m: sum(o[m] for o in offices) for m in METHODS},
                "total": sum(o["total"] for o in offices),
            }
        )
    return years


def summarize(ledger: Ledger, plan: Plan, file: dict[str, Any]) -> dict[str, Any]:
    """The report's figures (see the module's docstring).

    :param file: ``{"name", "size", "sha256"}`` of the workbook.
    """
    people_sheets = [s for s in ledger.sheets if s.kind is SheetKind.PEOPLE]
    pass_sheets = [s for s in ledger.sheets if s.kind is SheetKind.PASSES]
    read_people = sum(s.rows_read for s in people_sheets)
    read_passes = sum(s.rows_read for s in pass_sheets)
    kinds = Counter(item.kind for item in plan.items)
    return {
        "file": file,
        "people": {
            "read": read_people,
            "matched": plan.people["matched"],
            "created": plan.people["created"],
            "mismatched": plan.people["mismatched"],
            "rejected": sum(s.rows_rejected for s in people_sheets),
        },
        "passes": {
            "read": read_passes,
            "imported": plan.passes["imported"],
            "already_present": plan.passes["already_present"],
            "rejected": sum(plan.rejected_rows.get(s.name, 0) for s in pass_sheets),
        },
        "sheets": [_sheet(s, plan) for s in ledger.sheets],
        "years": _years(plan),
        "items": {k: kinds.get(k, 0) for k in ("rejected", "mismatch", "notice")},
    }


def refused_summary(file: dict[str, Any]) -> dict[str, Any]:
    """The figures of a refused workbook: nothing read, nothing taken."""
    return {
        "file": file,
        "people": dict.fromkeys(("read", "matched", "created", "mismatched", "rejected"), 0),
        "passes": dict.fromkeys(("read", "imported", "already_present", "rejected"), 0),
        "sheets": [],
        "years": [],
        "items": dict.fromkeys(("rejected", "mismatch", "notice"), 0),
    }


def as_json(run: Any, items: list[Any]) -> dict[str, Any]:
    """The command line's one JSON object for ``run`` (a MigrationRun) and its items."""
    summary = run.summary or refused_summary({})
    return {
        "run_id": run.id,
        "status": run.status,
        "file": run.file_name,
        "sha256": run.sha256,
        "people": summary["people"],
        "passes": summary["passes"],
        "sheets": [
            {
                "name": s["name"],
                "fiscal_year": s["fiscal_year"],
                "rows": s["rows"],
                "taken": s["taken"],
                "rejected": s["rejected"],
                "sheet_total": s["sheet_total"],
            }
            for s in summary["sheets"]
            if s["kind"] != SheetKind.IGNORED.value
        ],
        "rejected": [
            {"sheet": i.sheet, "row": i.row, "column": i.column, "reason": i.reason}
            for i in items
            if i.kind == "rejected"
        ],
        "mismatches": [
            {"sheet": i.sheet, "row": i.row, "resident_no": i.resident_no, "field": i.column}
            for i in items
            if i.kind == "mismatch"
        ],
        "reason": run.reason,
    }
