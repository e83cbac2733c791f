"""The one function every scheduled job calls: open an application context,
call the job's "module:function", record the run in ``job_run``.

Jobs are stored as ``run_job(job_id, target)`` so the job store holds only
text; the feature modules are imported when the job runs.
"""

import importlib
import logging

from sqlalchemy import insert, update

from app import clock
from app.extensions import db
from app.scheduler.models import JobRun

log = logging.getLogger(__name__)

_JOB_RUN = JobRun.__table__
_state = {"app": None, "quiet": set()}


def set_app(app, quiet_jobs=()):
    """Give the runner the application it opens contexts of.

    :param quiet_jobs: job ids recorded only when they did something or
        failed (pollers that run every few seconds).
    """
    _state["app"] = app
    _state["quiet"] = set(quiet_jobs)


def resolve(target):
    """The callable named by ``"module:function"``.

    :raises ImportError: or :class:`AttributeError` when it does not exist.
    """
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _record(job_id, started, status, message):
    with db.engine.begin() as conn:
        conn.execute(
            insert(_JOB_RUN).values(
                job_id=job_id,
                started_at=started,
                finished_at=clock.now(),
                status=status,
                message=(message or "")[:4000] or None,
            )
        )


def run_job(job_id, target):
    """Run one job in an application context and record how it went."""
    app = _state["app"]
    if app is None:
        raise RuntimeError("the scheduler runner has no application (set_app)")
    with app.app_context():
        started = clock.now()
        quiet = job_id in _state["quiet"]
        run_id = None
        if not quiet:
            with db.engine.begin() as conn:
                run_id = conn.execute(
                    insert(_JOB_RUN).values(job_id=job_id, started_at=started, status="running")
                ).inserted_primary_key[0]
        status, message = "ok", None
        try:
            result = resolve(target)()
            message = None if result is None else str(result)
        except Exception as exc:
            log.exception("job %s (%s) failed", job_id, target)
            db.session.rollback()
            status, message = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            db.session.remove()
        try:
            if run_id is not None:
                with db.engine.begin() as conn:
                    conn.execute(
                        update(_JOB_RUN)
                        .where(_JOB_RUN.c.id == run_id)
                        .values(
                            finished_at=clock.now(),
                            status=status,
                            message=(message or "")[:4000] or None,
                        )
                    )
            elif status == "failed" or message:
                _record(job_id, started, status, message)
        except Exception:
            log.exception("job %s: could not record its run", job_id)
        return status
