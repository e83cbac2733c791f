"""The record of one import attempt (:class:`~app.hostlink.models.ImportRun`)
and its line in the access log.

The run is written on its own connection, in transactions of its own, so that
it is recorded whatever happens to the apply transaction.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, update

from app import clock
from app.audit import writer as audit
from app.db.bulk import bulk_insert
from app.db.transaction import transaction
from app.extensions import db
from app.hostlink import messages
from app.hostlink.models import (
    COUNT_FIELDS,
    RUN_FAILED,
    RUN_REFUSED,
    RUN_RUNNING,
    TRIGGER_SCHEDULE,
    ImportRun,
    ImportRunRejection,
)

log = logging.getLogger(__name__)

RUN = ImportRun.__table__
_REJECTION = ImportRunRejection.__table__
_REJECTION_COLUMNS = ("run_id", "line_no", "resident_no", "field", "code", "detail")
# Who the access log names when no one is signed in.
_ACTOR_NAMES = {TRIGGER_SCHEDULE: "scheduler", "command": "command-line"}
# Run status -> the access log's outcome vocabulary (the status is in the detail).
_AUDIT_OUTCOMES = {RUN_REFUSED: "refused", RUN_FAILED: "failure"}


@dataclass
class Outcome:
    """What became of one import attempt (for the command line and the screens)."""

    run_id: int
    status: str
    file_name: str
    as_of: date | None = None
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))
    rejections: list = field(default_factory=list)
    reason_code: str | None = None
    reason_args: dict | None = None

    @property
    def reason(self):
        return messages.run_reason(self.reason_code, self.reason_args)

    def as_json(self):
        """The command line's summary object (reason in Japanese)."""
        data = {
            "run_id": self.run_id,
            "status": self.status,
            "file": self.file_name,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }
        for name in ("added", "updated", "excluded", "reinstated", "unchanged"):
            data[name] = self.counts.get(name, 0)
        data["unknown_not_eligible"] = self.counts.get("unknown_not_eligible", 0)
        data["rejected"] = [
            {
                "line": r.line_no,
                "resident_no": r.resident_no,
                "field": r.field,
                "reason": f"{messages.field_label(r.field)}: {messages.record_error_text(r.code)}",
            }
            for r in self.rejections
        ]
        data["reason"] = self.reason
        return data


def start_run(file_name, trigger, user):
    """Record a new run (status ``running``); return its id."""
    values = {
        "file_name": file_name[:255],
        "trigger": trigger,
        "user_id": getattr(user, "id", None),
        "started_at": clock.now(),
        "status": RUN_RUNNING,
        **dict.fromkeys(COUNT_FIELDS, 0),
    }
    with db.engine.begin() as conn:
        return conn.execute(insert(RUN).values(**values)).inserted_primary_key[0]


def update_run(conn, run_id, **values):
    conn.execute(update(RUN).where(RUN.c.id == run_id).values(**values))


def insert_rejections(conn, run_id, errors):
    """Store the run's rejected records."""
    rows = [
        (run_id, e.line_no, e.resident_no[:20], e.field[:30], e.code[:40], e.message[:200])
        for e in errors
    ]
    bulk_insert(conn, _REJECTION, _REJECTION_COLUMNS, rows)


def finish_run(run_id, status, reason_code, reason_args=None, errors=(), **values):
    """Record a run's end in its own transaction."""
    with db.engine.begin() as conn:
        update_run(
            conn,
            run_id,
            status=status,
            reason_code=reason_code,
            reason_args=reason_args,
            finished_at=clock.now(),
            **values,
        )
        if errors:
            insert_rejections(conn, run_id, errors)


def audit_detail(outcome):
    """The access log's detail of an outcome: file, 基準日, status and counts."""
    return {
        "file": outcome.file_name,
        "as_of": outcome.as_of.isoformat() if outcome.as_of else None,
        "status": outcome.status,
        "reason": outcome.reason_code,
        **{k: v for k, v in outcome.counts.items() if v},
    }


def log_outcome(action, outcome, trigger, user):
    """Write the access-log line of a run's outcome, committed on its own.

    The run's outcome stands even when the access log cannot be written, so a
    failure is only logged.
    """
    try:
        with transaction():
            audit.record(
                action,
                target=f"import_run:{outcome.run_id}",
                detail=audit_detail(outcome),
                outcome=_AUDIT_OUTCOMES.get(outcome.status, "ok"),
                user=user,
                username=None if user else _ACTOR_NAMES.get(trigger, trigger),
            )
    except Exception:
        log.exception("import run %s: could not write the access log", outcome.run_id)
