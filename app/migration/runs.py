"""One migration run: check a workbook, import it, or refuse it.

The run's own row is written on its own connection (:func:`_run_update`) so
that it records progress and outcome whatever becomes of the import's
transaction; the import itself — people, passes, history, counters and the
run's ``applied`` status — is ONE transaction (:func:`import_ledger`): a crash
or ``kill -9`` before its commit leaves the database as it was, and running it
again applies it once (the same SHA-256 is refused after it was applied, also
by a unique index).
"""

import hashlib
import logging
import time
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, select, update

from app import clock
from app.audit import writer as audit
from app.db.bulk import bulk_insert
from app.db.transaction import transaction
from app.errors import Conflict
from app.extensions import db
from app.ledger import LedgerFileError, Office, read_ledger
from app.migration import apply, files
from app.migration.models import (
    RUN_APPLIED,
    RUN_CHECKED,
    RUN_DISCARDED,
    RUN_FAILED,
    RUN_REFUSED,
    RUN_RUNNING,
    MigrationRun,
    MigrationRunItem,
)
from app.migration.plan import Item, make_plan
from app.migration.report import refused_summary, summarize
from app.offices.models import Office as OfficeRow

log = logging.getLogger(__name__)

RUN = MigrationRun.__table__
ITEM = MigrationRunItem.__table__
_ITEM_COLUMNS = (
    "run_id",
    "kind",
    "sheet",
    "row",
    "column",
    "resident_no",
    "code",
    "reason",
    "value",
    "app_value",
)
ALREADY_APPLIED = "already_applied"
FAILED_REASON = "取込中に予期しないエラーが発生しました。何も書き込まれていません。"
INTERRUPTED_REASON = "処理が中断されました（サーバーの停止など）。何も書き込まれていません。"


def _mark_failed(run_id: int) -> None:
    _run_update(
        run_id, status=RUN_FAILED, reason_code="error", reason=FAILED_REASON,
        finished_at=clock.now(), phase="done",
    )  # fmt: skip


def _run_update(run_id: int, **values: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(RUN).where(RUN.c.id == run_id).values(**values))


def start_run(file_name: str, data: bytes, *, trigger: str, user: Any, stored_path=None) -> int:
    """Record a new run (``running``) for the workbook ``data``; return its id."""
    now = clock.now()
    mark_interrupted(now)
    values = {
        "file_name": file_name[:255],
        "file_size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "status": RUN_RUNNING,
        "trigger": trigger,
        "phase": "queued",
        "progress_done": 0,
        "progress_total": 0,
        "user_id": getattr(user, "id", None),
        "started_at": now,
        "heartbeat_at": now,
        "stored_path": stored_path,
    }
    with db.engine.begin() as conn:
        return int(conn.execute(insert(RUN).values(**values)).inserted_primary_key[0])


def mark_interrupted(now=None) -> list[int]:
    """Runs left ``running`` by a process that died: marked failed, their
    uploaded copy deleted (the import's transaction never committed)."""
    now = now or clock.now()
    stale = now - timedelta(seconds=current_app.config.get("LEDGER_STALE_SECONDS", 900))
    with db.engine.connect() as conn:
        ids = list(
            conn.execute(
                select(RUN.c.id).where(RUN.c.status == RUN_RUNNING, RUN.c.heartbeat_at < stale)
            ).scalars()
        )
    for run_id in ids:
        log.warning("ledger run %s: interrupted", run_id)
        _run_update(
            run_id,
            status=RUN_FAILED,
            reason_code="interrupted",
            reason=INTERRUPTED_REASON,
            finished_at=now,
        )
        files.delete_upload(run_id, user=None, when="interrupted")
    return ids


def _progress(run_id: int):
    last = [0.0]

    def report(sheet: str, done: int, total: int) -> None:
        # One write a second at most: the screen polls, nobody needs more.
        if time.monotonic() - last[0] < 1.0 and done:
            return
        last[0] = time.monotonic()
        _run_update(
            run_id,
            phase=f"reading:{sheet}"[:20],
            progress_done=done,
            progress_total=total,
            heartbeat_at=clock.now(),
        )

    return report


def _offices() -> list[Office]:
    rows = db.session.execute(select(OfficeRow.code, OfficeRow.name, OfficeRow.is_headquarters))
    return [Office(code, name, bool(hq)) for code, name, hq in rows]


