"""Applications and issuance of passes (交付): the program's rules.

Every function here checks its rules first and raises
:class:`~app.errors.DomainError` with a translated message, leaving the
session clean; on success it adds the rows and history and commits.
"""

import logging

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.audit import writer as audit
from app.errors import Conflict, DomainError, PermissionDenied
from app.extensions import db
from app.history import services as history
from app.passes.models import (
    KINDS,
    METHODS,
    REISSUE_REASONS,
    STATUS_SUPERSEDED,
    STATUS_VALID,
    ControlNumberCounter,
    Issuance,
)
from app.passes.rows import HISTORY_FIELDS, mailing_destination
from app.security.roles import is_branch_only, is_supervisor
from app.text.wareki import fiscal_year_of

log = logging.getLogger(__name__)


def allocate_control_numbers(fiscal_year, count=1):
    """Reserve ``count`` consecutive 整理番号 for ``fiscal_year``.

    The counter row is updated in the caller's transaction: the row lock
    (PostgreSQL) or the write lock (SQLite) makes two offices issuing at the same
    moment get different numbers, and a rolled-back transaction gives its
    numbers back, so no number is ever handed out twice.

    :returns: a ``range`` of the reserved numbers.
    """
    table = ControlNumberCounter.__table__
    dialect = db.session.get_bind().dialect.name
    stmt = insert(table).values(fiscal_year=fiscal_year, last_no=0)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).values(fiscal_year=fiscal_year, last_no=0)
        stmt = stmt.on_conflict_do_nothing(index_elements=["fiscal_year"])
    else:
        stmt = stmt.prefix_with("OR IGNORE")
    db.session.execute(stmt)
    last = db.session.execute(
        update(table)
        .where(table.c.fiscal_year == fiscal_year)
        .values(last_no=table.c.last_no + count)
        .returning(table.c.last_no)
    ).scalar_one()
    return range(last - count + 1, last + 1)


def valid_pass(resident_id, fiscal_year):
    return db.session.execute(
        select(Issuance).where(
            Issuance.resident_id == resident_id,
            Issuance.fiscal_year == fiscal_year,
            Issuance.status == STATUS_VALID,
        )
    ).scalar_one_or_none()


def lost_reissues(resident_id, fiscal_year):
    return db.session.execute(
        select(func.count(Issuance.id)).where(
            Issuance.resident_id == resident_id,
            Issuance.fiscal_year == fiscal_year,
            Issuance.kind == "reissue",
            Issuance.reissue_reason == "lost",
        )
    ).scalar_one()


def check_dates(applied_on, issued_on, today=None):
    today = today or clock.today()
    if applied_on is None:
        raise DomainError(_("Enter the application date."), field="applied_on")
    if issued_on is None:
        raise DomainError(_("Enter the issue date."), field="issued_on")
    if applied_on > issued_on:
        raise DomainError(
            _("The issue date cannot be earlier than the application date."), field="issued_on"
        )
    if issued_on > today:
        raise DomainError(_("The issue date cannot be in the future."), field="issued_on")


