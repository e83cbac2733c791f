"""Tables of the host link.

* :class:`ImportRun` — every attempt to apply a host extract, whatever came of
  it, with its counts; :class:`ImportRunRejection` — the records it rejected.
"""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import relationship

from app.history.models import ChangeLog

RUN_RUNNING = "running"
RUN_APPLIED = "applied"
RUN_HELD = "held"
RUN_REFUSED = "refused"
RUN_FAILED = "failed"
RUN_DISCARDED = "discarded"
RUN_STATUSES = (RUN_RUNNING, RUN_APPLIED, RUN_HELD, RUN_REFUSED, RUN_FAILED, RUN_DISCARDED)

TRIGGER_SCHEDULE = "schedule"
TRIGGER_UPLOAD = "upload"
TRIGGER_COMMAND = "command"

COUNT_FIELDS = (
    "added",
    "updated",
    "excluded",
    "reinstated",
    "unchanged",
    "unknown_not_eligible",
    "rejected",
)


class ImportRun(Model):
    """One attempt to apply a host extract file.

    The counts are what was applied (``applied``) or what would have been
    applied (``held``).  ``reason_code`` and ``reason_args`` name the outcome;
    :mod:`app.hostlink.messages` turns them into a Japanese sentence.
    """

    __tablename__ = "import_run"

    id = Column(Integer, primary_key=True)
    file_name = Column(String(255), nullable=False)
    sha256 = Column(String(64), nullable=True, index=True)
    file_size = Column(Integer, nullable=True)
    as_of = Column(Date, nullable=True)
    created_on = Column(Date, nullable=True)
    trigger = Column(String(20), nullable=False)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    started_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    finished_at = Column(DateTime, nullable=True)
    status = Column(String(12), nullable=False, default=RUN_RUNNING)
    reason_code = Column(String(40), nullable=True)
    reason_args = Column(JSON, nullable=True)
    data_count = Column(Integer, nullable=True)
    active_before = Column(Integer, nullable=True)
    added = Column(Integer, nullable=False, default=0)
    updated = Column(Integer, nullable=False, default=0)
    excluded = Column(Integer, nullable=False, default=0)
    reinstated = Column(Integer, nullable=False, default=0)
    unchanged = Column(Integer, nullable=False, default=0)
    unknown_not_eligible = Column(Integer, nullable=False, default=0)
    rejected = Column(Integer, nullable=False, default=0)
    # Where a held file waits for a supervisor.
    held_path = Column(String(500), nullable=True)
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    decided_at = Column(DateTime, nullable=True)

    user = relationship("StaffUser", foreign_keys=[user_id], lazy="joined")
    decided_by = relationship("StaffUser", foreign_keys=[decided_by_id], lazy="joined")

    __table_args__ = (
        Index("ix_import_run_status_as_of", "status", "as_of"),
        Index("ix_import_run_started_at", "started_at"),
        {"extend_existing": True},
    )

    @property
    def counts(self):
        return {name: getattr(self, name) or 0 for name in COUNT_FIELDS}

    def __repr__(self):
        return f"ImportRun({self.id}, {self.file_name!r}, {self.status})"


class ImportRunRejection(Model):
    """A data record an import run rejected: line, field and reason code.

    ``detail`` keeps the parser's English explanation for operators; the
    screens show the Japanese text of ``code``.
    """

    __tablename__ = "import_run_rejection"

    id = Column(Integer, primary_key=True)
    run_id = Column(Integer, ForeignKey("import_run.id"), nullable=False)
    line_no = Column(Integer, nullable=False)
    resident_no = Column(String(20), nullable=False, default="")
    field = Column(String(30), nullable=False)
    code = Column(String(40), nullable=False)
    detail = Column(String(200), nullable=True)

    __table_args__ = (
        Index("ix_import_run_rejection_run", "run_id", "line_no"),
        {"extend_existing": True},
    )


# "Who did run N exclude?" reads the history by its source.  Partial: the
# 90,000 "create" rows of a first load need not be indexed.
_change_log = ChangeLog.__table__
Index(
    "ix_change_log_source",
    _change_log.c.source,
    postgresql_where=_change_log.c.action == "exclude",
    sqlite_where=_change_log.c.action == "exclude",
)
