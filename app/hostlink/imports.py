"""Applying host extract files: the import runs, their lock, hold and approval.

One entry point per way a file arrives — :func:`import_file` (the inbox poll,
the command line, an upload) — and the supervisor's decisions on a held file,
:func:`approve_run` and :func:`discard_run`.  Every attempt is an
:class:`~app.hostlink.models.ImportRun`, written in its own transactions so
that it is recorded whatever happens to the apply transaction.

The order of one import:

1. record the run (status ``running``);
2. take the import lock — a second import meanwhile is refused, not
   interleaved;
3. read the file (its ``.END`` trigger must exist when asked), compute its
   SHA-256; refuse content already applied or already held;
4. parse it; a file-level error refuses the whole file;
5. refuse a 基準日 not later than the last applied one;
6. in one transaction: lock the residents, compare (:mod:`app.hostlink.apply`),
   and either write everything together with the run's result and its
   rejected records, or — over the sanity thresholds — write nothing and hold
   the file for a supervisor.
"""

import hashlib
import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import func, insert, select, update

from app import clock
from app.audit import writer as audit
from app.errors import Conflict, NotFound
from app.extensions import db
from app.hostlink import apply, messages
from app.hostlink.models import (
    COUNT_FIELDS,
    RUN_APPLIED,
    RUN_DISCARDED,
    RUN_FAILED,
    RUN_HELD,
    RUN_REFUSED,
    RUN_RUNNING,
    TRIGGER_SCHEDULE,
    ImportRun,
    ImportRunRejection,
)
from app.hostlink.parser import FileError, parse_extract
from app.scheduler import locks

log = logging.getLogger(__name__)

LOCK_NAME = "hostlink.import"
_RUN = ImportRun.__table__
_REJECTION = ImportRunRejection.__table__
_FILE_NAME = re.compile(r"FUREAI_(\d{8})\.DAT", re.IGNORECASE)
# Who the access log names when no one is signed in.
_ACTOR_NAMES = {TRIGGER_SCHEDULE: "scheduler", "command": "command-line"}


@dataclass
class Outcome:
    """What became of one import attempt (for the command line and the screens)."""

    run_id: int
    status: str
    file_name: str
    as_of: date | None = None
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))
    rejections: list = field(default_factory=list)
    reason_code: str | None = None
    reason_args: dict | None = None

    @property
    def reason(self):
        return messages.run_reason(self.reason_code, self.reason_args)

    def as_json(self):
        """The command line's summary object (reason in Japanese)."""
        data = {
            "run_id": self.run_id,
            "status": self.status,
            "file": self.file_name,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }
        for name in ("added", "updated", "excluded", "reinstated", "unchanged"):
            data[name] = self.counts.get(name, 0)
        data["unknown_not_eligible"] = self.counts.get("unknown_not_eligible", 0)
        data["rejected"] = [
            {
                "line": r.line_no,
                "resident_no": r.resident_no,
                "field": r.field,
                "reason": f"{messages.field_label(r.field)}: {messages.record_error_text(r.code)}",
            }
            for r in self.rejections
        ]
        data["reason"] = self.reason
        return data


class _Refused(Exception):
    """Stop the import: nothing is applied, for the reason given."""

    def __init__(self, code, args=None, as_of=None):
        super().__init__(code)
        self.code = code
        self.args_ = args or {}
        self.as_of = as_of


# -- folders -------------------------------------------------------------------


def folders():
    """The inbox and, beside it, ``archive/``, ``rejected/`` and ``held/``."""
    inbox = Path(current_app.config["HOST_INBOX_DIR"])
    return {
        "inbox": inbox,
        "archive": inbox.parent / "archive",
        "rejected": inbox.parent / "rejected",
        "held": inbox.parent / "held",
    }


def trigger_path(path):
    """The ``.END`` file that says ``path`` has been written completely."""
    path = Path(path)
    return path.with_suffix(".end" if path.suffix.islower() else ".END")