def issue_pass(
    resident,
    *,
    kind,
    applied_on,
    issued_on,
    office,
    method,
    user,
    fiscal_year=None,
    reissue_reason=None,
    note=None,
    override_reason=None,
    supersedes_id=None,
    commit=True,
    log_access=True,
):
    """Record an application and the issue of a pass.

    :param kind: ``new``, ``renewal`` or ``reissue``.
    :param supersedes_id: for a reissue, the id of the pass the user saw as
        current; a mismatch means a double submission or a concurrent change.
    :param override_reason: a supervisor's reason for a second lost-pass reissue.
    :raises DomainError: when a rule refuses; nothing is saved.
    """
    if kind not in KINDS:
        raise DomainError(_("Choose the kind of issue."), field="kind")
    if method not in METHODS:
        raise DomainError(_("Choose the method of issue."), field="method")
    if office is None:
        raise DomainError(_("Choose the office."), field="office")
    if note and len(note) > 2000:
        raise DomainError(_("The note is too long (2,000 characters at most)."), field="note")
    if not resident.is_active:
        raise DomainError(_("This person is excluded; no pass can be issued."))
    check_dates(applied_on, issued_on)
    if is_branch_only(user):
        if getattr(user, "office_id", None) != office.id:
            raise PermissionDenied(_("You can record issues only at your own office."))
        if method != "counter":
            raise PermissionDenied(_("Branch offices record counter issues only."))
    if fiscal_year is None:
        fiscal_year = fiscal_year_of(issued_on)

    current = valid_pass(resident.id, fiscal_year)
    if kind == "reissue":
        if reissue_reason not in REISSUE_REASONS:
            raise DomainError(_("Choose the reason for the reissue."), field="reissue_reason")
        if current is None:
            raise DomainError(_("There is no valid pass in this fiscal year to reissue."))
        if supersedes_id is not None and current.id != supersedes_id:
            raise Conflict(_("The pass was changed in the meantime. Reload the page."))
        if reissue_reason == "lost" and lost_reissues(resident.id, fiscal_year) >= 1:
            if not is_supervisor(user):
                raise PermissionDenied(
                    _(
                        "A lost pass can be reissued only once per fiscal year; "
                        "a second reissue needs a supervisor."
                    )
                )
            if not (override_reason or "").strip():
                raise DomainError(
                    _("Enter the reason for the second reissue of a lost pass."),
                    field="override_reason",
                )
    else:
        reissue_reason = None
        if current is not None:
            raise DomainError(
                _("This person already has a valid pass for this fiscal year (No. %(no)s).")
                % {"no": current.control_no}
            )

    try:
        control_no = allocate_control_numbers(fiscal_year)[0]
        issuance = Issuance(
            resident_id=resident.id,
            fiscal_year=fiscal_year,
            control_no=control_no,
            kind=kind,
            reissue_reason=reissue_reason,
            applied_on=applied_on,
            issued_on=issued_on,
            office_id=office.id,
            method=method,
            status=STATUS_VALID,
            note=note or None,
            override_reason=override_reason or None,
            created_by_id=getattr(user, "id", None),
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        if method == "mail":
            dest = mailing_destination(resident)
            issuance.mail_to_name = dest["name"]
            issuance.mail_to_postal_code = dest["postal_code"]
            issuance.mail_to_address = dest["address"]
            issuance.mail_to_address2 = dest["address2"]
            issuance.mail_to_care_of = dest["care_of"]
        if current is not None:
            # Free the "one valid pass" slot before the new row takes it.
            current.status = STATUS_SUPERSEDED
            current.updated_at = clock.now()
            db.session.flush()
        db.session.add(issuance)
        db.session.flush()
        if current is not None:
            current.superseded_by_id = issuance.id
            history.record(
                "issuance",
                current.id,
                resident.id,
                "supersede",
                {"status": [STATUS_VALID, STATUS_SUPERSEDED]},
                user=user,
            )
        history.record(
            "issuance",
            issuance.id,
            resident.id,
            "create",
            {f: [None, getattr(issuance, f)] for f in HISTORY_FIELDS if getattr(issuance, f)},
            user=user,
        )
        if log_access:
            audit.record(
                "issuance.create",
                resident_no=resident.resident_no,
                target=f"{fiscal_year}-{control_no}",
                detail={"kind": kind, "method": method, "office": office.code},
                user=user,
            )
        if commit:
            db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        log.info("issue refused by the database: %s", exc.orig)
        raise Conflict(
            _("This person already has a valid pass for this fiscal year. Reload the page.")
        ) from exc
    except Exception:
        db.session.rollback()
        raise
    log.info("issued pass %s-%s (%s) to resident %s", fiscal_year, control_no, kind, resident.id)
    return issuance


def _correction_action(delta):
    """What a correction amounts to: entering only a 返戻日 (or only a 再送日)
    where there was none is a return (or a resend), as if recorded on the
    returns screen; anything else is a correction."""
    for field, action in (("returned_on", "return"), ("resent_on", "resend")):
        if set(delta) == {field} and delta[field][0] is None:
            return action
    return "update"


def update_issuance(issuance, changes, user, expected_version=None):
    """Correct a pass record, keeping the previous values in its history.

    :param changes: ``{field: new_value}`` of fields in :data:`HISTORY_FIELDS`.
    :param expected_version: the version the user edited; a mismatch is a conflict.
    """
    if expected_version is not None and issuance.version != expected_version:
        raise Conflict(_("The pass was changed in the meantime. Reload the page."))
    before = history.snapshot(issuance, HISTORY_FIELDS)
    applied = changes.get("applied_on", issuance.applied_on)
    issued = changes.get("issued_on", issuance.issued_on)
    check_dates(applied, issued)
    returned = changes.get("returned_on", issuance.returned_on)
    resent = changes.get("resent_on", issuance.resent_on)
    if returned and returned < issued:
        raise DomainError(_("The return date cannot be before the issue date."), "returned_on")
    if resent and (not returned or resent < returned):
        raise DomainError(_("The resend date must be on or after the return date."), "resent_on")
    if returned and returned > clock.today():
        raise DomainError(_("The return date cannot be in the future."), "returned_on")
    if resent and resent > clock.today():
        raise DomainError(_("The resend date cannot be in the future."), "resent_on")
    note = changes.get("note")
    if note and len(note) > 2000:
        raise DomainError(_("The note is too long (2,000 characters at most)."), field="note")
    for field, value in changes.items():
        if field not in HISTORY_FIELDS or field in ("status", "control_no", "fiscal_year"):
            raise DomainError(_("This field cannot be changed."), field=field)
        setattr(issuance, field, value)
    after = history.snapshot(issuance, HISTORY_FIELDS)
    delta = history.diff(before, after)
    if not delta:
        db.session.rollback()
        return issuance
    action = _correction_action(delta)
    try:
        issuance.updated_at = clock.now()
        history.record("issuance", issuance.id, issuance.resident_id, action, delta, user=user)
        audit.record(
            f"issuance.{action}",
            resident_no=issuance.resident.resident_no,
            target=f"{issuance.fiscal_year}-{issuance.control_no}",
            detail={"fields": sorted(delta)},
            user=user,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return issuance
