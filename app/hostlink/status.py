"""Where the host link stands: the extract expected now, whether it is late,
when the scheduler polls next.

The host extracts on the 1st and the 16th of each month (specification v1);
the half-month's extract counts as applied once a run applied a file with a
基準日 on or after that day (or the day before).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from apscheduler.util import utc_timestamp_to_datetime
from flask import current_app
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.hostlink.models import RUN_APPLIED, ImportRun
from app.scheduler import locks
from app.scheduler.models import JobRun, apscheduler_jobs

log = logging.getLogger(__name__)

HOST_EXTRACT_DAYS = (1, 16)
POLL_JOB_IDS = ("hostlink.poll", "hostlink.retry")
SCHEDULER_LOCK = "scheduler"


def expected_as_of(today):
    """The host's latest extract day (1st or 16th) on or before ``today``."""
    day = max(d for d in HOST_EXTRACT_DAYS if d <= today.day)
    return today.replace(day=day)


def applied_since(expected):
    """The run that applied the extract due on ``expected``, or ``None``.

    A 基準日 one day early counts too: a host job started before midnight
    dates its extract the day before.
    """
    return (
        db.session.query(ImportRun)
        .filter(
            ImportRun.status == RUN_APPLIED,
            ImportRun.as_of >= expected - timedelta(days=1),
        )
        .order_by(ImportRun.id.desc())
        .first()
    )


def current_extract_applied(now=None):
    """Whether this half-month's extract has been applied."""
    now = now or clock.now()
    return applied_since(expected_as_of(now.date())) is not None


def is_late(now=None):
    """The half-month's extract is not applied and its late hour has passed."""
    now = now or clock.now()
    expected = expected_as_of(now.date())
    deadline = datetime.combine(expected, time.min) + timedelta(
        hours=current_app.config["HOSTLINK_LATE_HOUR"]
    )
    return now >= deadline and applied_since(expected) is None


def _next_run_times():
    """``{job_id: local naive datetime or None}`` from the scheduler's job store."""
    rows = db.session.execute(
        select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time).where(
            apscheduler_jobs.c.id.in_(POLL_JOB_IDS)
        )
    ).all()
    found = {}
    for job_id, timestamp in rows:
        if timestamp is None:
            found[job_id] = None
            continue
        found[job_id] = (
            utc_timestamp_to_datetime(timestamp).astimezone(clock.TIMEZONE).replace(tzinfo=None)
        )
    return found


@dataclass
class LinkStatus:
    """What the import screens show above the list of runs."""

    today: date
    expected_as_of: date
    applied_run: ImportRun | None
    late: bool
    last_run: ImportRun | None
    last_applied: ImportRun | None
    next_poll: datetime | None
    next_retry: datetime | None
    scheduler_alive: bool
    scheduler_heartbeat: datetime | None
    last_poll: JobRun | None


def link_status(now=None):
    """Gather :class:`LinkStatus` for the screens."""
    now = now or clock.now()
    expected = expected_as_of(now.date())
    applied = applied_since(expected)
    next_runs = _next_run_times()
    holder = locks.holder_of(SCHEDULER_LOCK)
    stale_after = current_app.config["SCHEDULER_LOCK_STALE_SECONDS"]
    alive = holder is not None and not locks.is_stale(holder, stale_after, now)
    last_run = db.session.query(ImportRun).order_by(ImportRun.id.desc()).first()
    last_applied = (
        db.session.query(ImportRun)
        .filter(ImportRun.status == RUN_APPLIED)
        .order_by(ImportRun.as_of.desc(), ImportRun.id.desc())
        .first()
    )
    last_poll = (
        db.session.query(JobRun)
        .filter(JobRun.job_id.in_(POLL_JOB_IDS))
        .order_by(JobRun.id.desc())
        .first()
    )
    # The hourly retry polls only while this half-month's extract is missing.
    next_retry = next_runs.get("hostlink.retry") if applied is None else None
    return LinkStatus(
        today=now.date(),
        expected_as_of=expected,
        applied_run=applied,
        late=is_late(now),
        last_run=last_run,
        last_applied=last_applied,
        next_poll=next_runs.get("hostlink.poll"),
        next_retry=next_retry,
        scheduler_alive=alive,
        scheduler_heartbeat=holder["heartbeat_at"] if holder else None,
        last_poll=last_poll,
    )
