"""The scheduler, driven by a fake clock (no sleeps): each job fires once per
trigger, a run missed while the scheduler was down happens once when it comes
back, jobs are not duplicated by restarts, and only one scheduler runs."""

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import func, insert, select

from app import clock
from app.hostlink import jobs, status
from app.hostlink.models import ImportRun
from app.scheduler import core, locks
from app.scheduler.models import JobRun, ProcessLock, apscheduler_jobs
from tests.hostlink.conftest import AS_OF, NEXT_AS_OF, drop, extract, people

ROOT = Path(__file__).resolve().parents[2]
HOSTLINK_JOBS = tuple(spec for spec in core.JOBS if spec.id.startswith("hostlink."))


class ManualScheduler(BaseScheduler):
    """A scheduler without a thread: the test calls ``_process_jobs()``."""

    def shutdown(self, wait=True):
        super().shutdown(wait)

    def wakeup(self):
        pass


@pytest.fixture
def fake_clock(monkeypatch):
    """``fake_clock(datetime)`` sets the time APScheduler and the application see."""
    import apscheduler.executors.base as executor_base
    import apscheduler.schedulers.base as scheduler_base

    state = {}

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            moment = state["now"]
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(scheduler_base, "datetime", FakeDatetime)
    monkeypatch.setattr(executor_base, "datetime", FakeDatetime)
    monkeypatch.setattr(clock, "_now", lambda: state["now"])

    def set_now(moment):
        state["now"] = moment.replace(tzinfo=clock.TIMEZONE)

    return set_now


def _start(app, specs=HOSTLINK_JOBS):
    scheduler = core.build_scheduler(app, ManualScheduler, DebugExecutor(), jobs=specs)
    scheduler.start()
    return scheduler


def _fired(db):
    rows = db.session.execute(select(JobRun.job_id, func.count()).group_by(JobRun.job_id)).all()
    db.session.commit()
    return dict(rows)


def test_each_job_fires_once_per_trigger(app, db, folders, fake_clock):
    fake_clock(datetime(2026, 4, 1, 5, 0, 30))
    scheduler = _start(app)
    scheduler._process_jobs()
    assert _fired(db) == {}
    fake_clock(datetime(2026, 4, 1, 6, 0, 5))
    scheduler._process_jobs()
    scheduler._process_jobs()  # same moment again: nothing more
    assert _fired(db) == {"hostlink.poll": 1, "hostlink.retry": 1}
    fake_clock(datetime(2026, 4, 1, 6, 59, 59))
    scheduler._process_jobs()
    assert _fired(db) == {"hostlink.poll": 1, "hostlink.retry": 1}
    fake_clock(datetime(2026, 4, 1, 7, 0, 1))
    scheduler._process_jobs()
    assert _fired(db) == {"hostlink.poll": 1, "hostlink.retry": 2}
    poll = db.session.query(JobRun).filter_by(job_id="hostlink.poll").one()
    assert (poll.status, poll.message) == ("ok", "受信フォルダにファイルはありません。")
    scheduler.shutdown()


def test_missed_run_happens_once_when_the_scheduler_comes_back(app, db, folders, fake_clock):
    fake_clock(datetime(2026, 4, 15, 12, 0))
    _start(app).shutdown()  # stored: poll at 04-16 06:00, retry at 13:00
    crowd = people(30)
    drop(folders["inbox"], NEXT_AS_OF, extract(NEXT_AS_OF, crowd))
    # Down from the 15th 12:00 until the 16th 09:30: 1 poll and 20 retries missed.
    fake_clock(datetime(2026, 4, 16, 9, 30))
    scheduler = _start(app)
    scheduler._process_jobs()
    scheduler._process_jobs()
    fired = _fired(db)
    assert fired["hostlink.poll"] == 1
    assert fired["hostlink.retry"] == 1  # coalesced, and nothing left to do
    applied = db.session.query(ImportRun).filter_by(status="applied").one()
    assert (applied.as_of, applied.added, applied.trigger) == (NEXT_AS_OF, 30, "schedule")
    # Restarts replace the stored jobs instead of adding more.
    count = db.session.execute(select(func.count()).select_from(apscheduler_jobs)).scalar_one()
    assert count == len(HOSTLINK_JOBS)
    next_poll = scheduler.get_job("hostlink.poll").next_run_time
    assert next_poll.replace(tzinfo=None) == datetime(2026, 5, 1, 6, 0)
    scheduler.shutdown()


def test_changed_schedule_replaces_the_stored_one(app, db, folders, fake_clock, monkeypatch):
    fake_clock(datetime(2026, 4, 2, 12, 0))
    _start(app).shutdown()
    monkeypatch.setitem(app.config, "HOSTLINK_POLL_CRON", "30 7 1,16 * *")
    scheduler = _start(app)
    next_poll = scheduler.get_job("hostlink.poll").next_run_time
    assert next_poll.replace(tzinfo=None) == datetime(2026, 4, 16, 7, 30)
    scheduler.shutdown()


