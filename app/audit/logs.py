"""Searching, exporting and purging the access log."""

import json
import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, union

from app import clock
from app.audit import writer as audit
from app.audit.details import Words
from app.audit.models import AccessLog, AccessLogPerson, AccessLogPolicy
from app.db.transaction import transaction
from app.errors import DomainError
from app.extensions import db
from app.files import tables
from app.security.models import LoginAttempt, UserSession
from app.text.wareki import WarekiError, parse_date_input

log = logging.getLogger(__name__)

# The actions of the shared vocabulary, for the search form's list.
ACTIONS = (
    "resident.search", "resident.view", "resident.update", "resident.export",
    "issuance.list", "issuance.view", "issuance.create", "issuance.update",
    "issuance.return", "issuance.resend", "api.read", "letter.print", "checklist.print",
    "mass_mailing.run", "mass_mailing.download", "hostlink.import", "hostlink.approve",
    "hostlink.discard", "ledger.upload", "ledger.check", "ledger.import", "ledger.discard",
    "ledger.view", "ledger.report", "ledger.erasure", "login.success", "login.failure", "login.locked", "logout",
    "account.create", "account.update", "account.disable", "account.enable",
    "account.unlock", "account.password_reset", "password.change", "access_log.search",
    "access_log.export", "access_log.purge", "access.denied", "list.export",
    "notice.run", "notice.list", "notice.download",
)  # fmt: skip

ACTION_LABELS = {
    "resident.search": _l("Resident search"),
    "resident.view": _l("Resident viewed"),
    "resident.update": _l("Resident changed"),
    "resident.export": _l("Residents exported"),
    "list.export": _l("List exported"),
    "notice.run": _l("Notice postcards made"),
    "notice.list": _l("Notice postcards viewed"),
    "notice.download": _l("Notice postcards downloaded"),
    "issuance.list": _l("Pass list"),
    "issuance.view": _l("Pass viewed"),
    "issuance.create": _l("Pass issued"),
    "issuance.update": _l("Pass corrected"),
    "issuance.return": _l("Returned mail recorded"),
    "issuance.resend": _l("Resend recorded"),
    "api.read": _l("API read"),
    "letter.print": _l("Letter printed"),
    "checklist.print": _l("Checklist printed"),
    "mass_mailing.run": _l("Mass mailing run"),
    "mass_mailing.download": _l("Mass mailing downloaded"),
    "hostlink.import": _l("Host extract imported"),
    "hostlink.approve": _l("Host extract approved"),
    "hostlink.discard": _l("Host extract discarded"),
    "ledger.upload": _l("Ledger workbook uploaded"),
    "ledger.check": _l("Ledger workbook checked"),
    "ledger.import": _l("Ledger workbook imported"),
    "ledger.discard": _l("Ledger check discarded"),
    "ledger.view": _l("Ledger reconciliation report viewed"),
    "ledger.report": _l("Ledger report downloaded"),
    "ledger.erasure": _l("Ledger erasure recorded"),
    "login.success": _l("Signed in"),
    "login.failure": _l("Sign-in failed"),
    "login.locked": _l("Account locked"),
    "logout": _l("Signed out"),
    "account.create": _l("Account created"),
    "account.update": _l("Account changed"),
    "account.disable": _l("Account disabled"),
    "account.enable": _l("Account enabled"),
    "account.unlock": _l("Account unlocked"),
    "account.password_reset": _l("One-time password issued"),
    "password.change": _l("Password changed"),
    "access_log.search": _l("Access log searched"),
    "access_log.export": _l("Access log exported"),
    "access_log.purge": _l("Access log purged"),
    "access.denied": _l("Access refused"),
}
OUTCOME_LABELS = {
    "ok": _l("OK"),
    "failure": _l("Failed"),
    "denied": _l("Refused"),
    "refused": _l("Refused"),
}

# What people read (in Japanese), then the codes as recorded, for machines.
CSV_HEADER = (
    _l("Date and time"),
    _l("User"),
    _l("Role"),
    _l("Office"),
    _l("Client address"),
    _l("Action"),
    _l("Resident No."),
    _l("Target"),
    _l("Outcome"),
    _l("Details"),
    _l("Role (code)"),
    _l("Office (code)"),
    _l("Action (code)"),
    _l("Target (as recorded)"),
    _l("Outcome (code)"),
    _l("Details (JSON)"),
)


