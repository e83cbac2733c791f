"""The scheduler process (``flask scheduler run``) and the locks between processes.

Scheduled work runs in this one process, never in the web workers: APScheduler's
BlockingScheduler with its job store in the application database, jobs named by
"module:function" text (see :mod:`app.scheduler.core`).

Modules: ``core`` (the job list and the scheduler), ``runner`` (runs one job
and records it), ``locks`` (named locks between processes), ``cli``,
``models`` (``job_run``, ``process_lock``, the job store's table).

May import app.db, app.extensions and app.clock only.  The features' jobs are
named as text in :data:`app.scheduler.core.JOBS` and imported when they run,
so the scheduler never imports a feature: the dependency is one-way (app.hostlink
uses ``locks`` and ``models``).
"""