def _free_name(folder, name, run_id):
    target = folder / name
    if target.exists():
        target = folder / f"{Path(name).stem}.run{run_id}{Path(name).suffix}"
    return target


def _place(folder_key, run_id, file_name, source=None, data=None, move=False):
    """Put the file into one of :func:`folders`; return where it went.

    :param source: the file's path; moved when ``move``, else copied.
    :param data: the bytes, when there is no file (an upload).
    """
    folder = folders()[folder_key]
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, file_name, run_id)
    if source is not None and move:
        shutil.move(str(source), target)
        end = trigger_path(source)
        if end.exists():
            shutil.move(str(end), target.with_suffix(trigger_path(target).suffix))
    elif source is not None:
        shutil.copyfile(source, target)
    else:
        target.write_bytes(data)
    return target


def _file_away(folder_key, run_id, file_name, source=None, data=None):
    """Move (or write) a file whose run has ended to its folder; the run's
    outcome stands even if that fails, so a failure is only logged."""
    try:
        return _place(folder_key, run_id, file_name, source=source, data=data, move=True)
    except OSError:
        log.exception("import run %s: could not move the file to %s/", run_id, folder_key)
        return None


# -- the run record ------------------------------------------------------------


def _start_run(file_name, trigger, user):
    values = {
        "file_name": file_name[:255],
        "trigger": trigger,
        "user_id": getattr(user, "id", None),
        "started_at": clock.now(),
        "status": RUN_RUNNING,
        **dict.fromkeys(COUNT_FIELDS, 0),
    }
    with db.engine.begin() as conn:
        return conn.execute(insert(_RUN).values(**values)).inserted_primary_key[0]


def _update_run(conn, run_id, **values):
    conn.execute(update(_RUN).where(_RUN.c.id == run_id).values(**values))


def _insert_rejections(conn, run_id, errors):
    rows = [
        (run_id, e.line_no, e.resident_no[:20], e.field[:30], e.code[:40], e.message[:200])
        for e in errors
    ]
    apply.bulk_insert(
        conn, _REJECTION, ("run_id", "line_no", "resident_no", "field", "code", "detail"), rows
    )


def _finish_run(run_id, status, reason_code, reason_args=None, errors=(), **values):
    """Record a run's end in its own transaction."""
    with db.engine.begin() as conn:
        _update_run(
            conn,
            run_id,
            status=status,
            reason_code=reason_code,
            reason_args=reason_args,
            finished_at=clock.now(),
            **values,
        )
        if errors:
            _insert_rejections(conn, run_id, errors)


# Run status -> the access log's outcome vocabulary (the status is in the detail).
_AUDIT_OUTCOMES = {RUN_REFUSED: "refused", RUN_FAILED: "failure"}


def _audit(action, run_id, status, trigger, user, detail=None):
    audit.record(
        action,
        target=f"import_run:{run_id}",
        detail=detail,
        outcome=_AUDIT_OUTCOMES.get(status, "ok"),
        user=user,
        username=None if user else _ACTOR_NAMES.get(trigger, trigger),
    )


def _commit_audit(action, run_id, status, trigger, user, detail=None):
    try:
        _audit(action, run_id, status, trigger, user, detail)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("import run %s: could not write the access log", run_id)


# -- checks ----------------------------------------------------------------------


def _header_as_of(data):
    """The header's 基準日 when it can be read, even from a refused file."""
    if data[:1] != b"H" or not data[9:17].isdigit():
        return None
    try:
        return date(int(data[9:13]), int(data[13:15]), int(data[15:17]))
    except ValueError:
        return None


def _check_not_seen(sha256, run_id):
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(_RUN.c.id, _RUN.c.status)
            .where(
                _RUN.c.sha256 == sha256,
                _RUN.c.id != run_id,
                _RUN.c.status.in_((RUN_APPLIED, RUN_HELD)),
            )
            .order_by(_RUN.c.id)
        ).all()
    for other_id, status in rows:
        if status == RUN_APPLIED:
            raise _Refused("already_applied", {"run_id": other_id})
    if rows:
        raise _Refused("already_held", {"run_id": rows[0][0]})