def _applied_before(sha256: str, run_id: int) -> MigrationRun | None:
    return db.session.execute(
        select(MigrationRun).where(
            MigrationRun.sha256 == sha256,
            MigrationRun.status == RUN_APPLIED,
            MigrationRun.id != run_id,
        )
    ).scalar()


def _refuse(run_id: int, file: dict, code: str, reason: str) -> None:
    _run_update(
        run_id,
        status=RUN_REFUSED,
        reason_code=code,
        reason=reason,
        finished_at=clock.now(),
        summary=refused_summary(file),
        phase="done",
    )


def _item_rows(run_id: int, items: list[Item]) -> list[tuple]:
    return [
        (
            run_id,
            i.kind,
            i.sheet[:100],
            i.row,
            i.column[:60],
            (i.resident_no or None),
            i.code[:40],
            i.reason,
            (i.value or None),
            (i.app_value or None),
        )
        for i in items
    ]


def _file(run: MigrationRun) -> dict:
    return {"name": run.file_name, "size": run.file_size, "sha256": run.sha256}


def _read(run: MigrationRun, data: bytes):
    """The workbook read, or ``None`` when it was refused (recorded)."""
    previous = _applied_before(run.sha256, run.id)
    if previous is not None:
        reason = (
            f"この台帳はすでに取り込まれています（取込番号 {previous.id}、"
            f"{previous.applied_at:%Y年%m月%d日 %H:%M}、SHA-256 が同じファイル）。"
        )
        _refuse(run.id, _file(run), ALREADY_APPLIED, reason)
        return None
    try:
        return read_ledger(data, offices=_offices(), progress=_progress(run.id))
    except LedgerFileError as error:
        _refuse(run.id, _file(run), error.code, error.reason)
        return None


def _audit(action: str, run: MigrationRun, user: Any, outcome: str = "ok") -> None:
    detail = {"file": run.file_name, "sha256": run.sha256, "status": run.status}
    if run.summary:
        detail.update(people=run.summary["people"], passes=run.summary["passes"])
    with transaction():
        audit.record(
            action,
            target=f"ledger_run:{run.id}",
            detail=detail,
            outcome=outcome,
            user=user,
            username=None if user else "command-line",
        )


def _finish(run_id: int, action: str, user: Any) -> MigrationRun:
    db.session.expire_all()
    run = db.session.get(MigrationRun, run_id)
    outcome = {RUN_REFUSED: "refused", RUN_FAILED: "failure"}.get(run.status, "ok")
    _audit(action, run, user, outcome)
    if run.status in (RUN_REFUSED, RUN_FAILED):
        files.delete_upload(run_id, user=user, when=run.status)
    return run


def check_ledger(run_id: int, data: bytes, *, user: Any) -> MigrationRun:
    """Dry run: read, plan, and record the report; nothing else is written."""
    run = db.session.get(MigrationRun, run_id)
    try:
        ledger = _read(run, data)
        if ledger is not None:
            _run_update(run_id, phase="checking", heartbeat_at=clock.now())
            snapshot = apply.load_snapshot(db.session, ledger.fiscal_years)
            plan = make_plan(ledger, snapshot)
            db.session.rollback()
            with db.engine.begin() as conn:
                bulk_insert(conn, ITEM, _ITEM_COLUMNS, _item_rows(run_id, plan.items))
            _run_update(
                run_id,
                status=RUN_CHECKED,
                phase="done",
                summary=summarize(ledger, plan, _file(run)),
                checked_at=clock.now(),
                finished_at=clock.now(),
                heartbeat_at=clock.now(),
            )
    except Exception:
        log.exception("ledger run %s: check failed", run_id)
        db.session.rollback()
        _mark_failed(run_id)
    return _finish(run_id, "ledger.check", user)


