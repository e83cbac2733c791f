"""``kill -9`` during an import leaves the database as it was; running the
import again applies the workbook exactly once (issue 10, 「Bad input」).

``flask ledger import`` runs in a subprocess against the suite's own database
file (SQLite) or database (PostgreSQL); the test waits until the import is
applying — its transaction holds the write lock — and sends SIGKILL.
"""

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from app.history.models import ChangeLog
from app.migration.models import MigratedPass, MigrationRun
from app.passes.models import ControlNumberCounter, Issuance
from app.residents.models import Resident
from tests.ledger.conftest import PASS_HEADER, PEOPLE_HEADER

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 20_000
HOST = 50  # of them already sent by the host
WAIT_SECONDS = 240


def _workbook(path: Path, people: int = PEOPLE) -> None:
    """対象者 and H30年度, one pass each, written row by row (openpyxl write_only)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("対象者")
    sheet.append(PEOPLE_HEADER)
    for n in range(1, people + 1):
        # The first HOST are the host's people (tests.migration.conftest.host_people).
        name, born = (
            ("山田 太郎", date(1955, 4, 1)) if n <= HOST else (f"試験 {n}", date(1950, 1, 1))
        )
        values = {"住民番号": f"{n:010d}", "氏名": name, "ふりがな": "シケン タロウ", "性別": "男",
                  "生年月日": born, "郵便番号": "1600022", "住所": f"東京都新宿区新宿{n}",
                  "区分": "高齢", "備考": f"台帳{n}"}  # fmt: skip
        sheet.append([values.get(h) for h in PEOPLE_HEADER])
    sheet = book.create_sheet("H30年度")
    sheet.append(PASS_HEADER)
    for n in range(1, people + 1):
        values = {"整理番号": n, "住民番号": n, "申請日": date(2018, 4, 2),
                  "交付日": date(2018, 4, 2), "交付場所": "本課", "種別": "新規"}  # fmt: skip
        sheet.append([values.get(h) for h in PASS_HEADER])
    sheet.append([])
    sheet.append(["合計", people])
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())


def _env(db_target, tmp_path, **extra):
    env = {
        **os.environ,
        "FLASK_APP": "run.py",
        "APP_ENV": "testing",
        # TestingConfig reads its database from TEST_DATABASE_URL.
        "TEST_DATABASE_URL": db_target["url"],
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    return env


def _import(path, env, **options):
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "ledger", "import", str(path), "--user", "supervisor"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


@pytest.fixture
def probe(db, db_target):
    """A connection of the test's own that never waits for a lock."""
    engine = create_engine(db_target["url"], isolation_level="AUTOCOMMIT")
    if db_target["kind"] == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_wait(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA busy_timeout=0")

    yield engine
    engine.dispose()


def _write_lock_held(engine, kind) -> bool:
    """Whether another connection holds the import's locks (its transaction is open)."""
    with engine.connect() as conn:
        if kind == "postgresql":
            held = conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE c.relname = 'issuance' AND l.mode = 'ShareRowExclusiveLock' "
                    "AND l.granted AND l.pid <> pg_backend_pid()"
                )
            ).scalar_one()
            return bool(held)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as error:  # database is locked
            return "locked" in str(error)
        conn.exec_driver_sql("ROLLBACK")
        return False


def _phase(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(MigrationRun.phase, MigrationRun.status).order_by(MigrationRun.id.desc())
        ).first()


def _writing(engine, kind, wal: Path | None, wal_at_start: int) -> bool:
    """Whether the import has begun writing its rows: PostgreSQL shows its
    COPY; SQLite's log file grows as the transaction's pages spill into it."""
    if kind == "postgresql":
        with engine.connect() as conn:
            copying = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND state = 'active' AND query LIKE 'COPY %'"
                )
            ).scalar_one()
        return bool(copying)
    return wal is not None and wal.exists() and wal.stat().st_size > wal_at_start + (1 << 20)


