"""Two imports at once, a lock left by a dead process, and ``kill -9`` of the
importer half-way: the second import is refused, never interleaved, and a
killed import leaves the data as it was and can simply be run again."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect

from app.history.models import ChangeLog
from app.hostlink import checks, imports
from app.hostlink.models import ImportRun
from app.residents.models import Resident
from app.scheduler import locks
from app.scheduler.models import ProcessLock
from tests.hostlink.conftest import AS_OF, NEXT_AS_OF, drop, extract, fingerprint, people

ROOT = Path(__file__).resolve().parents[2]


def _in_thread(app, target, results, key):
    def run():
        with app.app_context():
            results[key] = target()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_second_import_while_one_runs_is_refused_not_interleaved(
    app, db, tmp_path, folders, monkeypatch
):
    crowd = people(200)
    first = drop(tmp_path / "a", AS_OF, extract(AS_OF, crowd))
    second = drop(tmp_path / "b", NEXT_AS_OF, extract(NEXT_AS_OF, crowd[:150]))
    inside, proceed = threading.Event(), threading.Event()
    real_open = imports.open_extract

    def slow_open(data):
        if threading.current_thread() is not threading.main_thread():
            inside.set()
            assert proceed.wait(10)
        return real_open(data)

    monkeypatch.setattr(imports, "open_extract", slow_open)
    results = {}
    thread = _in_thread(
        app, lambda: imports.import_file(first, trigger="command"), results, "first"
    )
    assert inside.wait(10)
    meanwhile = imports.import_file(second, trigger="command")
    proceed.set()
    thread.join(20)
    assert results["first"].status == "applied"
    assert (meanwhile.status, meanwhile.reason_code) == ("refused", "locked")
    assert "別の取込処理が実行中です" in meanwhile.reason
    db.session.expire_all()
    assert db.session.query(Resident).count() == 200
    assert db.session.query(ChangeLog).count() == 200
    assert db.session.query(ProcessLock).count() == 0  # released


def test_two_imports_started_together_apply_once(app, db, tmp_path, folders):
    path = drop(tmp_path, AS_OF, extract(AS_OF, people(300)))
    barrier = threading.Barrier(2)
    results = {}

    def go():
        barrier.wait(5)
        return imports.import_file(path, trigger="command")

    threads = [_in_thread(app, go, results, key) for key in ("a", "b")]
    for thread in threads:
        thread.join(30)
    statuses = sorted(outcome.status for outcome in results.values())
    assert statuses == ["applied", "refused"]
    refused = next(o for o in results.values() if o.status == "refused")
    assert refused.reason_code in ("locked", "already_applied")
    db.session.expire_all()
    assert db.session.query(Resident).count() == 300
    assert db.session.query(ChangeLog).count() == 300


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_lock_of_a_dead_process_is_taken_over(app, db, tmp_path, folders):
    crowd = people(20)
    with db.engine.begin() as conn:
        run_id = conn.execute(
            insert(ImportRun.__table__).values(
                file_name="FUREAI_20260316.DAT", trigger="schedule", status="running",
                started_at=datetime(2026, 3, 16, 6, 0), added=0, updated=0, excluded=0,
                reinstated=0, unchanged=0, unknown_not_eligible=0, rejected=0,
            )
        ).inserted_primary_key[0]  # fmt: skip
        now = datetime.now()
        conn.execute(
            insert(ProcessLock.__table__).values(
                name=checks.LOCK_NAME, owner="gone", host=locks._host(), pid=_dead_pid(),
                acquired_at=now, heartbeat_at=now, detail=f"run:{run_id}",
            )
        )  # fmt: skip
    outcome = imports.import_file(drop(tmp_path, AS_OF, extract(AS_OF, crowd)), trigger="command")
    assert outcome.status == "applied"
    killed = db.session.get(ImportRun, run_id)
    assert (killed.status, killed.reason_code) == ("failed", "interrupted")


def test_lock_of_a_live_process_holds_until_it_is_stale(app, db):
    held = locks.acquire("test.lock", stale_after=60)
    with pytest.raises(locks.LockHeld):
        locks.acquire("test.lock", stale_after=60)
    holder = locks.holder_of("test.lock")
    assert not locks.is_stale(holder, 60)
    # Silent for longer than stale_after: taken over even though alive.
    assert locks.is_stale(holder, 60, now=holder["heartbeat_at"] + timedelta(seconds=61))
    assert held.heartbeat()
    held.release()
    locks.acquire("test.lock", stale_after=60).release()


@pytest.mark.slow
def test_kill_9_mid_apply_leaves_data_unchanged_and_a_rerun_applies(app, db, tmp_path, folders):
    crowd = people(25000)
    first = drop(tmp_path / "a", AS_OF, extract(AS_OF, crowd[:10000]))
    assert imports.import_file(first, trigger="command").status == "applied"
    big = drop(tmp_path / "b", NEXT_AS_OF, extract(NEXT_AS_OF, crowd))
    before = fingerprint(db)
    indexes = sorted(i["name"] for i in inspect(db.engine).get_indexes("resident"))
    db.session.remove()
    env = dict(
        os.environ,
        FLASK_APP="run.py",
        APP_ENV="development",
        DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        HOST_INBOX_DIR=str(folders["inbox"]),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "hostlink", "import", str(big)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        for line in proc.stderr:
            if "writing changes" in line or time.monotonic() > deadline:
                break
        time.sleep(0.05)  # into the bulk writes of the apply transaction
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert fingerprint(db) == before
    # The bulk load had dropped the secondary indexes inside the transaction.
    assert sorted(i["name"] for i in inspect(db.engine).get_indexes("resident")) == indexes
    killed = db.session.query(ImportRun).order_by(ImportRun.id.desc()).first()
    assert killed.status == "running"
    db.session.commit()
    rerun = imports.import_file(big, trigger="command")
    assert (rerun.status, rerun.counts["added"], rerun.counts["unchanged"]) == (
        "applied",
        15000,
        10000,
    )
    db.session.expire_all()
    assert db.session.get(ImportRun, killed.id).status == "failed"
