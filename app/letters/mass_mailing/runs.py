"""The run records (``mass_mailing_run``): requesting and queuing a run,
resuming a failed one, the scheduler's claim, running it to the end
(:func:`execute_run`) and its status for the screens."""

import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app import clock
from app.db.transaction import transaction
from app.errors import Conflict, DomainError
from app.extensions import db
from app.letters.mass_mailing.issuing import audit_step, issue_passes
from app.letters.mass_mailing.outputs import write_outputs
from app.letters.mass_mailing.rendering import Progress, print_letters
from app.letters.models import RUN_DONE, RUN_FAILED, RUN_QUEUED, RUN_RUNNING, MassMailingRun
from app.scheduler import locks
from app.scheduler.cli import LOCK_NAME as SCHEDULER_LOCK

log = logging.getLogger(__name__)

# A running run whose process has not reported for this long is taken over.
STALE_AFTER = timedelta(minutes=10)


def check_request(
    fiscal_year: int, cutoff: date | None, mailing_date: date | None, today: date | None = None
) -> None:
    """Refuse an impossible run.

    :raises DomainError: with a message for the screen.
    """
    today = today or clock.today()
    if not 2000 <= fiscal_year <= today.year + 1:
        raise DomainError(_("Choose a fiscal year."), field="fiscal_year")
    if cutoff is None:
        raise DomainError(_("Enter the cut-off date."), field="cutoff")
    if cutoff > today:
        raise DomainError(_("The cut-off date cannot be in the future."), field="cutoff")
    if mailing_date is None:
        raise DomainError(_("Enter the mailing date."), field="mailing_date")
    if mailing_date < cutoff:
        raise DomainError(
            _("The mailing date cannot be before the cut-off date."), field="mailing_date"
        )
    if mailing_date > today + timedelta(days=60):
        raise DomainError(
            _("The mailing date must be within 60 days from today."), field="mailing_date"
        )


def scheduler_alive() -> bool:
    """Whether the scheduler process, which runs queued mass mailings, is running.

    The screens say so: a run queued while it is down waits until it starts.
    """
    holder = locks.holder_of(SCHEDULER_LOCK)
    stale_after = current_app.config["SCHEDULER_LOCK_STALE_SECONDS"]
    return holder is not None and not locks.is_stale(holder, stale_after)


def waits_for_scheduler(run: MassMailingRun, alive: bool | None = None) -> bool:
    """Whether ``run`` is stuck until the scheduler is started: it is queued,
    or its process stopped reporting (see :data:`STALE_AFTER`), and no
    scheduler runs to take it.  A run of ``flask letters mass-mailing`` that
    is still reporting goes on without the scheduler.

    :param alive: :func:`scheduler_alive`, when the caller has asked already.
    """
    if run.status == RUN_QUEUED:
        stuck = True
    elif run.status == RUN_RUNNING:
        stuck = run.heartbeat_at is None or run.heartbeat_at < clock.now() - STALE_AFTER
    else:
        return False
    return stuck and not (scheduler_alive() if alive is None else alive)


def _refuse_if_busy(fiscal_year: int) -> None:
    busy = db.session.execute(
        select(MassMailingRun.id).where(
            MassMailingRun.fiscal_year == fiscal_year,
            MassMailingRun.status.in_((RUN_QUEUED, RUN_RUNNING)),
        )
    ).first()
    if busy:
        raise Conflict(
            _("A mass mailing for this fiscal year is already under way (run %(id)s).")
            % {"id": busy[0]}
        )


def queue_run(
    fiscal_year: int,
    cutoff: date,
    mailing_date: date,
    user: Any,
    output_dir: Path | str | None = None,
) -> MassMailingRun:
    """Record a run for the scheduler to pick up.

    :raises DomainError: when the request is impossible (:func:`check_request`).
    :raises Conflict: when a run for the same year is queued or running.
    """
    check_request(fiscal_year, cutoff, mailing_date)
    _refuse_if_busy(fiscal_year)
    with transaction():
        run = MassMailingRun(
            fiscal_year=fiscal_year,
            cutoff_date=cutoff,
            mailing_date=mailing_date,
            status=RUN_QUEUED,
            total=0,
            done=0,
            batch_size=int(current_app.config["MASS_MAILING_BATCH_SIZE"]),
            files=[],
            summary={},
            output_dir=str(output_dir) if output_dir else None,
            requested_by_id=getattr(user, "id", None),
            created_at=clock.now(),
        )
        db.session.add(run)
        db.session.flush()
        detail = {"fiscal_year": fiscal_year, "cutoff": cutoff.isoformat(), "step": "queued"}
        audit_step(run, user, detail)
    log.info("mass mailing %s queued for fiscal year %s", run.id, fiscal_year)
    return run


