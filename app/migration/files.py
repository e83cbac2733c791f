"""The uploaded workbook's one copy on the server: stored while its run waits
for the import, deleted as soon as the import is committed or the run is
discarded, refused or interrupted — and the deletion recorded as an automatic
erasure record (消去記録) of the run.
"""

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update

from app import clock
from app.extensions import db
from app.migration.models import ErasureRecord, MigrationRun

log = logging.getLogger(__name__)

RUN = MigrationRun.__table__
# Why the copy was deleted (the automatic record's method says so in Japanese).
_WHEN = {
    "applied": "取込確定時",
    "discarded": "取消時",
    "refused": "取込不可と判定した時",
    "failed": "処理失敗時",
    "interrupted": "中断した処理の後始末時",
}


def upload_dir() -> Path:
    folder = Path(current_app.config["LEDGER_UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def store_upload(data: bytes) -> str:
    """Write ``data`` under a random name readable by this user only; return the path."""
    path = upload_dir() / f"{secrets.token_hex(16)}.xlsx"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return str(path)


def read_upload(run: MigrationRun) -> bytes | None:
    """The stored copy of ``run``'s workbook, ``None`` when it is gone."""
    if not run.stored_path:
        return None
    try:
        return Path(run.stored_path).read_bytes()
    except OSError:
        return None


def delete_upload(run_id: int, *, user: Any, when: str) -> bool:
    """Delete ``run_id``'s stored copy and record it; ``False`` if there was none."""
    with db.engine.connect() as conn:
        path = conn.execute(select(RUN.c.stored_path).where(RUN.c.id == run_id)).scalar()
    if not path:
        return False
    try:
        Path(path).unlink(missing_ok=True)
    except OSError:
        log.exception("ledger run %s: could not delete %s", run_id, path)
        return False
    now = clock.now()
    record = {
        "run_id": run_id,
        "location": f"アプリケーションサーバーのアップロード一時領域（{Path(path).name}）",
        "method": f"アプリケーションによる自動削除（{_WHEN.get(when, when)}）",
        "erased_on": now.date(),
        "automatic": True,
        "recorded_by_id": getattr(user, "id", None),
        "recorded_at": now,
    }
    with db.engine.begin() as conn:
        conn.execute(
            update(RUN).where(RUN.c.id == run_id).values(stored_path=None, file_deleted_at=now)
        )
        conn.execute(insert(ErasureRecord.__table__).values(**record))
    log.info("ledger run %s: uploaded copy deleted (%s)", run_id, when)
    return True