def _check_newer(as_of, run_id):
    with db.engine.connect() as conn:
        last = conn.execute(
            select(func.max(_RUN.c.as_of)).where(_RUN.c.status == RUN_APPLIED, _RUN.c.id != run_id)
        ).scalar()
    if last is not None and as_of <= last:
        raise _Refused(
            "not_newer",
            {"as_of": as_of.isoformat(), "last_as_of": last.isoformat()},
            as_of=as_of,
        )


def _check_name(file_name, as_of):
    match = _FILE_NAME.fullmatch(file_name)
    if match and match.group(1) != as_of.strftime("%Y%m%d"):
        name_date = match.group(1)
        raise _Refused(
            "name_mismatch",
            {
                "name_date": f"{name_date[:4]}-{name_date[4:6]}-{name_date[6:]}",
                "as_of": as_of.isoformat(),
            },  # fmt: skip
            as_of=as_of,
        )


def _hold_reasons(plan):
    """The sanity thresholds the plan exceeds, as ``(code, args)``."""
    config = current_app.config
    reasons = {}
    reject_limit = config["HOSTLINK_MAX_REJECT_RATIO"]
    rejected = plan.counts["rejected"]
    if plan.data_count and rejected / plan.data_count > reject_limit:
        reasons["held_rejects"] = {
            "rejected": rejected,
            "data_count": plan.data_count,
            "ratio": rejected / plan.data_count,
            "limit": float(reject_limit),
        }
    exclude_limit = config["HOSTLINK_MAX_EXCLUDE_RATIO"]
    excluded = plan.counts["excluded"]
    if excluded and (not plan.active_before or excluded / plan.active_before > exclude_limit):
        reasons["held_exclusions"] = {
            "excluded": excluded,
            "active": plan.active_before,
            "ratio": excluded / plan.active_before if plan.active_before else 1.0,
            "limit": float(exclude_limit),
        }
    if not reasons:
        return None, None
    if len(reasons) == 1:
        ((code, args),) = reasons.items()
        return code, args
    return "+".join(reasons), reasons


def _sweep_interrupted(previous):
    """Mark the run of a dead lock holder (killed mid-import) as failed."""
    match = re.fullmatch(r"run:(\d+)", (previous or {}).get("detail") or "")
    if not match:
        return
    with db.engine.begin() as conn:
        conn.execute(
            update(_RUN)
            .where(_RUN.c.id == int(match.group(1)), _RUN.c.status == RUN_RUNNING)
            .values(status=RUN_FAILED, reason_code="interrupted", finished_at=clock.now())
        )


def _acquire_lock(run_id):
    stale_after = current_app.config["HOSTLINK_LOCK_STALE_SECONDS"]
    try:
        lock = locks.acquire(LOCK_NAME, stale_after, detail=f"run:{run_id}")
    except locks.LockHeld as exc:
        raise _Refused("locked", {"since": str(exc.holder.get("acquired_at") or "")}) from None
    if lock.previous:
        _sweep_interrupted(lock.previous)
    return lock


# -- the apply transaction -----------------------------------------------------------