@dataclass
class LogFilter:
    """What to look for; every field optional."""

    username: str | None = None
    resident_no: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_detail(self):
        return {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v
        }


def _parse_date(text, field):
    try:
        value = parse_date_input(text)
    except WarekiError:
        value = None
    if text and text.strip() and value is None:
        raise DomainError(_("Not a date: %(text)s") % {"text": text.strip()[:40]}, field=field)
    return value


def parse_filter(username=None, resident_no=None, action=None, date_from=None, date_to=None):
    """Read the search fields (as typed) into a :class:`LogFilter`.

    :raises DomainError: a date that is not a date, a resident number that is
        not digits, an unknown action, or a range that ends before it starts.
    """
    resident_no = (resident_no or "").strip()
    if resident_no and not (
        resident_no.isascii() and resident_no.isdigit() and len(resident_no) <= 10
    ):
        raise DomainError(_("A resident number is up to 10 digits."), field="resident_no")
    action = (action or "").strip()
    if action and action not in ACTIONS:
        raise DomainError(_("Unknown action."), field="action")
    result = LogFilter(
        username=(username or "").strip()[:100] or None,
        resident_no=resident_no or None,
        action=action or None,
        date_from=_parse_date(date_from, "date_from"),
        date_to=_parse_date(date_to, "date_to"),
    )
    if result.date_from and result.date_to and result.date_to < result.date_from:
        raise DomainError(_("The end date is before the start date."), field="date_to")
    return result


def _rows_naming(resident_no):
    """The ids of the rows about one person and of the lists that showed them:
    a UNION of two index look-ups (``ix_access_log_resident`` and
    ``ix_access_log_person_resident``), where an OR would scan the log."""
    return union(
        select(AccessLog.id).where(AccessLog.resident_no == resident_no),
        select(AccessLogPerson.log_id).where(AccessLogPerson.resident_no == resident_no),
    )


def _statement(flt):
    stmt = select(AccessLog)
    if flt.username:
        stmt = stmt.where(func.lower(AccessLog.username) == flt.username.lower())
    if flt.resident_no:
        stmt = stmt.where(AccessLog.id.in_(_rows_naming(flt.resident_no)))
    if flt.action:
        stmt = stmt.where(AccessLog.action == flt.action)
    if flt.date_from:
        stmt = stmt.where(AccessLog.at >= datetime.combine(flt.date_from, time.min))
    if flt.date_to:
        stmt = stmt.where(
            AccessLog.at < datetime.combine(flt.date_to + timedelta(days=1), time.min)
        )
    return stmt


def count(flt):
    return db.session.scalar(select(func.count()).select_from(_statement(flt).subquery()))


