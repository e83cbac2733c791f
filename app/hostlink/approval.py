"""The supervisor's decisions on a held extract: approve (apply it after all)
or discard it.

Approval checks the file again as if it had just arrived, under the import
lock, and applies it in the same transaction as an import
(:func:`app.hostlink.imports.apply_result`), without the sanity thresholds.
"""

import hashlib
import logging
from pathlib import Path

from sqlalchemy import update

from app import clock
from app.db.transaction import transaction
from app.errors import Conflict, NotFound
from app.extensions import db
from app.hostlink import messages
from app.hostlink.checks import Refused, acquire_lock, check_newer, check_not_seen
from app.hostlink.files import file_away, place
from app.hostlink.imports import apply_result
from app.hostlink.models import RUN_DISCARDED, RUN_HELD, RUN_REFUSED, ImportRun
from app.hostlink.parser import open_extract
from app.hostlink.run_record import RUN, Outcome, finish_run, log_outcome

log = logging.getLogger(__name__)


def get_run(run_id):
    """:raises NotFound: no such run."""
    run = db.session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(messages.run_not_found())
    return run


def _held_run(run_id):
    run = get_run(run_id)
    if run.status != RUN_HELD:
        raise Conflict(messages.not_held())
    return run


def _held_data(held_path, sha256):
    """The held file's bytes.  :raises Conflict: it is gone or changed."""
    try:
        data = Path(held_path).read_bytes()
    except (OSError, TypeError):
        raise Conflict(messages.held_file_missing()) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Conflict(messages.held_file_missing())
    return data


def _refuse_held(run, refusal, as_of, decided, trigger, user):
    """Close a held run that can no longer be applied; its file goes to ``rejected/``."""
    run_id, file_name, held_path = run
    finish_run(run_id, RUN_REFUSED, refusal.code, refusal.args_, **decided)
    place("rejected", run_id, file_name, source=Path(held_path), move=True)
    outcome = Outcome(
        run_id, RUN_REFUSED, file_name, as_of,
        reason_code=refusal.code, reason_args=refusal.args_,
    )  # fmt: skip
    log_outcome("hostlink.approve", outcome, trigger, user)
    return outcome


def _approve_locked(run_id, user, trigger, file_name, held_path, sha256):
    """:func:`approve_run` once the import lock is held."""
    with transaction():
        _held_run(run_id)  # decided by someone else meanwhile?
    extract = open_extract(_held_data(held_path, sha256))
    as_of = extract.header.as_of
    decided = {"decided_by_id": getattr(user, "id", None), "decided_at": clock.now()}
    try:
        check_not_seen(sha256, run_id)
        check_newer(as_of, run_id)
    except Refused as refusal:
        run = (run_id, file_name, held_path)
        return _refuse_held(run, refusal, as_of, decided, trigger, user)
    # The rejected records were stored when the file was held.
    status, plan, code, args = apply_result(
        run_id,
        extract,
        allow_hold=False,
        success_code="approved",
        run_values={**decided, "held_path": None},
        store_rejections=False,
    )
    file_away("archive", run_id, file_name, Path(held_path))
    outcome = Outcome(
        run_id, status, file_name, as_of, dict(plan.counts), extract.errors, code, args
    )
    log_outcome("hostlink.approve", outcome, trigger, user)
    return outcome


def approve_run(run_id, user=None, trigger="command"):
    """Apply a held file on a supervisor's approval.

    The file is checked again as if it had just arrived — content not yet
    applied, 基準日 later than the last applied one — but the sanity
    thresholds no longer hold it.

    :returns: :class:`~app.hostlink.run_record.Outcome` (``applied``, or
        ``refused`` when it can no longer be applied: the run is closed then).
    :raises Conflict: the run is not held, another import is running, or the
        held file is gone or changed.
    """
    with transaction():
        run = _held_run(run_id)
        file_name, held_path, sha256 = run.file_name, run.held_path, run.sha256
    try:
        lock = acquire_lock(run_id)
    except Refused:
        raise Conflict(messages.run_reason("locked")) from None
    try:
        return _approve_locked(run_id, user, trigger, file_name, held_path, sha256)
    finally:
        lock.release()


def discard_run(run_id, user=None, trigger="command"):
    """Close a held run without applying it; its file goes to ``rejected/``.

    :raises Conflict: the run is not held.
    """
    run = _held_run(run_id)
    held_path, file_name = run.held_path, run.file_name
    with db.engine.begin() as conn:
        done = conn.execute(
            update(RUN)
            .where(RUN.c.id == run_id, RUN.c.status == RUN_HELD)
            .values(
                status=RUN_DISCARDED,
                reason_code="discarded",
                reason_args=None,
                held_path=None,
                decided_by_id=getattr(user, "id", None),
                decided_at=clock.now(),
            )
        )
    if done.rowcount != 1:
        raise Conflict(messages.not_held())
    db.session.expire_all()
    if held_path and Path(held_path).exists():
        place("rejected", run_id, file_name, source=Path(held_path), move=True)
    run = get_run(run_id)
    outcome = Outcome(run_id, RUN_DISCARDED, file_name, run.as_of, run.counts, [], "discarded")
    log_outcome("hostlink.discard", outcome, trigger, user)
    return outcome
