"""日別処理状況リスト: the day's work of an office, to check against the paper forms.

Every issue (new, renewal, reissue) recorded that day from the passes'
``created_at``, and every return, resend, correction of a pass,
mailing-address change, exclusion and reinstatement a member of staff recorded
that day from the history; each pass with its fiscal year (年度).  A return
cleared by a correction the same day is listed as the correction
(「返戻日の取消」), not as a return.
Passes created by the annual mass mailing are counted in the totals, not
listed one by one (there are tens of thousands, and they have no paper form).

The rows come in pages of fixed size with every cell cut to one line, so
each page of the PDF holds exactly one table: one table spanning thousands
of rows makes xhtml2pdf slow (it re-measures the rest of the table at each
page break) and ``<pdf:pagecount>`` would make it lay the document out twice.
"""

import logging
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app import clock
from app.applications import applicants
from app.extensions import db
from app.history.models import ChangeLog
from app.letters.models import MassMailingItem
from app.letters.pdf import render_pdf, settings_from_config, write_atomically
from app.letters.printing import fit_line
from app.offices.models import Office
from app.passes.models import Issuance
from app.residents.models import Resident
from app.security.models import StaffUser
from app.text.wareki import format_fiscal_year, format_wareki
from app.web import labels
from app.web.display import FIELD_LABELS

log = logging.getLogger(__name__)

TEMPLATE = "pdf/checklist.html"
ROWS_PER_PAGE = 30
LOGGED_ACTIONS = ("return", "resend", "mail_address", "exclude", "reinstate")
COLUMNS = (
    "time",
    "office",
    "fiscal_year",
    "control_no",
    "name",
    "kind",
    "method",
    "applicant",
    "staff",
    "note",
)
# A pass correction that clears one of these dates undoes that event.
CLEARABLE = {"returned_on": "return", "resent_on": "resend"}
FONT_PT = 9
# Column widths in mm (keep in step with pdf/checklist.html).
WIDTHS = {"office": 32, "name": 42, "kind": 26, "applicant": 30, "staff": 22, "note": 38}


def _action_labels():
    return {
        "return": _("Returned mail"),
        "resend": _("Sent again"),
        "mail_address": _("Mailing address changed"),
        "exclude": _("Excluded"),
        "reinstate": _("Reinstated"),
    }


def _kind_label(issuance):
    label = labels.label(labels.ISSUANCE_KINDS, issuance.kind)
    if issuance.kind == "reissue" and issuance.reissue_reason:
        label = f"{label}（{labels.label(labels.REISSUE_REASONS, issuance.reissue_reason)}）"
    return label


def _staff_name(user):
    if user is None:
        return ""
    return " ".join(x for x in (user.last_name, user.first_name) if x) or user.username


def _day_bounds(day):
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def _issue_rows(start, end, office):
    """The passes created in ``[start, end)``, and how many of them came from
    the mass mailing (counted, not listed)."""
    issue_query = (
        select(Issuance, Resident.name, Office, StaffUser)
        .join(Resident, Resident.id == Issuance.resident_id)
        .join(Office, Office.id == Issuance.office_id)
        .outerjoin(StaffUser, StaffUser.id == Issuance.created_by_id)
        .where(Issuance.created_at >= start, Issuance.created_at < end)
    )
    if office is not None:
        issue_query = issue_query.where(Issuance.office_id == office.id)
    mass = set(
        db.session.execute(
            select(Issuance.id)
            .where(Issuance.created_at >= start, Issuance.created_at < end)
            .where(Issuance.id.in_(select(MassMailingItem.issuance_id)))
        ).scalars()
    )
    rows = []
    mass_mailing = 0
    found = db.session.execute(issue_query).tuples().all()
    replaced = _replaced_numbers([i.id for i, *_rest in found if i.kind == "reissue"])
    for issuance, name, where, staff in found:
        if issuance.id in mass:
            mass_mailing += 1
            continue
        rows.append(
            {
                "at": issuance.created_at,
                "resident_id": issuance.resident_id,
                "office": where,
                "fiscal_year": format_fiscal_year(issuance.fiscal_year),
                "control_no": str(issuance.control_no),
                "name": name,
                "kind": _kind_label(issuance),
                "kind_code": issuance.kind,
                "method": labels.label(labels.METHODS, issuance.method),
                "staff": _staff_name(staff),
                "applicant": applicants.applicant_cell(issuance),
                "note": _joined(
                    applicants.proxy_note(issuance), _replaces_note(replaced.get(issuance.id))
                ),
            }
        )
    return rows, mass_mailing


def _joined(*notes):
    return "　".join(n for n in notes if n)


