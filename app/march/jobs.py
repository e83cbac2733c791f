"""The scheduler's daily job of the March applications.

Referenced by text in the job store: ``app.march.jobs:daily_batch``
(``MARCH_BATCH_CRON``); the scheduler's runner pushes the application context
and records the run in ``job_run``.
"""

import logging

from app.march import batches

log = logging.getLogger(__name__)


def daily_batch(day=None):
    """Make today's batch of 順次発送 letters (nothing when none is pending).

    :returns: what was done, for the scheduler's job log.
    """
    batch = batches.create_batch(day, trigger="scheduler")
    if batch is None:
        return "no March letters to send"
    return f"March batch {batch.id}: {batch.letters} letters ({batch.first_no}-{batch.last_no})"
