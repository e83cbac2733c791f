"""``flask scheduler run`` — the one scheduler process; ``flask scheduler jobs``."""

import logging
import signal
import sys
import threading

import click
from apscheduler.util import utc_timestamp_to_datetime
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.scheduler import core, locks
from app.scheduler.models import apscheduler_jobs

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler"

scheduler_cli = AppGroup("scheduler", help="The scheduler process (host link, letters).")


def _heartbeat(app, lock, scheduler, stop):
    interval = app.config["SCHEDULER_HEARTBEAT_SECONDS"]
    while not stop.wait(interval):
        try:
            with app.app_context():
                still_ours = lock.heartbeat()
        except Exception:
            # The database may be busy (SQLite during an import) or restarting:
            # try again at the next beat; the lock goes stale only much later.
            log.warning("scheduler: heartbeat failed", exc_info=True)
            continue
        if not still_ours:
            log.error("scheduler: another process took over the scheduler lock; stopping")
            scheduler.shutdown(wait=False)
            return


@scheduler_cli.command("run")
def run_command():
    """Run the scheduler in the foreground (only one may run)."""
    app = current_app._get_current_object()
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    try:
        lock = locks.acquire(
            LOCK_NAME, app.config["SCHEDULER_LOCK_STALE_SECONDS"], detail="flask scheduler run"
        )
    except locks.LockHeld as exc:
        click.echo(
            _(
                "The scheduler is already running (host %(host)s, process %(pid)s, since "
                "%(since)s). This process stops.",
                host=exc.holder.get("host"),
                pid=exc.holder.get("pid"),
                since=exc.holder.get("acquired_at"),
            ),
            err=True,
        )
        sys.exit(1)
    stop = threading.Event()
    try:
        scheduler = core.build_scheduler(app)

        def _shutdown(signum, _frame):
            log.info("scheduler: signal %s, shutting down", signum)
            stop.set()
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, _shutdown)
        signal.signal(signal.SIGINT, _shutdown)
        beat = threading.Thread(
            target=_heartbeat, args=(app, lock, scheduler, stop), daemon=True, name="heartbeat"
        )
        beat.start()
        click.echo(_("Scheduler started."))
        for job in scheduler.get_jobs():
            log.info("scheduler: job %s", job.id)
        scheduler.start()
    finally:
        stop.set()
        lock.release()


@scheduler_cli.command("jobs")
def jobs_command():
    """List the stored jobs and their next run time (local time)."""
    rows = db.session.execute(
        select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time).order_by(
            apscheduler_jobs.c.id
        )
    ).all()
    for job_id, timestamp in rows:
        when = "-"
        if timestamp is not None:
            when = utc_timestamp_to_datetime(timestamp).astimezone(clock.TIMEZONE).isoformat()
        click.echo(f"{job_id}\t{when}")