def _apply(run_id, result, *, allow_hold, success_code, run_values=None, store_rejections=True):
    """Compare and write in one transaction, or find the file must be held.

    :returns: ``(status, plan, reason_code, reason_args)``; for ``held``
        nothing has been written.
    """
    session = db.session
    session.commit()  # nothing of the caller's may ride on this transaction
    now = clock.now()
    try:
        # The first statement writes, so SQLite takes its write lock before
        # the residents are read; PostgreSQL locks the table for writers.
        session.execute(update(_RUN).where(_RUN.c.id == run_id).values(status=RUN_RUNNING))
        apply.lock_residents(session)
        current = apply.load_current(session)
        plan = apply.plan_import(
            result.records,
            result.errors,
            result.data_count,
            result.header.as_of,
            current,
            now,
            fetch=lambda ids: apply.fetch_compared(session, ids),
            dates_as_text=session.get_bind().dialect.name == "sqlite",
        )
        del current
        # The plan holds what is needed now; the records may go (memory).
        result.records = []
        hold_code, hold_args = _hold_reasons(plan)
        if allow_hold and hold_code:
            session.rollback()
            return RUN_HELD, plan, hold_code, hold_args
        log.info("import run %s: writing changes", run_id)
        apply.write_plan(session, plan, f"hostlink:{run_id}", now)
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
        _update_run(conn, run_id, **fields)
        if store_rejections:
            _insert_rejections(conn, run_id, result.errors)
        session.commit()
        return RUN_APPLIED, plan, code, args
    except BaseException:
        session.rollback()
        raise


# -- entry points ------------------------------------------------------------------


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
    run_id = _start_run(file_name, trigger, user)
    lock = None
    as_of = None
    errors = []
    values = {}
    try:
        lock = _acquire_lock(run_id)
        if path is not None:
            if not path.is_file():
                raise _Refused("unreadable", {"error": "not found"})
            if require_trigger and not trigger_path(path).exists():
                raise _Refused("no_trigger", {"end_name": trigger_path(path).name})
            try:
                data = path.read_bytes()
            except OSError as exc:
                log.warning("import run %s: cannot read %s: %s", run_id, path, exc)
                raise _Refused("unreadable", {"error": exc.strerror or str(exc)}) from None
        values["sha256"] = hashlib.sha256(data).hexdigest()
        values["file_size"] = len(data)
        as_of = _header_as_of(data)
        _check_not_seen(values["sha256"], run_id)
        try:
            result = parse_extract(data)
        except FileError as exc:
            raise _Refused(
                "file_error",
                {"code": exc.code, "line": exc.line_no, "field": getattr(exc, "field", None)},
                as_of=as_of,
            ) from None
        if path is not None:
            data = None  # re-read from the file if it must be kept
        as_of = result.header.as_of
        values["created_on"] = result.header.created_on
        values["data_count"] = result.data_count
        errors = result.errors
        _check_name(file_name, as_of)
        _check_newer(as_of, run_id)
        status, plan, code, args = _apply(
            run_id,
            result,
            allow_hold=True,
            success_code="applied",
            run_values={"as_of": as_of, **values},
        )
        del result
        outcome = Outcome(run_id, status, file_name, as_of, dict(plan.counts), errors, code, args)
        if status == RUN_HELD:
            held = _place("held", run_id, file_name, source=path, data=data, move=move)
            _finish_run(
                run_id,
                RUN_HELD,
                code,
                args,
                errors,
                as_of=as_of,
                held_path=str(held),
                active_before=plan.active_before,
                **plan.counts,
                **values,
            )
        elif move and path is not None:
            _file_away("archive", run_id, file_name, path)
        elif path is None:
            _file_away("archive", run_id, file_name, data=data)
        _commit_audit("hostlink.import", run_id, status, trigger, user, _audit_detail(outcome))
        return outcome
    except _Refused as refusal:
        as_of = refusal.as_of or as_of
        _finish_run(
            run_id,
            RUN_REFUSED,
            refusal.code,
            refusal.args_,
            errors if refusal.code != "locked" else (),
            as_of=as_of,
            **values,
        )
        if move and path is not None and refusal.code not in ("locked", "no_trigger"):
            if path.exists():
                _file_away("rejected", run_id, file_name, path)
        outcome = Outcome(
            run_id, RUN_REFUSED, file_name, as_of, rejections=list(errors),
            reason_code=refusal.code, reason_args=refusal.args_,
        )  # fmt: skip
        _commit_audit("hostlink.import", run_id, RUN_REFUSED, trigger, user, _audit_detail(outcome))
        return outcome
    except Exception as exc:
        log.exception("import run %s failed", run_id)
        _finish_run(run_id, RUN_FAILED, "failed", {"error": type(exc).__name__}, as_of=as_of,
                    **values)  # fmt: skip
        outcome = Outcome(run_id, RUN_FAILED, file_name, as_of, reason_code="failed")
        _commit_audit("hostlink.import", run_id, RUN_FAILED, trigger, user, _audit_detail(outcome))
        return outcome
    finally:
        if lock is not None:
            lock.release()


