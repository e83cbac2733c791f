"""Applying host extract files: the import runs, their lock, hold and approval.

One entry point for every way a file arrives — :func:`import_file` (the inbox
poll, the command line, an upload) — and the apply transaction it shares with
the supervisor's approval of a held file (:mod:`app.hostlink.approval`).
Every attempt is an :class:`~app.hostlink.models.ImportRun`, written in its own
transactions (:mod:`app.hostlink.run_record`) so that it is recorded whatever
happens to the apply transaction.

The order of one import:

1. record the run (status ``running``);
2. take the import lock — a second import meanwhile is refused, not
   interleaved (:mod:`app.hostlink.checks`, like the refusals below);
3. read the file (its ``.END`` trigger must exist when asked), compute its
   SHA-256; refuse content already applied or already held;
4. parse it; a file-level error refuses the whole file;
5. refuse a 基準日 or 作成日 after today, a file name that is not its 基準日,
   and a 基準日 not later than the last applied one;
6. in one transaction: lock the residents, parse the records into a staging
   table and compare them with the residents there (:mod:`app.hostlink.apply`),
   write the changes, and either record the run's result and its rejected
   records with them, or — over the sanity thresholds — roll it all back and
   hold the file for a supervisor.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update

from app import clock
from app.db.transaction import transaction
from app.extensions import db
from app.hostlink import apply
from app.hostlink.checks import (
    Refused,
    acquire_lock,
    check_name,
    check_newer,
    check_not_future,
    check_not_seen,
    header_as_of,
    hold_reasons,
)
from app.hostlink.files import file_away, place, trigger_path
from app.hostlink.models import RUN_APPLIED, RUN_FAILED, RUN_HELD, RUN_REFUSED, RUN_RUNNING
from app.hostlink.parser import FileError, open_extract
from app.hostlink.run_record import (
    RUN,
    Outcome,
    finish_run,
    insert_rejections,
    log_outcome,
    start_run,
    update_run,
)

log = logging.getLogger(__name__)


# -- the apply transaction -----------------------------------------------------------


class _Held(Exception):
    """The plan exceeds a sanity threshold: roll back, the file is held."""

    def __init__(self, plan, code, args):
        super().__init__(code)
        self.plan = plan
        self.code = code
        self.args_ = args


def _plan(session, run_id, extract, now):
    """Lock the residents, compare the extract with them and write the result
    (rolled back by the caller if the file is to be held)."""
    # The first statement writes, so SQLite takes its write lock before
    # the residents are read; PostgreSQL locks the table for writers.
    session.execute(update(RUN).where(RUN.c.id == run_id).values(status=RUN_RUNNING))
    apply.lock_residents(session)
    log.info("import run %s: comparing and writing changes", run_id)
    return apply.apply_extract(session, extract, now, f"hostlink:{run_id}")


def _write(session, run_id, extract, plan, success_code, run_values, store_rejections):
    """Write the run's result; return the run's ``(code, args)``."""
    code, args = success_code, None
    if plan.absences_skipped and success_code == "applied":
        code, args = "applied_absences_skipped", {"count": plan.absences_skipped}
    fields = {
        "status": RUN_APPLIED,
        "reason_code": code,
        "reason_args": args,
        "finished_at": clock.now(),
        "active_before": plan.active_before,
        "data_count": plan.data_count,
        **plan.counts,
    }
    fields.update(run_values or {})
    conn = session.connection()
    update_run(conn, run_id, **fields)
    if store_rejections:
        insert_rejections(conn, run_id, extract.errors)
    return code, args


def apply_result(
    run_id, extract, *, allow_hold, success_code, run_values=None, store_rejections=True
):
    """Compare and write in one transaction, or find the file must be held.

    :param extract: the file's :class:`~app.hostlink.parser.Extract`, its
        records not yet read (its ``errors`` are complete afterwards).
    :param allow_hold: hold the file when the plan exceeds a sanity threshold.
    :param success_code: the run's reason code when applied.
    :param run_values: more columns of the run to write with the result.
    :param store_rejections: store the rejected records with the result.
    :returns: ``(status, plan, reason_code, reason_args)``; for ``held``
        nothing has been written (the transaction is rolled back).
    """
    session = db.session()
    session.commit()  # nothing of the caller's may ride on this transaction
    now = clock.now()
    try:
        with transaction(session=session):
            plan = _plan(session, run_id, extract, now)
            hold_code, hold_args = hold_reasons(plan)
            if allow_hold and hold_code:
                raise _Held(plan, hold_code, hold_args)
            code, args = _write(
                session, run_id, extract, plan, success_code, run_values, store_rejections
            )
    except _Held as held:
        return RUN_HELD, held.plan, held.code, held.args_
    _after_applied(run_id)
    return RUN_APPLIED, plan, code, args


def _after_applied(run_id):
    """The newly eligible people of the run (:mod:`app.notices`, from its
    history rows), after the apply transaction: whatever happens there, the
    import stands."""
    try:
        from app.notices.jobs import extract_applied

        extract_applied(run_id)
    except Exception:  # the notices' own failure handling failed: log, go on
        log.exception("import run %s: the newly eligible step failed", run_id)
        db.session.rollback()


# -- one import ----------------------------------------------------------------------


@dataclass
class _Attempt:
    """One import under way, and what is known of its file so far."""

    run_id: int
    file_name: str
    path: Path | None
    move: bool
    as_of: object = None
    errors: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # columns of the run learnt on the way


def _read(attempt, require_trigger):
    """The file's bytes.  :raises Refused: missing, not triggered or unreadable."""
    path = attempt.path
    if not path.is_file():
        raise Refused("unreadable", {"error": "not found"})
    if require_trigger and not trigger_path(path).exists():
        raise Refused("no_trigger", {"end_name": trigger_path(path).name})
    try:
        return path.read_bytes()
    except OSError as exc:
        log.warning("import run %s: cannot read %s: %s", attempt.run_id, path, exc)
        raise Refused("unreadable", {"error": exc.strerror or str(exc)}) from None