def search(flt, limit=100, offset=0):
    """:returns: ``(rows, total)``, newest first."""
    total = count(flt)
    rows = db.session.scalars(
        _statement(flt)
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    # The screen writes its own log row and commits before rendering; the
    # commit would expire these rows and the template reload each one alone.
    for row in rows:
        db.session.expunge(row)
    return rows, total


def iter_rows(flt, batch=1000):
    """Every matching row, oldest first, fetched in batches (for exports)."""
    stmt = _statement(flt).order_by(AccessLog.at, AccessLog.id)
    yield from db.session.scalars(stmt.execution_options(yield_per=batch))


def _value(value):
    """A field as the CSV shows it (app.files.tables makes it formula-safe)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def csv_header():
    return [str(label) for label in CSV_HEADER]


def csv_record(row, words):
    """One AccessLog row as CSV values (:data:`CSV_HEADER`), to be written by
    :mod:`app.files.tables` (which quotes a cell that would start a formula
    with ').

    :param words: a :class:`app.audit.details.Words`.
    """
    return [
        _value(row.at),
        row.username,
        words.roles(row.role),
        words.office(row.office_code),
        row.ip,
        words.action(row.action),
        row.resident_no,
        words.target(row.target),
        words.outcome(row.outcome),
        words.detail(row.detail, row.action),
        row.role,
        row.office_code,
        row.action,
        row.target,
        row.outcome,
        _value(row.detail),
    ]


def csv_records(rows):
    """:func:`csv_record` of each of ``rows``, the office names read once."""
    words = Words()
    return (csv_record(row, words) for row in rows)


def write_csv(rows, out):
    """Write ``rows`` (AccessLog) as CSV with a header row to the text stream ``out``.

    :returns: the number of rows written.
    """
    return tables.write_csv(out, csv_header(), csv_records(rows))


def retention_years():
    return int(current_app.config.get("ACCESS_LOG_RETENTION_YEARS", 5))


def _check_not_shorter(years):
    """Refuse a period shorter than the one recorded: the database refuses to
    lower it (migration 0008), so that nobody below a superuser can make
    younger rows deletable."""
    recorded = db.session.scalar(
        select(AccessLogPolicy.retention_years).where(AccessLogPolicy.id == 1)
    )
    if recorded is not None and years < recorded:
        raise DomainError(
            _(
                "The access log is kept for %(recorded)d years; "
                "the retention period cannot be shortened to %(years)d years.",
                recorded=recorded,
                years=years,
            )
        )


def _set_retention(years):
    """Record the period the database trigger protects (before deleting)."""
    policy = db.session.get(AccessLogPolicy, 1)
    if policy is None:
        db.session.add(AccessLogPolicy(id=1, retention_years=years))
    elif policy.retention_years != years:
        policy.retention_years = years
    db.session.flush()


# Rows deleted per transaction by the purge: a year of a large city's log is
# millions of rows, and one DELETE of them all would hold their row locks,
# bloat the table and write one burst of WAL while the counters work.
PURGE_BATCH_ROWS = 10_000


def _purge_batch(cutoff, batch):
    """Delete up to ``batch`` of the oldest log rows before ``cutoff`` and the
    people they named (which the database lets go only once their row is
    gone, migration 0010), in one transaction of their own.

    :returns: ``(log rows deleted, people rows deleted)``.
    """
    with transaction():
        ids = db.session.scalars(
            select(AccessLog.id)
            .where(AccessLog.at < cutoff)
            .order_by(AccessLog.at, AccessLog.id)
            .limit(batch)
        ).all()
        if not ids:
            return 0, 0
        db.session.execute(delete(AccessLog).where(AccessLog.id.in_(ids)))
        people = db.session.execute(
            delete(AccessLogPerson).where(AccessLogPerson.log_id.in_(ids))
        ).rowcount
    return len(ids), people


def _purge_rows(cutoff, batch):
    """Every log row before ``cutoff``, ``batch`` rows per transaction: the
    table stays open to the counters' writes throughout (row locks only, a
    batch at a time), and a purge stopped midway leaves whole batches gone
    and the rest to the next run."""
    deleted = people = 0
    while True:
        rows, named = _purge_batch(cutoff, batch)
        deleted += rows
        people += named
        if rows < batch:
            return deleted, people
        log.info("access log purge: %d rows so far", deleted)


def purge(years=None, dry_run=False, operator=None, batch=PURGE_BATCH_ROWS):
    """Delete access-log rows older than the retention period (in batches of
    ``batch`` rows, each its own transaction), and old sign-in attempts and
    ended sessions; record what was purged (``access_log.purge``).

    The database trigger refuses to delete a row inside the period recorded in
    ``access_log_policy``, which is set to ``years`` first.
    :returns: a dict of counts and the date range purged.
    """
    years = int(years or retention_years())
    if years < 1:
        raise DomainError(_("The retention period is at least one year."))
    _check_not_shorter(years)
    now = clock.now()
    cutoff = now - relativedelta(years=years)
    count, oldest, newest = db.session.execute(
        select(func.count(AccessLog.id), func.min(AccessLog.at), func.max(AccessLog.at)).where(
            AccessLog.at < cutoff
        )
    ).one()
    summary = {
        "retention_years": years,
        "cutoff": cutoff.isoformat(timespec="seconds"),
        "deleted": int(count or 0),
        "oldest": oldest.isoformat(timespec="seconds") if oldest else None,
        "newest": newest.isoformat(timespec="seconds") if newest else None,
        "dry_run": bool(dry_run),
    }
    if dry_run:
        return summary
    with transaction():
        _set_retention(years)
    if count:
        summary["deleted"], summary["people_deleted"] = _purge_rows(cutoff, max(1, int(batch)))
    with transaction():
        summary["login_attempts_deleted"] = db.session.execute(
            delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1))
        ).rowcount
        summary["sessions_deleted"] = db.session.execute(
            delete(UserSession).where(
                UserSession.ended_at.is_not(None), UserSession.ended_at < now - timedelta(days=90)
            )
        ).rowcount
        audit.record("access_log.purge", detail=summary, username=operator, user=False)
    log.info("access log purged: %s", summary)
    return summary