def _audit_detail(outcome):
    return {
        "file": outcome.file_name,
        "as_of": outcome.as_of.isoformat() if outcome.as_of else None,
        "status": outcome.status,
        "reason": outcome.reason_code,
        **{k: v for k, v in outcome.counts.items() if v},
    }


def get_run(run_id):
    run = db.session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(messages.run_not_found())
    return run


def _held_run(run_id):
    run = get_run(run_id)
    if run.status != RUN_HELD:
        raise Conflict(messages.not_held())
    return run


def approve_run(run_id, user=None, trigger="command"):
    """Apply a held file on a supervisor's approval.

    The file is checked again as if it had just arrived — content not yet
    applied, 基準日 later than the last applied one — but the sanity
    thresholds no longer hold it.

    :returns: :class:`Outcome` (``applied``, or ``refused`` when it can no
        longer be applied: the run is closed then).
    :raises Conflict: the run is not held, another import is running, or the
        held file is gone or changed.
    """
    run = _held_run(run_id)
    file_name, held_path, sha256 = run.file_name, run.held_path, run.sha256
    db.session.commit()
    try:
        lock = _acquire_lock(run_id)
    except _Refused:
        raise Conflict(messages.run_reason("locked")) from None
    try:
        run = _held_run(run_id)  # decided by someone else meanwhile?
        db.session.commit()
        try:
            data = Path(held_path).read_bytes()
        except (OSError, TypeError):
            raise Conflict(messages.held_file_missing()) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise Conflict(messages.held_file_missing())
        result = parse_extract(data)
        decided = {"decided_by_id": getattr(user, "id", None), "decided_at": clock.now()}
        try:
            _check_not_seen(sha256, run_id)
            _check_newer(result.header.as_of, run_id)
        except _Refused as refusal:
            _finish_run(run_id, RUN_REFUSED, refusal.code, refusal.args_, **decided)
            _place("rejected", run_id, file_name, source=Path(held_path), move=True)
            outcome = Outcome(
                run_id, RUN_REFUSED, file_name, result.header.as_of,
                reason_code=refusal.code, reason_args=refusal.args_,
            )  # fmt: skip
            _commit_audit("hostlink.approve", run_id, RUN_REFUSED, trigger, user,
                          _audit_detail(outcome))  # fmt: skip
            return outcome
        # The rejected records were stored when the file was held.
        status, plan, code, args = _apply(
            run_id,
            result,
            allow_hold=False,
            success_code="approved",
            run_values={**decided, "held_path": None},
            store_rejections=False,
        )
        _file_away("archive", run_id, file_name, Path(held_path))
        outcome = Outcome(
            run_id,
            status,
            file_name,
            result.header.as_of,
            dict(plan.counts),
            result.errors,
            code,
            args,
        )
        _commit_audit("hostlink.approve", run_id, status, trigger, user, _audit_detail(outcome))
        return outcome
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
            update(_RUN)
            .where(_RUN.c.id == run_id, _RUN.c.status == RUN_HELD)
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
        _place("rejected", run_id, file_name, source=Path(held_path), move=True)
    run = get_run(run_id)
    outcome = Outcome(run_id, RUN_DISCARDED, file_name, run.as_of, run.counts, [], "discarded")
    _commit_audit("hostlink.discard", run_id, RUN_DISCARDED, trigger, user, _audit_detail(outcome))
    return outcome