def test_job_of_a_missing_module_is_skipped_with_a_warning(app, db, fake_clock, caplog):
    fake_clock(datetime(2026, 4, 2, 12, 0))
    absent = core.JobSpec("other.job", "app.no_such_feature.jobs:run", ("cron", "CHECKLIST_CRON"))
    with db.engine.begin() as conn:
        conn.execute(insert(apscheduler_jobs).values(id="other.job", job_state=b"old"))
    with caplog.at_level(logging.WARNING):
        scheduler = _start(app, HOSTLINK_JOBS + (absent,))
    assert "other.job skipped" in caplog.text
    assert {job.id for job in scheduler.get_jobs()} == {"hostlink.poll", "hostlink.retry"}
    stored = db.session.execute(select(apscheduler_jobs.c.id)).scalars().all()
    assert "other.job" not in stored
    scheduler.shutdown()


def test_letters_jobs_are_registered_by_name(app, db, fake_clock):
    fake_clock(datetime(2026, 4, 2, 12, 0))
    scheduler = _start(app, core.JOBS)
    found = {job.id: job for job in scheduler.get_jobs()}
    assert found["letters.checklists"].args == (
        "letters.checklists",
        "app.letters.jobs:generate_daily_checklists",
    )
    assert found["letters.mass_mailings"].trigger.interval == timedelta(seconds=5)
    assert found["letters.checklists"].func_ref == "app.scheduler.runner:run_job"
    scheduler.shutdown()


def test_hourly_retry_does_nothing_once_the_half_month_is_applied(app, db, folders, frozen_clock):
    frozen_clock(datetime(2026, 4, 16, 10, 0))
    assert status.expected_as_of(date(2026, 4, 16)) == NEXT_AS_OF
    assert status.is_late()
    path = drop(folders["inbox"], NEXT_AS_OF, extract(NEXT_AS_OF, people(5)))
    assert "取込番号" in jobs.retry_poll()
    assert not path.exists()
    assert not status.is_late()
    drop(folders["inbox"], date(2026, 4, 17), extract(date(2026, 4, 17), people(5)))
    assert jobs.retry_poll() is None  # already applied this half-month
    assert len(list(folders["inbox"].iterdir())) == 2


def test_poll_while_another_poll_runs_does_nothing(app, db, folders):
    path = drop(folders["inbox"], AS_OF, extract(AS_OF, people(3)))
    with locks.acquire("hostlink.poll", stale_after=60):
        assert jobs.poll_inbox() == "受信フォルダの確認が別に実行中のため、何もしませんでした。"
    assert path.exists()
    assert db.session.query(ImportRun).count() == 0


def test_late_warning_after_the_configured_hour(app, db, frozen_clock, import_path):
    frozen_clock(datetime(2026, 4, 1, 8, 59))
    assert not status.is_late()
    frozen_clock(datetime(2026, 4, 1, 9, 0))
    assert status.is_late()
    assert status.expected_as_of(date(2026, 4, 15)) == AS_OF
    import_path(AS_OF, people(3))
    assert not status.is_late()
    frozen_clock(datetime(2026, 4, 16, 9, 30))
    assert status.is_late()


def test_second_scheduler_refuses_to_start(app, db):
    now = clock.now()
    with db.engine.begin() as conn:
        conn.execute(
            insert(ProcessLock.__table__).values(
                name="scheduler", owner="other", host=locks._host(), pid=os.getppid(),
                acquired_at=now, heartbeat_at=now, detail="flask scheduler run",
            )
        )  # fmt: skip
    result = app.test_cli_runner().invoke(args=["scheduler", "run"])
    assert result.exit_code == 1
    assert "スケジューラーはすでに起動しています" in result.output


@pytest.mark.slow
def test_two_scheduler_processes_only_one_runs(app, db, folders):
    db.session.remove()
    env = dict(
        os.environ,
        FLASK_APP="run.py",
        APP_ENV="development",
        DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        HOST_INBOX_DIR=str(folders["inbox"]),
    )
    command = [sys.executable, "-m", "flask", "scheduler", "run"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        for line in first.stdout:
            if "スケジューラーを起動しました" in line or time.monotonic() > deadline:
                break
        second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=60)  # fmt: skip
        assert second.returncode == 1
        assert "スケジューラーはすでに起動しています" in second.stderr
        assert first.poll() is None  # the first one still runs
        stored = db.session.execute(select(apscheduler_jobs.c.id)).scalars().all()
        assert "hostlink.poll" in stored
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(20)
    assert locks.holder_of("scheduler") is None  # released on a clean stop
