"""Scheduled jobs of the letters feature, run by the one scheduler process.

Referenced by text in the job store: ``app.letters.jobs:run_pending_mass_mailings``
(every few seconds) and ``app.letters.jobs:generate_daily_checklists``
(``CHECKLIST_CRON``).  Both expect an application context, which the
scheduler pushes around every job.
"""

import logging

from app.letters import checklist, mass_mailing

log = logging.getLogger(__name__)


def run_pending_mass_mailings():
    """Claim the next queued mass mailing (or one whose process died) and run it.

    A run takes minutes; it is committed batch by batch, so the screens show
    its progress and a crash resumes where it stopped.

    :returns: what was done, for the scheduler's job log, or ``None`` when
        there was no run to do.
    """
    run = mass_mailing.claim_next_run()
    if run is None:
        return None
    log.info("mass mailing %s claimed (fiscal year %s)", run.id, run.fiscal_year)
    run = mass_mailing.execute_run(run)
    return f"mass mailing {run.id}: {run.status}, {run.done}/{run.total} letters"


def generate_daily_checklists(day=None):
    """Print today's checklist of every office into OUTPUT_DIR/checklists.

    :returns: what was done, for the scheduler's job log.
    """
    written = checklist.generate_daily(day)
    log.info("daily checklists written: %d", len(written))
    return f"{len(written)} checklists written"