def _replaced_numbers(reissue_ids):
    """``{reissue id: 整理番号 of the pass it replaced}``, in one statement (a
    statement per reissue made a busy day's checklist take seconds)."""
    if not reissue_ids:
        return {}
    rows = db.session.execute(
        select(Issuance.superseded_by_id, Issuance.control_no).where(
            Issuance.superseded_by_id.in_(reissue_ids)
        )
    )
    return dict(rows.tuples().all())


def _replaces_note(old_no):
    """「Replaces No. n」 for a reissue, naming the pass it replaced."""
    return _("Replaces No. %(no)s") % {"no": old_no} if old_no else ""


def _logged_rows(start, end, office):
    """The returns, resends, pass corrections, address changes, exclusions and
    reinstatements a member of staff recorded in ``[start, end)``.

    A return (or resend) whose date a later correction of the same day cleared
    is left out: it did not happen, and the correction is listed as
    「返戻日の取消」 (「再送日の取消」).
    """
    log_query = (
        select(ChangeLog, Resident.name, StaffUser, Office)
        .join(Resident, Resident.id == ChangeLog.resident_id)
        .join(StaffUser, StaffUser.id == ChangeLog.user_id)
        .outerjoin(Office, Office.id == StaffUser.office_id)
        .where(
            ChangeLog.changed_at >= start,
            ChangeLog.changed_at < end,
            or_(
                ChangeLog.action.in_(LOGGED_ACTIONS),
                (ChangeLog.action == "update") & (ChangeLog.entity == "issuance"),
            ),
        )
        .order_by(ChangeLog.changed_at, ChangeLog.id)
    )
    if office is not None:
        log_query = log_query.where(StaffUser.office_id == office.id)
    entries = db.session.execute(log_query).tuples().all()
    cleared = _cleared_events(entry for entry, *_rest in entries)
    rows = []
    for entry, name, staff, where in entries:
        undone_at = cleared.get((entry.entity_id, entry.action))
        if undone_at is not None and entry.changed_at <= undone_at:
            continue
        issuance = db.session.get(Issuance, entry.entity_id) if entry.entity == "issuance" else None
        kind, note = _event_label(entry)
        rows.append(
            {
                "at": entry.changed_at,
                "resident_id": entry.resident_id,
                "office": where,
                "fiscal_year": format_fiscal_year(issuance.fiscal_year) if issuance else "",
                "control_no": str(issuance.control_no) if issuance else "",
                "name": name,
                "kind": kind,
                "kind_code": entry.action,
                "method": "",
                "staff": _staff_name(staff),
                "note": note,
            }
        )
    return rows


def _cleared_field(entry):
    """The return or resend date a pass correction cleared (``returned_on``,
    ``resent_on``), or None."""
    if entry.entity != "issuance" or entry.action != "update":
        return None
    changes = entry.changes or {}
    for field in CLEARABLE:
        pair = changes.get(field)
        if pair and pair[0] and not pair[1]:
            return field
    return None


def _cleared_events(entries):
    """``{(pass id, "return" | "resend"): when its date was last cleared}``."""
    cleared = {}
    for entry in entries:
        field = _cleared_field(entry)
        if field is not None:
            cleared[(entry.entity_id, CLEARABLE[field])] = entry.changed_at
    return cleared


def _event_label(entry):
    """``(processing, note)`` of a history entry: a correction says what it changed."""
    if entry.action != "update":
        return _action_labels()[entry.action], ""
    changes = entry.changes or {}
    field = _cleared_field(entry)
    if field is not None:
        label = _("Return date cleared") if field == "returned_on" else _("Resend date cleared")
        return label, _day_text(changes[field][0])
    fields = "・".join(str(FIELD_LABELS.get(name, name)) for name in changes)
    return _("Pass record corrected"), fields


