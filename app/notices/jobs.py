"""When お知らせ runs happen: after an applied host extract, once a month, and
the scheduler's job that produces queued runs.

``NOTICES_SCHEDULE`` (config) chooses: ``after_import`` — a run is queued for
the people of each applied extract; ``monthly`` — on the first poll of a month
a run is queued for the people detected in the month before; ``off`` —
runs only on demand.  Newly eligible people are recorded after every applied
extract whatever the schedule (the statistics count them).

:func:`run_pending` is the scheduler's job (``app.notices.jobs:run_pending``):
thin, it queues the monthly run when due and produces the queued runs.
"""

import logging
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.notices import detection, messages, runs
from app.notices.models import RUN_FAILED, NoticeRun

log = logging.getLogger(__name__)

SCHEDULES = ("after_import", "monthly", "off")


def schedule():
    value = (current_app.config.get("NOTICES_SCHEDULE") or "after_import").strip().lower()
    if value not in SCHEDULES:
        log.warning("NOTICES_SCHEDULE=%r is not one of %s; taken as off", value, SCHEDULES)
        return "off"
    return value


def extract_applied(import_run_id, plan=None):
    """After an applied host extract: record its newly eligible people and,
    when the schedule says so, queue their postcards.

    Called by :mod:`app.hostlink.imports` after the apply transaction has
    committed; it raises nothing the import would have to care about.
    """
    try:
        found = detection.detect(import_run_id, plan)
        if found.count and schedule() == "after_import":
            runs.queue_run("after_import", import_run_id=import_run_id)
    except Exception:  # the import stands; the detection can be made again
        log.exception("import run %s: newly eligible people not recorded", import_run_id)
        db.session.rollback()


def previous_month(today):
    """``(first day, last day)`` of the month before ``today``'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def queue_monthly(today=None):
    """Queue the month before's run unless there is one; return it or ``None``."""
    start, end = previous_month(today or clock.today())
    exists = db.session.execute(
        select(NoticeRun.id).where(
            NoticeRun.trigger == "monthly",
            NoticeRun.period_start == start,
            NoticeRun.status != RUN_FAILED,
        )
    ).first()
    if exists:
        return None
    return runs.queue_run("monthly", start=start, end=end)


def run_pending(today: date | None = None):
    """The scheduler's job: queue the monthly run when due, produce queued runs.

    :returns: what was done, for the job's run record, or ``None``.
    """
    if schedule() == "monthly":
        queue_monthly(today)
    done = []
    while (run := runs.claim_next_run()) is not None:
        run = runs.execute_run(run, username="scheduler")
        done.append(
            _(
                "Notice run %(id)s: %(status)s, %(n)s postcards",
                id=run.id,
                status=messages.label(messages.STATUS_LABELS, run.status),
                n=run.total,
            )
        )
    return " / ".join(done) or None
