"""The scheduler: APScheduler with its job store in the application database.

Jobs have fixed ids and are stored as ``app.scheduler.runner:run_job(job_id,
"module:function")``, so the job store holds text only and restarting the
scheduler never duplicates a job.  A run missed while the scheduler was down
happens once when it comes back (``coalesce``, no misfire limit for the daily
jobs): on start, a job whose definition has not changed keeps the next run
time it had, even if that time has passed.
"""

import logging
import pickle
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, select

from app.db.transaction import transaction
from app.extensions import db
from app.scheduler import runner
from app.scheduler.models import apscheduler_jobs

log = logging.getLogger(__name__)

RUNNER = "app.scheduler.runner:run_job"


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job.

    :param target: ``"module:function"`` called with no arguments.
    :param trigger: ``("cron", CONFIG_KEY)`` or ``("interval", CONFIG_KEY)``
        (the key's value is a crontab line or a number of seconds).
    :param misfire_grace_time: seconds a late run may still start; ``None``
        means however late (it runs once when the scheduler comes back).
    :param quiet: record a run only when it did something or failed.
    """

    id: str
    target: str
    trigger: tuple
    misfire_grace_time: int | None = None
    quiet: bool = False


JOBS = (
    JobSpec("hostlink.poll", "app.hostlink.jobs:poll_inbox", ("cron", "HOSTLINK_POLL_CRON")),
    JobSpec("hostlink.retry", "app.hostlink.jobs:retry_poll", ("cron", "HOSTLINK_RETRY_CRON")),
    JobSpec(
        "letters.checklists",
        "app.letters.jobs:generate_daily_checklists",
        ("cron", "CHECKLIST_CRON"),
    ),
    JobSpec("march.batch", "app.march.jobs:daily_batch", ("cron", "MARCH_BATCH_CRON")),
    JobSpec(
        "notices.postcards",
        "app.notices.jobs:run_pending",
        ("interval", "NOTICES_POLL_SECONDS"),
        misfire_grace_time=60,
        quiet=True,
    ),
    JobSpec(
        "letters.mass_mailings",
        "app.letters.jobs:run_pending_mass_mailings",
        ("interval", "MASS_MAILING_POLL_SECONDS"),
        misfire_grace_time=30,
        quiet=True,
    ),
)


def make_trigger(spec, config, timezone):
    kind, key = spec.trigger
    if kind == "cron":
        return CronTrigger.from_crontab(config[key], timezone=timezone)
    return IntervalTrigger(seconds=int(config[key]), timezone=timezone)


def _stored_jobs():
    """``{job_id: job state dict}`` of the jobs in the store."""
    with transaction():  # a read; ends before the scheduler takes the store
        rows = db.session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.job_state)).all()
    stored = {}
    for job_id, state in rows:
        try:
            stored[job_id] = pickle.loads(state)
        except Exception:  # noqa: BLE001
            # Unpickling fails in many ways (a renamed class, another APScheduler
            # version, a damaged row); any of them means the job is re-created.
            log.warning("job store: cannot read job %s; it will be replaced", job_id)
            stored[job_id] = None
    return stored


def _remove_stored(job_ids):
    if not job_ids:
        return
    with db.engine.begin() as conn:
        conn.execute(delete(apscheduler_jobs).where(apscheduler_jobs.c.id.in_(list(job_ids))))


def _available(spec):
    try:
        runner.resolve(spec.target)
    except (ImportError, AttributeError) as exc:
        log.warning("scheduler: job %s skipped, %s is not available (%s)", spec.id, spec.target,
                    exc)  # fmt: skip
        return False
    return True


def register_jobs(scheduler, app, jobs=JOBS):
    """Add the jobs to a scheduler that has not started yet.

    :returns: the ids of the jobs registered.
    """
    stored = _stored_jobs()
    timezone = scheduler.timezone
    registered = []
    for spec in jobs:
        if not _available(spec):
            continue
        trigger = make_trigger(spec, app.config, timezone)
        args = [spec.id, spec.target]
        options = {}
        old = stored.get(spec.id)
        if (
            old
            and old.get("func") == RUNNER
            and list(old.get("args") or ()) == args
            and repr(old.get("trigger")) == repr(trigger)
            and old.get("next_run_time") is not None
        ):
            # Unchanged: keep its next run, even if missed while we were down.
            options["next_run_time"] = old["next_run_time"]
        scheduler.add_job(
            RUNNER,
            trigger,
            args=args,
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
            **options,
        )
        registered.append(spec.id)
    _remove_stored(set(stored) - set(registered))
    runner.set_app(app, quiet_jobs=[spec.id for spec in jobs if spec.quiet])
    return registered


class AppJobStore(SQLAlchemyJobStore):
    """The job store on the application's own engine, which it must not
    dispose of when the scheduler stops."""

    def shutdown(self):
        pass


def build_scheduler(app, scheduler_class=BlockingScheduler, executor=None, jobs=JOBS):
    """A scheduler with the database job store and every available job.

    Call inside an application context.
    """
    scheduler = scheduler_class(timezone=app.config.get("TIMEZONE", "Asia/Tokyo"))
    scheduler.add_jobstore(AppJobStore(engine=db.engine), "default")
    scheduler.add_executor(executor or ThreadPoolExecutor(4), "default")
    register_jobs(scheduler, app, jobs)
    return scheduler