def _wait_until_applying(engine, db_target, process) -> str:
    """Poll until the import is writing inside its transaction; say how that
    was seen (``writing``, ``lock`` or ``phase``).

    Its run's ``phase`` says ``applying`` only if it is written outside the
    import's transaction (others cannot see what it writes inside).  So also:
    the transaction holds the write lock (longer than a progress update
    would), and then its rows are being written.
    """
    kind = db_target["kind"]
    wal = Path(f"{db_target['path']}-wal") if kind == "sqlite" else None
    deadline = time.monotonic() + WAIT_SECONDS
    held_since = applying_since = None
    wal_at_start = 0
    while time.monotonic() < deadline and process.poll() is None:
        now = time.monotonic()
        state = _phase(engine)
        if applying_since is None and state is not None and state.phase == "applying":
            applying_since = now
        if not _write_lock_held(engine, kind):
            held_since = None  # not yet, or a progress update's lock
        elif held_since is None:
            held_since = now
            wal_at_start = wal.stat().st_size if wal is not None and wal.exists() else 0
        elif _writing(engine, kind, wal, wal_at_start):
            return "writing"
        elif now - held_since > 3.0:
            return "lock"
        if applying_since is not None and now - applying_since > 3.0:
            return "phase"
        time.sleep(0.01)
    raise AssertionError(f"the import never applied: {process.poll()} {_phase(engine)}")


def _counts(engine):
    with engine.connect() as conn:
        return {
            model.__name__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Resident, Issuance, ChangeLog, MigratedPass, ControlNumberCounter)
        }


def test_kill_during_import_changes_nothing_and_a_rerun_applies_once(
    db, db_target, host_people, probe, tmp_path
):
    host_people(HOST)
    db.session.commit()
    db.session.remove()
    path = tmp_path / "台帳.xlsx"
    _workbook(path)
    before = _counts(probe)
    assert before == {"Resident": HOST, "Issuance": 0, "ChangeLog": 0, "MigratedPass": 0,
                      "ControlNumberCounter": 0}  # fmt: skip

    process = _import(path, _env(db_target, tmp_path))
    try:
        seen = _wait_until_applying(probe, db_target, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, (seen, process.stderr.read()[-2000:])
    assert _counts(probe) == before
    killed = _phase(probe)
    assert killed.status == "running", killed  # never applied

    # Again: the dead run is taken as interrupted, the workbook applied once.
    env = _env(db_target, tmp_path, LEDGER_STALE_SECONDS="0")
    rerun = _import(path, env)
    stdout, stderr = rerun.communicate(timeout=WAIT_SECONDS)
    assert rerun.returncode == 0, stderr[-3000:]
    out = json.loads(stdout.strip().splitlines()[-1])
    assert out["status"] == "applied"
    assert out["people"] == {"read": PEOPLE, "matched": HOST, "created": PEOPLE - HOST,
                             "mismatched": 0, "rejected": 0}  # fmt: skip
    assert out["passes"] == {"read": PEOPLE, "imported": PEOPLE, "already_present": 0,
                             "rejected": 0}  # fmt: skip
    after = _counts(probe)
    # One pass each, one history row for each pass, created person and note taken in.
    assert after == {"Resident": PEOPLE, "Issuance": PEOPLE, "MigratedPass": PEOPLE,
                     "ChangeLog": 2 * PEOPLE, "ControlNumberCounter": 1}  # fmt: skip
    with probe.connect() as conn:
        runs = conn.execute(
            select(MigrationRun.status, MigrationRun.reason_code).order_by(MigrationRun.id)
        ).all()
        assert [tuple(r) for r in runs] == [("failed", "interrupted"), ("applied", None)]
        last_no = conn.execute(select(ControlNumberCounter.last_no)).scalar_one()
        assert last_no == PEOPLE
        excluded = conn.execute(
            select(func.count()).select_from(Resident).where(Resident.status == "excluded")
        ).scalar_one()
        assert excluded == PEOPLE - HOST
        notes = conn.execute(
            select(Resident.note)
            .where(Resident.resident_no.in_(["0000000001", f"{PEOPLE:010d}"]))
            .order_by(Resident.resident_no)
        ).scalars()
        assert list(notes) == ["台帳1", f"台帳{PEOPLE}"]

    # And once only: the same workbook again is refused, nothing added.
    third = _import(path, env)
    stdout, _ = third.communicate(timeout=WAIT_SECONDS)
    assert third.returncode == 2
    assert json.loads(stdout.strip().splitlines()[-1])["status"] == "refused"
    assert _counts(probe) == after
