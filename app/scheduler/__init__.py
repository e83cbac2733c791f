"""The scheduler process (``flask scheduler run``) and the locks between processes.

Scheduled work runs in this one process, never in the web workers: APScheduler's
BlockingScheduler with its job store in the application database, jobs named by
"module:function" text (see :mod:`app.scheduler.core`).
"""
