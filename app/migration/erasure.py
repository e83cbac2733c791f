"""Erasure records (消去記録) of a migrated workbook and its copies.

A supervisor records, for an applied migration, where each copy of the
workbook was, how it was erased, when, who erased it and who witnessed it (a
second, active account).  Records are never changed or deleted — the database
refuses it (migration 0007) — so a mistake is put right by a new record that
names the one it corrects.
"""

import logging
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import DomainError
from app.extensions import db
from app.migration.models import RUN_APPLIED, ErasureRecord, MigrationRun

log = logging.getLogger(__name__)

MAX_TEXT = 1000


def records_of(run_id: int) -> list[ErasureRecord]:
    """The erasure records of a run, oldest first."""
    statement = (
        select(ErasureRecord).where(ErasureRecord.run_id == run_id).order_by(ErasureRecord.id)
    )
    return list(db.session.execute(statement).scalars())


def _text(value: str | None, field: str, label: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(_("%(label)s is required.", label=label), field)
    if len(text) > MAX_TEXT:
        raise DomainError(
            _("%(label)s is too long (at most %(n)s characters).", label=label, n=MAX_TEXT), field
        )
    return text


def _check_people(erased_by: Any, witness: Any) -> None:
    if erased_by is None or not erased_by.active:
        raise DomainError(_("The person who erased it must be an active account."), "erased_by")
    if witness is None or not witness.active:
        raise DomainError(_("The witness must be an active account."), "witness")
    if witness.id == erased_by.id:
        raise DomainError(
            _("The witness must be a different account from the person who erased it."), "witness"
        )


def _check_day(run: MigrationRun, erased_on: date | None) -> date:
    if erased_on is None:
        raise DomainError(_("Enter the date of the erasure."), "erased_on")
    if erased_on > clock.today():
        raise DomainError(_("The date of the erasure cannot be in the future."), "erased_on")
    if run.applied_at and erased_on < run.applied_at.date():
        raise DomainError(
            _("The erasure cannot be dated before the import (%(day)s).",
              day=f"{run.applied_at:%Y-%m-%d}"),
            "erased_on",
        )  # fmt: skip
    return erased_on


def record_erasure(
    run: MigrationRun,
    *,
    location: str,
    method: str,
    erased_on: date | None,
    erased_by: Any,
    witness: Any,
    recorded_by: Any,
    note: str | None = None,
    corrects_id: int | None = None,
) -> ErasureRecord:
    """Record one erasure of ``run``'s workbook (or a copy of it).

    :param recorded_by: the signed-in supervisor; ``None`` on the command line.
    :param corrects_id: the earlier record of the same run this one corrects.
    :raises DomainError: the run is not applied, a field is missing or too
        long, the date is impossible, an account is inactive, or the witness is
        the person who erased it.
    """
    if run.status != RUN_APPLIED:
        raise DomainError(_("Only an imported ledger's erasure can be recorded."))
    record = ErasureRecord(
        run_id=run.id,
        location=_text(location, "location", _("Where it was")),
        method=_text(method, "method", _("How it was erased")),
        erased_on=_check_day(run, erased_on),
        automatic=False,
        recorded_at=clock.now(),
        note=" ".join(note.split())[:MAX_TEXT] if note and note.strip() else None,
    )
    _check_people(erased_by, witness)
    if corrects_id is not None and corrects_id not in {r.id for r in records_of(run.id)}:
        raise DomainError(_("The record to correct is not one of this import's."), "corrects_id")
    with transaction():
        record.erased_by_id = erased_by.id
        record.witness_id = witness.id
        record.recorded_by_id = getattr(recorded_by, "id", None)
        record.corrects_id = corrects_id
        db.session.add(record)
        db.session.flush()
        audit.record(
            "ledger.erasure",
            target=f"ledger_run:{run.id}",
            detail={
                "erasure_id": record.id,
                "location": record.location,
                "erased_on": record.erased_on.isoformat(),
                "erased_by": erased_by.username,
                "witness": witness.username,
                "corrects": corrects_id,
            },
            user=recorded_by if recorded_by is not None else False,
            username=None if recorded_by is not None else "command-line",
        )
    log.info("ledger run %s: erasure %s recorded", run.id, record.id)
    return record
