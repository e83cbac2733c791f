"""Tables of the ledger migration (データ移行).

* :class:`MigrationRun` — one workbook checked (and perhaps imported): its
  name, size and SHA-256, its status and progress, and the figures of its
  reconciliation report (移行結果照合表);
* :class:`MigrationRunItem` — the report's rows: every rejected row, every
  mismatch with the host's data and every notice, with sheet and row;
* :class:`MigratedPass` — which pass came from which run (sheet and row), so a
  second workbook can tell its own passes from the counter's;
* :class:`ErasureRecord` — 消去記録: the erasure of the workbook or of one of
  its copies.  The database refuses to change or delete one (migration 0007);
  a correction is a new record naming the one it corrects.
"""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import relationship

RUN_RUNNING = "running"
RUN_CHECKED = "checked"
RUN_APPLIED = "applied"
RUN_REFUSED = "refused"
RUN_FAILED = "failed"
RUN_DISCARDED = "discarded"
RUN_STATUSES = (RUN_RUNNING, RUN_CHECKED, RUN_APPLIED, RUN_REFUSED, RUN_FAILED, RUN_DISCARDED)

TRIGGER_UPLOAD = "upload"
TRIGGER_COMMAND = "command"

ITEM_REJECTED = "rejected"
ITEM_MISMATCH = "mismatch"
ITEM_NOTICE = "notice"


class MigrationRun(Model):
    """One workbook of the ledger migration, from upload to import.

    ``summary`` holds the report's figures (see :mod:`app.migration.report`);
    ``stored_path`` is the uploaded copy until it is deleted (then ``None`` and
    ``file_deleted_at`` set, with an automatic :class:`ErasureRecord`).
    """

    __tablename__ = "ledger_run"

    id = Column(Integer, primary_key=True)
    file_name = Column(String(255), nullable=False)
    file_size = Column(BigInteger, nullable=False, default=0)
    sha256 = Column(String(64), nullable=False, index=True)
    status = Column(String(12), nullable=False, default=RUN_RUNNING)
    trigger = Column(String(10), nullable=False, default=TRIGGER_UPLOAD)
    phase = Column(String(20), nullable=True)
    progress_done = Column(Integer, nullable=False, default=0)
    progress_total = Column(Integer, nullable=False, default=0)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    applied_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    started_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    heartbeat_at = Column(DateTime, nullable=True)
    checked_at = Column(DateTime, nullable=True)
    applied_at = Column(DateTime, nullable=True)
    finished_at = Column(DateTime, nullable=True)
    reason_code = Column(String(40), nullable=True)
    reason = Column(Text, nullable=True)
    summary = Column(JSON, nullable=True)
    stored_path = Column(String(500), nullable=True)
    file_deleted_at = Column(DateTime, nullable=True)

    user = relationship("StaffUser", foreign_keys=[user_id])
    applied_by = relationship("StaffUser", foreign_keys=[applied_by_id])

    __table_args__ = (
        # A workbook is imported once: the database says so too.
        Index(
            "uq_ledger_run_applied_sha256",
            "sha256",
            unique=True,
            sqlite_where=text("status = 'applied'"),
            postgresql_where=text("status = 'applied'"),
        ),
        {"extend_existing": True},
    )


class MigrationRunItem(Model):
    """One line of the report's lists: a rejected row, a mismatch or a notice."""

    __tablename__ = "ledger_run_item"

    id = Column(Integer, primary_key=True)
    run_id = Column(Integer, ForeignKey("ledger_run.id"), nullable=False)
    kind = Column(String(10), nullable=False)
    sheet = Column(String(100), nullable=False, default="")
    row = Column(Integer, nullable=True)
    column = Column(String(60), nullable=False, default="")
    resident_no = Column(String(20), nullable=True)
    code = Column(String(40), nullable=False, default="")
    reason = Column(Text, nullable=False, default="")
    value = Column(Text, nullable=True)
    app_value = Column(Text, nullable=True)

    __table_args__ = (
        Index("ix_ledger_run_item_run", "run_id", "kind", "id"),
        {"extend_existing": True},
    )


class MigratedPass(Model):
    """A pass created by the migration: its run, sheet and row."""

    __tablename__ = "ledger_pass"

    issuance_id = Column(Integer, ForeignKey("issuance.id"), primary_key=True)
    run_id = Column(Integer, ForeignKey("ledger_run.id"), nullable=False, index=True)
    sheet = Column(String(100), nullable=False)
    row = Column(Integer, nullable=False)


class ErasureRecord(Model):
    """消去記録: one copy of a migrated workbook erased, and by whom.

    Rows are append-only (database triggers); ``corrects_id`` names the record
    a new one corrects.  ``automatic`` records are the application's own
    deletion of the uploaded copy (no person erased or witnessed them).
    """

    __tablename__ = "ledger_erasure"

    id = Column(Integer, primary_key=True)
    run_id = Column(Integer, ForeignKey("ledger_run.id"), nullable=False, index=True)
    location = Column(Text, nullable=False)
    method = Column(Text, nullable=False)
    erased_on = Column(Date, nullable=False)
    erased_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    witness_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    automatic = Column(Boolean, nullable=False, default=False)
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    recorded_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    corrects_id = Column(Integer, ForeignKey("ledger_erasure.id"), nullable=True)
    note = Column(Text, nullable=True)

    run = relationship("MigrationRun")
    erased_by = relationship("StaffUser", foreign_keys=[erased_by_id])
    witness = relationship("StaffUser", foreign_keys=[witness_id])
    recorded_by = relationship("StaffUser", foreign_keys=[recorded_by_id])