def _day_text(value):
    try:
        return format_wareki(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _row_order(row):
    return (
        row["office"].sort_order if row["office"] else 999,
        row["at"],
        int(row["control_no"] or 0),
        row["kind"],
    )


def _totals(rows):
    by_office = Counter(r["office"].name if r["office"] else "" for r in rows)
    by_method = Counter(r["method"] for r in rows if r["method"])
    by_kind = Counter(r["kind"] for r in rows)
    return {
        "by_office": sorted(by_office.items()),
        "by_method": sorted(by_method.items()),
        "by_kind": sorted(by_kind.items()),
    }


def collect(day, office=None):
    """The rows and totals of ``day`` for ``office`` (``None``: every office).

    :returns: dict with ``rows`` (time order within office order), ``totals``
        (``by_office``, ``by_method``, ``by_kind`` as lists of
        ``(label, count)``) and ``mass_mailing`` (passes by the mass mailing).
    """
    start, end = _day_bounds(day)
    rows, mass_mailing = _issue_rows(start, end, office)
    rows += _logged_rows(start, end, office)
    rows.sort(key=_row_order)
    return {"rows": rows, "mass_mailing": mass_mailing, "totals": _totals(rows)}


def _printable_rows(settings, rows, with_office):
    gothic = settings.gothic
    out = []
    for row in rows:
        printed = {
            "time": row["at"].strftime("%H:%M"),
            "fiscal_year": row["fiscal_year"],
            "control_no": row["control_no"],
            "name": fit_line(settings.printable(row["name"]), gothic, FONT_PT, WIDTHS["name"]),
            "kind": fit_line(row["kind"], gothic, FONT_PT, WIDTHS["kind"]),
            "method": row["method"],
            "applicant": fit_line(
                settings.printable(row.get("applicant", "")), gothic, FONT_PT, WIDTHS["applicant"]
            ),
            "staff": fit_line(settings.printable(row["staff"]), gothic, FONT_PT, WIDTHS["staff"]),
            "note": fit_line(row["note"], gothic, FONT_PT, WIDTHS["note"]),
        }
        if with_office:
            office_name = row["office"].name if row["office"] else ""
            printed["office"] = fit_line(office_name, gothic, FONT_PT, WIDTHS["office"])
        out.append(printed)
    return out


def checklist_context(day, office=None):
    """The plain-dict context of the checklist of ``day``."""
    settings = settings_from_config(current_app.config)
    data = collect(day, office)
    rows = _printable_rows(settings, data["rows"], with_office=office is None)
    pages = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)]
    return {
        "title": _("Daily processing checklist"),
        "date": format_wareki(day),
        "office": office.name if office else _("All offices"),
        "with_office": office is None,
        "columns": (COLUMNS if office is None else tuple(c for c in COLUMNS if c != "office")),
        "pages": pages,
        # the row pages and the totals page
        "page_total": len(pages) + 1,
        "count": len(rows),
        "resident_ids": {row["resident_id"] for row in data["rows"]},
        "mass_mailing": data["mass_mailing"],
        "totals": data["totals"],
        "printed_at": f"{format_wareki(clock.now().date())} {clock.now():%H:%M}",
    }


def render_checklist(day, office=None):
    """The checklist of ``day`` for ``office`` (``None``: all offices) as PDF bytes."""
    pdf, count, _people = render_checklist_with_people(day, office)
    return pdf, count


def render_checklist_with_people(day, office=None):
    """:func:`render_checklist`, and the 住民番号 of the people it lists (for
    the access log): ``(pdf, count, resident_nos)``."""
    context = checklist_context(day, office)
    return render_pdf(TEMPLATE, context), context["count"], _numbers(context["resident_ids"])


def listed_people(day, office=None):
    """The 住民番号 of the people the checklist of ``day`` lists, as the
    database has it now: who a stored checklist showed, for the access log
    (the file was printed that evening from the same rows)."""
    return _numbers({row["resident_id"] for row in collect(day, office)["rows"]})


def _numbers(resident_ids):
    if not resident_ids:
        return []
    return list(
        db.session.execute(
            select(Resident.resident_no).where(Resident.id.in_(sorted(resident_ids)))
        ).scalars()
    )


def checklist_folder():
    return Path(current_app.config["OUTPUT_DIR"]) / "checklists"


def stored_path(day, office_code):
    return checklist_folder() / day.isoformat() / f"checklist-{day.isoformat()}-{office_code}.pdf"


def generate_daily(day=None, offices=None):
    """Write the checklist of ``day`` (default today) of every office to OUTPUT_DIR.

    :returns: the paths written.
    """
    day = day or clock.today()
    offices = offices or db.session.execute(select(Office).order_by(Office.sort_order)).scalars()
    written = []
    for office in offices:
        pdf, count = render_checklist(day, office)
        path = stored_path(day, office.code)
        write_atomically(path, pdf)
        written.append(path)
        log.info("checklist %s %s: %d rows", day, office.code, count)
    return written


def stored_checklists(office_code=None, limit=62):
    """The stored checklists, newest day first: ``[(day, office_code, path)]``."""
    folder = checklist_folder()
    if not folder.is_dir():
        return []
    found = []
    for day_dir in sorted(folder.iterdir(), reverse=True):
        if not day_dir.is_dir():
            continue
        try:
            day = datetime.strptime(day_dir.name, "%Y-%m-%d").date()
        except ValueError:
            continue
        for path in sorted(day_dir.glob("checklist-*.pdf")):
            code = path.stem.rsplit("-", 1)[-1]
            if office_code is None or code == office_code:
                found.append((day, code, path))
        if len({d for d, _c, _p in found}) >= limit:
            break
    return found
