"""送付停止 (stop mailing) of a person, and 返還 (a pass handed back at a window).

A stop has a reason (:data:`~app.mailing.models.STOP_REASONS`; ``other``
needs a note), a date it applies from and who recorded it.  It is lifted
(再開) with a reason, never deleted.  For the others:
:func:`active_stop_ids` (a ``select()`` of the ``resident_id`` of every active
stop, for set-based queries such as the mass mailing's) and :func:`is_stopped`.
"""

import functools
import logging
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.history import services as history
from app.mailing.models import STATUS_HANDED_BACK, STOP_REASONS, MailStop
from app.passes.models import STATUS_VALID, Issuance
from app.residents.models import Resident
from app.web import labels

log = logging.getLogger(__name__)

NOTE_MAX = 500

REASON_LABELS = labels.MAIL_STOP_REASONS


def reason_label(code: str | None) -> str:
    """The Japanese name of a stop reason (the code itself when unknown)."""
    return str(REASON_LABELS.get(code, code or ""))


def active_stop_ids() -> Select[Any]:
    """A ``select()`` of the ``resident_id`` of every person with an active stop."""
    return select(MailStop.resident_id).where(MailStop.lifted_at.is_(None))


def is_stopped(resident_id: int) -> bool:
    """Whether the person has an active 送付停止."""
    return active_stop(resident_id) is not None


def active_stop(resident_id: int) -> MailStop | None:
    """The person's active stop, or None."""
    return db.session.execute(
        select(MailStop).where(MailStop.resident_id == resident_id, MailStop.lifted_at.is_(None))
    ).scalar_one_or_none()


@functools.cache
def _stops_of_statement() -> Select[Any]:
    # Built once per process: the person's page runs it on every view.
    return (
        select(MailStop)
        .where(MailStop.resident_id == bindparam("resident_id"))
        .order_by(MailStop.recorded_at.desc(), MailStop.id.desc())
    )


def stops_of(resident_id: int) -> list[MailStop]:
    """Every stop of the person, the latest first (lifted ones too)."""
    rows = db.session.execute(_stops_of_statement(), {"resident_id": resident_id})
    return list(rows.scalars())


def stopped_among(resident_nos: list[str]) -> dict[str, str]:
    """``{住民番号: reason}`` of those of ``resident_nos`` with an active stop (one query)."""
    if not resident_nos:
        return {}
    rows = db.session.execute(
        select(Resident.resident_no, MailStop.reason)
        .join(MailStop, MailStop.resident_id == Resident.id)
        .where(Resident.resident_no.in_(resident_nos), MailStop.lifted_at.is_(None))
    )
    return {no: reason for no, reason in rows}


def find_resident(resident_no: str) -> Resident:
    """:raises NotFound: no person has that 住民番号."""
    resident = db.session.execute(
        select(Resident).where(Resident.resident_no == (resident_no or "").strip())
    ).scalar_one_or_none()
    if resident is None:
        raise NotFound(_("There is no person with resident number %(no)s.") % {"no": resident_no})
    return resident


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("Write the note in %(n)s characters or fewer.") % {"n": NOTE_MAX}, field="note"
        )
    return note or None


def check_stop(resident: Resident, reason: str, note: str | None) -> str | None:
    """The rules of a new stop; the cleaned note.

    :raises DomainError: unknown reason, ``other`` without a note.
    :raises Conflict: the person is already stopped.
    """
    if reason not in STOP_REASONS:
        raise DomainError(_("Choose the reason for stopping the mailing."), field="reason")
    note = _clean_note(note)
    if reason == "other" and not note:
        raise DomainError(_("For the reason Other, write what it is."), field="note")
    if active_stop(resident.id) is not None:
        raise Conflict(_("Mailing to %(name)s is already stopped.") % {"name": resident.name})
    return note


def _log(resident: Resident, action: str, changes: dict[str, Any], entity_id: int, user: Any):
    history.record("mail_stop", entity_id, resident.id, action, changes, user=user)
    audit.record(
        "resident.update",
        resident_no=resident.resident_no,
        target=f"mail_stop:{entity_id}",
        detail={"action": action, "fields": sorted(changes)},
        user=user,
    )


