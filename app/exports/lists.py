"""What each list exports: a header, rows read in batches, and where in a row
the 住民番号 is (for the access log).

Rows are plain tuples from column selects (no ORM objects, so nothing piles
up in the session); every ``rows`` is a generator that reads the database
``BATCH`` rows at a time.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from app.extensions import db
from app.history.models import ChangeLog
from app.hostlink.models import ImportRun
from app.offices.models import Office
from app.passes.models import STATUS_VALID, Issuance
from app.residents import search as people
from app.residents.models import CATEGORIES, Resident
from app.text.wareki import format_wareki
from app.web import labels as web_labels

log = logging.getLogger(__name__)

BATCH = 2000
# A search page sorts every match in kana order before it takes its rows:
# fewer, larger pages sort less (89,086 people: 9 pages instead of 45).
SEARCH_BATCH = 10_000


@dataclass
class ExportList:
    """One list to export.

    :param people_column: index of the 住民番号 in each row, or None when the
        list names no resident (import runs, accounts).
    """

    name: str
    title: str
    header: Sequence[str]
    rows: Callable[[], Iterator[Sequence[Any]]]
    widths: Sequence[float] = ()
    people_column: int | None = 0
    log_detail: dict = field(default_factory=dict)


def _wareki(day: Any) -> str:
    return format_wareki(day) if day else ""


def _labels() -> dict[str, str]:
    """The screens' words for the codes (app.web.labels), as plain text."""
    return {
        code: str(word)
        for table in (
            web_labels.METHODS,
            web_labels.ISSUANCE_KINDS,
            web_labels.REISSUE_REASONS,
            web_labels.ISSUANCE_STATUS,
            web_labels.RESIDENT_STATUS,
            web_labels.CATEGORIES,
            web_labels.EXCLUSION_REASONS,
        )  # fmt: skip
        for code, word in table.items()
    }


def search_results(query: Any, filters: Any) -> ExportList:
    """Every page of a search of people (the search's own function, page after page)."""
    labels = _labels()
    # The category text of each combination of the three flags, made once.
    flags = [(e, d, c) for e in (False, True) for d in (False, True) for c in (False, True)]
    category_text = {
        f: "・".join(labels[code] for code, on in zip(CATEGORIES, f, strict=True) if on)
        for f in flags
    }
    yes = _("Yes")

    def rows() -> Iterator[Sequence[Any]]:
        after = None
        while True:
            page = people.search(
                query, filters, after_id=after, limit=SEARCH_BATCH, with_passes=False
            )
            for r in page.rows:
                yield (
                    r.resident_no, r.name, r.kana, r.birth_date, _wareki(r.birth_date),
                    f"{r.address}\u3000{r.address2}" if r.address2 else r.address,
                    category_text[bool(r.is_elderly), bool(r.is_disabled),
                                  bool(r.is_child_allowance)],
                    labels.get(r.status, r.status),
                    yes if r.needs_review else "",
                )  # fmt: skip
            if not page.has_next or not page.rows:
                return
            after = page.rows[-1].id

    header = [
        _("Resident No."), _("Name"), _("Kana"), _("Birth date"), _("Birth date (wareki)"),
        _("Address"), _("Category"), _("Status"), _("Needs review"),
    ]  # fmt: skip
    return ExportList("residents", _("People"), header, rows, (13, 18, 20, 12, 16, 40, 22, 8, 8))


def _pass_rows(conditions: list[Any], order: Sequence[Any], labels: dict) -> Iterator[Sequence]:
    columns = (
        Issuance.id, Resident.resident_no, Resident.name, Issuance.fiscal_year,
        Issuance.control_no, Issuance.kind, Issuance.reissue_reason, Issuance.applied_on,
        Issuance.issued_on, Office.name.label("office_name"), Issuance.method, Issuance.status,
        Issuance.returned_on, Issuance.resent_on,
    )  # fmt: skip
    last = None
    while True:
        where = list(conditions)
        if last is not None:
            where.append(tuple_(*order) > last)
        batch = db.session.execute(
            select(*columns)
            .join(Resident, Resident.id == Issuance.resident_id)
            .join(Office, Office.id == Issuance.office_id)
            .where(*where)
            .order_by(*order)
            .limit(BATCH)
        ).all()
        for r in batch:
            kind = labels[r.kind] + (f"（{labels[r.reissue_reason]}）" if r.reissue_reason else "")
            yield (
                r.resident_no, r.name, r.fiscal_year, r.control_no, kind, r.applied_on,
                r.issued_on, r.office_name, labels.get(r.method, r.method),
                labels.get(r.status, r.status), r.returned_on, r.resent_on,
            )  # fmt: skip
        if len(batch) < BATCH:
            return
        last = tuple(getattr(batch[-1], c.key) for c in order)