def _apply(run: MigrationRun, ledger, user: Any) -> None:
    """Plan again on the locked tables and write everything, then commit."""
    now = clock.now()
    # Seen by the progress screen: the same write inside the transaction is not.
    _run_update(run.id, phase="applying", heartbeat_at=now)
    with transaction(conflict="この台帳は別の取込と同時に処理されたため取り込めませんでした。"):
        # The run's row first: on SQLite this write takes the database's write lock.
        db.session.execute(update(RUN).where(RUN.c.id == run.id).values(phase="applying"))
        apply.lock_tables(db.session)
        if _applied_before(run.sha256, run.id) is not None:
            raise Conflict("この台帳はすでに取り込まれています。")
        snapshot = apply.load_snapshot(db.session, ledger.fiscal_years)
        plan = make_plan(ledger, snapshot)
        apply.write_plan(
            db.session,
            plan,
            snapshot,
            run_id=run.id,
            user_id=getattr(user, "id", None),
            today=clock.today(),
            now=now,
        )
        db.session.execute(delete(ITEM).where(ITEM.c.run_id == run.id))
        bulk_insert(db.session.connection(), ITEM, _ITEM_COLUMNS, _item_rows(run.id, plan.items))
        db.session.execute(
            update(RUN)
            .where(RUN.c.id == run.id)
            .values(
                status=RUN_APPLIED,
                phase="done",
                summary=summarize(ledger, plan, _file(run)),
                applied_at=clock.now(),
                applied_by_id=getattr(user, "id", None),
                finished_at=clock.now(),
                heartbeat_at=clock.now(),
            )
        )


def import_ledger(run_id: int, data: bytes, *, user: Any) -> MigrationRun:
    """Import: read, plan and write in one transaction; record the outcome."""
    run = db.session.get(MigrationRun, run_id)
    if hashlib.sha256(data).hexdigest() != run.sha256:
        _refuse(
            run_id,
            _file(run),
            "changed",
            "ファイルが確認したときと異なります。もう一度アップロードしてください。",
        )
        return _finish(run_id, "ledger.import", user)
    try:
        ledger = _read(run, data)
        if ledger is not None:
            _apply(run, ledger, user)
    except Conflict as error:
        _refuse(run_id, _file(run), "conflict", str(error))
    except Exception:
        log.exception("ledger run %s: import failed", run_id)
        db.session.rollback()
        _mark_failed(run_id)
    finished = _finish(run_id, "ledger.import", user)
    if finished.status == RUN_APPLIED:
        files.delete_upload(run_id, user=user, when="applied")
    return finished


def items_of(
    run_id: int, kind: str | None = None, limit: int | None = None
) -> list[MigrationRunItem]:
    """The report's lines of ``run_id`` (rejected, mismatch, notice), in order."""
    statement = select(MigrationRunItem).where(MigrationRunItem.run_id == run_id)
    if kind:
        statement = statement.where(MigrationRunItem.kind == kind)
    statement = statement.order_by(MigrationRunItem.id)
    if limit:
        statement = statement.limit(limit)
    return list(db.session.execute(statement).scalars())


def record_failure(run_id: int) -> None:
    """Close a run that failed outside its own handling."""
    _mark_failed(run_id)
    files.delete_upload(run_id, user=None, when="failed")


def refuse_missing_file(run_id: int) -> None:
    """The uploaded copy is gone (deleted, or the server was cleaned)."""
    run = db.session.get(MigrationRun, run_id)
    _refuse(
        run_id,
        _file(run),
        "file_missing",
        "アップロードしたファイルがサーバーにありません。もう一度アップロードしてください。",
    )


def discard_run(run_id: int, *, user: Any) -> MigrationRun:
    """Close a checked run without importing it; its uploaded copy is deleted."""
    run = db.session.get(MigrationRun, run_id)
    if run is None or run.status != RUN_CHECKED:
        raise Conflict("確認済みで未取込の処理だけを取り消せます。")
    _run_update(run_id, status=RUN_DISCARDED, finished_at=clock.now())
    files.delete_upload(run_id, user=user, when="discarded")
    return _finish(run_id, "ledger.discard", user)


def begin_import(run_id: int) -> MigrationRun:
    """Check that ``run_id`` may be imported now and mark it running.

    :raises Conflict: the run is not checked (already imported, discarded,
        running) or its uploaded copy is gone.
    """
    with db.engine.begin() as conn:
        claimed = conn.execute(
            update(RUN)
            .where(RUN.c.id == run_id, RUN.c.status == RUN_CHECKED, RUN.c.stored_path.isnot(None))
            .values(status=RUN_RUNNING, phase="queued", heartbeat_at=clock.now())
        ).rowcount
    if not claimed:
        raise Conflict(
            "この処理は取り込めません（取込済・取消済・処理中、またはファイルがありません）。"
        )
    db.session.expire_all()
    return db.session.get(MigrationRun, run_id)