def _add_stop(
    resident: Resident,
    reason: str,
    note: str | None,
    since: date,
    user: Any,
    issuance_id: int | None = None,
) -> MailStop:
    """Add the stop and its history inside the caller's transaction."""
    stop = MailStop(
        resident_id=resident.id,
        reason=reason,
        note=note,
        since=since,
        issuance_id=issuance_id,
        recorded_by_id=getattr(user, "id", None),
        recorded_at=clock.now(),
    )
    db.session.add(stop)
    db.session.flush()
    changes = {"mail_stop_reason": [None, reason], "mail_stop_since": [None, since]}
    if note:
        changes["mail_stop_note"] = [None, note]
    _log(resident, "mail_stop", changes, stop.id, user)
    return stop


_ALREADY = _l("Mailing to this person is already stopped. Reload the page.")


def stop_mailing(
    resident: Resident,
    reason: str,
    user: Any,
    note: str | None = None,
    since: date | None = None,
) -> MailStop:
    """Record 送付停止 for ``resident`` from ``since`` (default today).

    :raises DomainError: when a rule refuses (:func:`check_stop`); nothing is saved.
    """
    note = check_stop(resident, reason, note)
    since = since or clock.today()
    if since > clock.today():
        raise DomainError(_("The date cannot be in the future."), field="since")
    with transaction(conflict=_ALREADY):
        stop = _add_stop(resident, reason, note, since, user)
    log.info("mailing stopped for resident %s (%s)", resident.id, reason)
    return stop


def resume_mailing(
    resident: Resident, user: Any, reason: str | None = None, on: date | None = None
) -> MailStop:
    """Lift the person's active stop (再開) with ``reason``; the stop stays as history.

    :raises Conflict: when mailing to the person is not stopped.
    """
    stop = active_stop(resident.id)
    if stop is None:
        raise Conflict(_("Mailing to %(name)s is not stopped.") % {"name": resident.name})
    reason = _clean_note(reason)
    on = on or clock.today()
    with transaction():
        stop.lifted_on = on
        stop.lift_reason = reason
        stop.lifted_by_id = getattr(user, "id", None)
        stop.lifted_at = clock.now()
        changes = {"lifted_on": [None, on]}
        if reason:
            changes["lift_reason"] = [None, reason]
        _log(resident, "mail_resume", changes, stop.id, user)
    log.info("mailing resumed for resident %s", resident.id)
    return stop


def _check_hand_back(resident: Resident, issuance: Issuance, on: date) -> None:
    if issuance.resident_id != resident.id:
        raise NotFound(_("The pass was not found."))
    if issuance.status != STATUS_VALID:
        raise Conflict(
            _("Pass No. %(no)s is not a valid pass; it cannot be handed back.")
            % {"no": issuance.control_no}
        )
    if on > clock.today() or on < issuance.issued_on:
        raise DomainError(
            _("The date handed back must be between the issue date and today."), field="on"
        )


def hand_back(
    resident: Resident,
    issuance: Issuance,
    user: Any,
    stop: bool,
    on: date | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> MailStop | None:
    """返還: the pass is handed back at a window on ``on`` (default today).

    The pass gets the status ``handed_back`` (no longer the person's valid
    pass of its year); with ``stop`` (the person no longer wants the pass)
    mailing is stopped too, with the reason ``returned_pass``, in the same
    transaction.

    :returns: the new stop, or None.
    :raises DomainError: when a rule refuses; nothing is saved.
    """
    on = on or clock.today()
    if expected_version is not None and issuance.version != expected_version:
        raise Conflict(_("The pass was changed in the meantime. Reload the page."))
    _check_hand_back(resident, issuance, on)
    note = _clean_note(note)
    if stop:
        check_stop(resident, "returned_pass", note)
    created = None
    with transaction(conflict=_ALREADY):
        issuance.status = STATUS_HANDED_BACK
        issuance.updated_at = clock.now()
        changes = {"status": [STATUS_VALID, STATUS_HANDED_BACK], "handed_back_on": [None, on]}
        history.record("issuance", issuance.id, resident.id, "hand_back", changes, user=user)
        audit.record(
            "issuance.update",
            resident_no=resident.resident_no,
            target=f"{issuance.fiscal_year}-{issuance.control_no}",
            detail={"action": "hand_back", "stop": bool(stop)},
            user=user,
        )
        if stop:
            created = _add_stop(resident, "returned_pass", note, on, user, issuance.id)
    log.info("pass %s handed back", issuance.id)
    return created