def resume_run(run: MassMailingRun, user: Any) -> MassMailingRun:
    """Queue a failed run again; it continues where it stopped.

    :raises Conflict: when the run has not failed.
    """
    if run.status != RUN_FAILED:
        raise Conflict(_("Only a failed run can be resumed."))
    with transaction():
        run.status = RUN_QUEUED
        run.error = None
        audit_step(run, user, {"fiscal_year": run.fiscal_year, "step": "resumed"})
    return run


def claim_next_run() -> MassMailingRun | None:
    """Take the oldest queued run (or a running one whose process died).

    The conditional UPDATE is the lock: of two processes claiming at once,
    only one changes the row.
    """
    now = clock.now()
    stale = MassMailingRun.heartbeat_at < now - STALE_AFTER
    candidates = db.session.execute(
        select(MassMailingRun.id)
        .where(
            (MassMailingRun.status == RUN_QUEUED) | ((MassMailingRun.status == RUN_RUNNING) & stale)
        )
        .order_by(MassMailingRun.id)
    ).scalars()
    for run_id in list(candidates):
        with transaction():
            claimed = db.session.execute(
                update(MassMailingRun)
                .where(MassMailingRun.id == run_id, (MassMailingRun.status == RUN_QUEUED) | stale)
                .values(status=RUN_RUNNING, heartbeat_at=now, started_at=now)
            ).rowcount
        if claimed:
            return db.session.get(MassMailingRun, run_id)
    return None


def _start(run: MassMailingRun) -> None:
    with transaction():
        run.status = RUN_RUNNING
        run.started_at = run.started_at or clock.now()
        run.heartbeat_at = clock.now()


def _fail(run_id: int, exc: Exception) -> MassMailingRun:
    """Record why run ``run_id`` stopped; what it committed so far stays."""
    # Discards whatever the failed step left half done in the session.
    db.session.rollback()
    with transaction():
        run = db.session.get(MassMailingRun, run_id)
        run.status = RUN_FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.heartbeat_at = clock.now()
    return run


def execute_run(
    run: MassMailingRun, workers: int | None = None, on_progress: Progress = None
) -> MassMailingRun:
    """Issue and print ``run`` to the end, resuming where it stopped.

    Each step commits its own work (the passes at once, the letters file by
    file), so a failed run keeps it and resumes after it.

    :returns: the run, ``done`` or ``failed`` (with ``error``).
    """
    _start(run)
    try:
        issue_passes(run)
        print_letters(run, workers=workers, on_progress=on_progress)
        write_outputs(run)
    except Exception as exc:  # noqa: BLE001  (any failure is recorded on the run, to resume)
        run = _fail(run.id, exc)
        log.exception("mass mailing %s failed", run.id)
        return run
    with transaction():
        run.status = RUN_DONE
        run.finished_at = clock.now()
    log.info("mass mailing %s done: %d letters in %d files", run.id, run.total, len(run.files))
    return run


def progress(run: MassMailingRun) -> dict[str, Any]:
    """Figures for the progress bar: done, total, percent, seconds left."""
    total, done = run.total or 0, run.done or 0
    percent = 100 if run.status == RUN_DONE else (int(done * 100 / total) if total else 0)
    seconds_left = None
    if run.status == RUN_RUNNING and done and total and run.issued_at:
        elapsed = (clock.now() - run.issued_at).total_seconds()
        seconds_left = max(0, int(elapsed / done * (total - done)))
    return {
        "id": run.id,
        "status": run.status,
        "done": done,
        "total": total,
        "percent": percent,
        "seconds_left": seconds_left,
        "files": len(run.files or []),
        "error": run.error,
    }


def recent_runs(limit: int = 20) -> list[MassMailingRun]:
    """The latest runs, newest first."""
    return list(
        db.session.execute(select(MassMailingRun).order_by(MassMailingRun.id.desc()).limit(limit))
        .scalars()
        .all()
    )