PASS_HEADER = (
    "Resident No.", "Name", "Fiscal year", "Control No.", "Kind", "Application date",
    "Issue date", "Office", "Method", "Status", "Returned on", "Resent on",
)  # fmt: skip
PASS_WIDTHS = (13, 18, 8, 10, 16, 12, 12, 16, 8, 8, 12, 12)


def passes(filters: Any) -> ExportList:
    """The pass list with its filters (:class:`app.passes.lists.PassFilters`), by 交付日."""
    labels = _labels()
    conditions = filters.conditions()
    order = (Issuance.issued_on, Issuance.id)
    return ExportList(
        "passes",
        _("Passes"),
        [_(h) for h in PASS_HEADER],
        lambda: _pass_rows(conditions, order, labels),
        PASS_WIDTHS,
    )


def returns_awaiting() -> ExportList:
    """Returned passes not yet sent again (as :func:`app.passes.returns.awaiting_action`)."""
    labels = _labels()
    conditions = [
        Issuance.returned_on.is_not(None),
        Issuance.resent_on.is_(None),
        Issuance.status == STATUS_VALID,
    ]
    order = (Issuance.returned_on, Issuance.id)
    return ExportList(
        "returns",
        _("Returned passes awaiting action"),
        [_(h) for h in PASS_HEADER],
        lambda: _pass_rows(conditions, order, labels),
        PASS_WIDTHS,
    )


def excluded_by_run(run_id: int) -> ExportList:
    """The people an import run excluded, with their state now (to review)."""
    labels = _labels()

    def rows() -> Iterator[Sequence[Any]]:
        statement = (
            select(
                Resident.resident_no,
                Resident.name,
                Resident.kana,
                Resident.birth_date,
                Resident.status,
                Resident.excluded_on,
                Resident.exclusion_reason,
                Resident.needs_review,
            )  # fmt: skip
            .join(ChangeLog, ChangeLog.resident_id == Resident.id)
            .where(ChangeLog.source == f"hostlink:{run_id}", ChangeLog.action == "exclude")
            .order_by(Resident.kana_key, Resident.id)
            .execution_options(yield_per=BATCH)
        )
        for r in db.session.execute(statement):
            yield (
                r.resident_no, r.name, r.kana, r.birth_date, labels.get(r.status, r.status),
                r.excluded_on, labels.get(r.exclusion_reason or "", r.exclusion_reason or ""), _("Yes") if r.needs_review else "",
            )  # fmt: skip

    header = [
        _("Resident No."), _("Name"), _("Kana"), _("Birth date"), _("Status"),
        _("Excluded on"), _("Exclusion reason"), _("Needs review"),
    ]  # fmt: skip
    return ExportList(
        "excluded", _("People excluded by the import"), header, rows, (13, 18, 20, 12, 8, 12, 14, 8),
        log_detail={"run": run_id},
    )  # fmt: skip


def import_runs() -> ExportList:
    """Every import run, newest first (no personal data)."""

    def rows() -> Iterator[Sequence[Any]]:
        statement = select(
            ImportRun.id, ImportRun.file_name, ImportRun.as_of, ImportRun.trigger,
            ImportRun.started_at, ImportRun.finished_at, ImportRun.status,
            ImportRun.data_count, ImportRun.added, ImportRun.updated, ImportRun.excluded,
            ImportRun.reinstated, ImportRun.unchanged,
        ).order_by(ImportRun.id.desc())  # fmt: skip
        yield from db.session.execute(statement)

    header = [
        _("Run"), _("File"), _("Extract date"), _("Trigger"), _("Started"), _("Finished"),
        _("Status"), _("Records"), _("Added"), _("Updated"), _("Excluded"), _("Reinstated"),
        _("Unchanged"),
    ]  # fmt: skip
    return ExportList("runs", _("Import runs"), header, rows, (6, 26, 12, 10, 18, 18, 10), None)


def accounts(users: Sequence[Any]) -> ExportList:
    """Staff accounts the signed-in supervisor may manage (no residents)."""

    def rows() -> Iterator[Sequence[Any]]:
        for u in users:
            office = getattr(u, "office", None)
            yield (
                u.username, f"{u.last_name} {u.first_name}".strip(), u.email or "",
                "・".join(r.name for r in u.roles), office.name if office else "",
                _("Yes") if u.active else _("No"), u.last_login,
            )  # fmt: skip

    header = [
        _("User name"), _("Name"), _("Email"), _("Role"), _("Office"), _("Active"),
        _("Last sign-in"),
    ]  # fmt: skip
    return ExportList("accounts", _("Accounts"), header, rows, (16, 18, 26, 16, 16, 8, 18), None)