def _parse(attempt, data):
    """Check the content is new and check it as a file (its records are
    parsed as they are applied).  :raises Refused: seen or refused."""
    values = attempt.values
    values["sha256"] = hashlib.sha256(data).hexdigest()
    values["file_size"] = len(data)
    attempt.as_of = header_as_of(data)
    check_not_seen(values["sha256"], attempt.run_id)
    try:
        extract = open_extract(data)
    except FileError as exc:
        raise Refused(
            "file_error",
            {"code": exc.code, "line": exc.line_no, "field": getattr(exc, "field", None)},
            as_of=attempt.as_of,
        ) from None
    attempt.as_of = extract.header.as_of
    values["created_on"] = extract.header.created_on
    values["data_count"] = extract.data_count
    return extract


def _check_dates(attempt, extract):
    """The file's dates and name against today and the runs before.

    :raises Refused: with the rejected records known (a refused run lists them).
    """
    try:
        check_not_future(attempt.as_of, extract.header.created_on)
        check_name(attempt.file_name, attempt.as_of)
        check_newer(attempt.as_of, attempt.run_id)
    except Refused:
        attempt.errors = extract.all_errors()
        raise


def _file_result(attempt, outcome, plan, data):
    """Hold the file, or file it away in ``archive/``."""
    run_id, file_name, path = attempt.run_id, attempt.file_name, attempt.path
    if outcome.status == RUN_HELD:
        held = place("held", run_id, file_name, source=path, data=data, move=attempt.move)
        finish_run(
            run_id,
            RUN_HELD,
            outcome.reason_code,
            outcome.reason_args,
            attempt.errors,
            as_of=attempt.as_of,
            held_path=str(held),
            active_before=plan.active_before,
            **plan.counts,
            **attempt.values,
        )
    elif attempt.move and path is not None:
        file_away("archive", run_id, file_name, path)
    elif path is None:
        file_away("archive", run_id, file_name, data=data)


def _import(attempt, data, require_trigger):
    """Read, check, parse and apply; return the :class:`Outcome`.

    :raises Refused: the file is refused.
    """
    if attempt.path is not None:
        data = _read(attempt, require_trigger)
    extract = _parse(attempt, data)
    _check_dates(attempt, extract)
    status, plan, code, args = apply_result(
        attempt.run_id,
        extract,
        allow_hold=True,
        success_code="applied",
        run_values={"as_of": attempt.as_of, **attempt.values},
    )
    attempt.errors = extract.errors
    del extract
    if attempt.path is not None:
        data = None  # re-read from the file if it must be kept
    outcome = Outcome(
        attempt.run_id, status, attempt.file_name, attempt.as_of, dict(plan.counts),
        attempt.errors, code, args,
    )  # fmt: skip
    _file_result(attempt, outcome, plan, data)
    return outcome


def _refused(attempt, refusal):
    """Close a refused run; its file goes to ``rejected/`` unless it may come again."""
    as_of = refusal.as_of or attempt.as_of
    errors = attempt.errors
    finish_run(
        attempt.run_id,
        RUN_REFUSED,
        refusal.code,
        refusal.args_,
        errors if refusal.code != "locked" else (),
        as_of=as_of,
        **attempt.values,
    )
    path = attempt.path
    may_come_again = refusal.code in ("locked", "no_trigger")
    if attempt.move and path is not None and not may_come_again and path.exists():
        file_away("rejected", attempt.run_id, attempt.file_name, path)
    return Outcome(
        attempt.run_id, RUN_REFUSED, attempt.file_name, as_of, rejections=list(errors),
        reason_code=refusal.code, reason_args=refusal.args_,
    )  # fmt: skip


def _failed(attempt, exc):
    """Close a run that crashed (nothing was applied)."""
    finish_run(
        attempt.run_id,
        RUN_FAILED,
        "failed",
        {"error": type(exc).__name__},
        as_of=attempt.as_of,
        **attempt.values,
    )
    return Outcome(attempt.run_id, RUN_FAILED, attempt.file_name, attempt.as_of,
                   reason_code="failed")  # fmt: skip


def import_file(
    path=None,
    *,
    data=None,
    file_name=None,
    trigger,
    user=None,
    require_trigger=True,
    move=False,
):
    """Apply one extract file as the schedule would.

    :param path: the ``.DAT`` file; or give ``data`` (an upload) and ``file_name``.
    :param trigger: ``"schedule"``, ``"command"`` or ``"upload"``.
    :param user: the signed-in user who uploaded it, if any.
    :param require_trigger: refuse the file unless its ``.END`` exists.
    :param move: move the file to ``archive/``, ``rejected/`` or ``held/``
        afterwards (the inbox); otherwise it stays where it is (a held file
        is copied to ``held/``).
    :returns: :class:`Outcome`.
    """
    path = Path(path) if path is not None else None
    file_name = file_name or (path.name if path else "upload.DAT")
    attempt = _Attempt(start_run(file_name, trigger, user), file_name, path, move)
    lock = None
    try:
        try:
            lock = acquire_lock(attempt.run_id)
            outcome = _import(attempt, data, require_trigger)
        except Refused as refusal:
            outcome = _refused(attempt, refusal)
        except Exception as exc:  # any crash is recorded as a failed run
            log.exception("import run %s failed", attempt.run_id)
            outcome = _failed(attempt, exc)
        log_outcome("hostlink.import", outcome, trigger, user)
        return outcome
    finally:
        if lock is not None:
            lock.release()
