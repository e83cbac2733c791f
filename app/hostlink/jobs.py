"""The host link's scheduled jobs (run by :mod:`app.scheduler`, never by web workers).

Each returns a short Japanese summary for the job's run record, or ``None``
when there was nothing to do.
"""

import logging

from flask_babel import gettext as _

from app.hostlink import inbox, status

log = logging.getLogger(__name__)


def _summary(result):
    if result.busy:
        return _("Another poll of the inbox was running; nothing was done.")
    parts = [
        _(
            "%(file)s: run %(run)s, %(status)s", file=o.file_name, run=o.run_id, status=o.reason
        )  # fmt: skip
        for o in result.outcomes
    ]
    if result.waiting:
        parts.append(
            _("waiting for the trigger file of %(files)s", files=", ".join(result.waiting))
        )
    return " / ".join(parts) or _("No file in the inbox.")


def poll_inbox():
    """The host's schedule (1st and 16th, 06:00): apply what is in the inbox."""
    return _summary(inbox.poll())


def retry_poll():
    """Hourly until this half-month's extract has been applied; then nothing."""
    if status.current_extract_applied():
        return None
    return _summary(inbox.poll())
