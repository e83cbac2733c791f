"""The inbox folder the host drops its extracts into.

A ``.DAT`` file is read only once its ``.END`` trigger exists; files are
applied oldest 基準日 first (by the date in their name) and then moved beside
the inbox: ``archive/`` (applied), ``held/`` (waiting for a supervisor) or
``rejected/`` (refused).  A file refused because another import was running,
or whose import failed, stays in the inbox for the next poll.
"""

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from app.hostlink import imports
from app.hostlink.files import folders, trigger_path
from app.hostlink.models import RUN_APPLIED, RUN_REFUSED, TRIGGER_SCHEDULE
from app.scheduler import locks

log = logging.getLogger(__name__)

POLL_LOCK = "hostlink.poll"
_DATED = re.compile(r"FUREAI_(\d{8})\.DAT", re.IGNORECASE)


@dataclass
class PollResult:
    """What one poll did: the outcome of each file read, and the files still
    waiting for their ``.END``."""

    outcomes: list = field(default_factory=list)
    waiting: list = field(default_factory=list)
    busy: bool = False  # another poll was running: this one did nothing

    @property
    def applied(self):
        return [o for o in self.outcomes if o.status == RUN_APPLIED]


def _order(path):
    match = _DATED.fullmatch(path.name)
    return (0, match.group(1), path.name) if match else (1, "", path.name)


def pending_files(inbox):
    """``(ready, waiting)``: ``.DAT`` files with and without their ``.END``."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        return [], []
    files = sorted(
        (p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() == ".dat"), key=_order
    )
    ready = [p for p in files if trigger_path(p).exists()]
    waiting = [p for p in files if not trigger_path(p).exists()]
    return ready, waiting


def poll():
    """Apply every complete file in the inbox, oldest first.

    :returns: :class:`PollResult`.
    """
    try:
        # The 06:00 poll and the hourly retry fire together on extract days.
        lock = locks.acquire(
            POLL_LOCK, current_app.config["HOSTLINK_LOCK_STALE_SECONDS"], detail="inbox poll"
        )
    except locks.LockHeld:
        log.info("inbox: another poll is running")
        return PollResult(busy=True)
    with lock:
        inbox = folders()["inbox"]
        ready, waiting = pending_files(inbox)
        result = PollResult(waiting=[p.name for p in waiting])
        for path in ready:
            outcome = imports.import_file(path, trigger=TRIGGER_SCHEDULE, move=True)
            result.outcomes.append(outcome)
            log.info("inbox: %s -> run %s %s", path.name, outcome.run_id, outcome.status)
            if outcome.status == RUN_REFUSED and outcome.reason_code == "locked":
                break  # an import from elsewhere is running; try again later
    if waiting:
        log.info("inbox: waiting for the trigger file of %s", ", ".join(result.waiting))
    return result
