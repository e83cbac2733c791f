"""Tables of the お知らせ (notices to newly eligible people).

* :class:`NoticeDetection` — one per applied host extract whose newly eligible
  people were looked for (so a detection is never made twice);
* :class:`NewlyEligible` — a person who became 事業対象者 with that extract,
  with the reason (:data:`REASONS`) and whether a postcard went out;
* :class:`NoticeRun` — one お知らせ PDF (postcards) and its list.
"""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

REASON_TURNED_60 = "turned_60"
REASON_MOVED_IN = "moved_in"
REASON_CATEGORY_GAINED = "category_gained"
REASON_OTHER = "other"
# The reasons, in the order the lists and counts show them (the statistics read them).
REASONS = (REASON_TURNED_60, REASON_MOVED_IN, REASON_CATEGORY_GAINED, REASON_OTHER)

# What became of a person's postcard.
NOTICE_PENDING = "pending"
NOTICE_SENT = "sent"
NOTICE_SKIPPED = "skipped"
# Why a newly eligible person was not sent a postcard.
SKIP_REASONS = ("has_pass", "mail_stopped", "excluded", "no_address")

RUN_QUEUED = "queued"
RUN_DONE = "done"
RUN_FAILED = "failed"
RUN_STATUSES = (RUN_QUEUED, RUN_DONE, RUN_FAILED)

TRIGGERS = ("after_import", "monthly", "screen", "command")


class NoticeDetection(Model):
    """The newly eligible people of one applied import run have been recorded.

    ``previous_as_of`` is the 基準日 of the extract applied before it (the
    window of 60th birthdays); ``None`` for the first extract ever applied,
    whose people are the initial roster and are not counted as newly eligible.
    """

    __tablename__ = "notice_detection"

    import_run_id = Column(Integer, ForeignKey("import_run.id"), primary_key=True,
                           autoincrement=False)  # fmt: skip
    as_of = Column(Date, nullable=False)
    previous_as_of = Column(Date, nullable=True)
    count = Column(Integer, nullable=False, default=0)
    detected_at = Column(DateTime, nullable=False, default=datetime.utcnow)


class NewlyEligible(Model):
    """A person who became 事業対象者 (new or reinstated) with a host extract.

    ``detected_on`` is the extract's 基準日; ``reason`` one of :data:`REASONS`;
    ``notice_state`` :data:`NOTICE_PENDING` until a notice run sends the
    postcard (:data:`NOTICE_SENT`, ``notice_run_id`` set) or leaves it out
    (:data:`NOTICE_SKIPPED`, ``skip_reason`` one of :data:`SKIP_REASONS`).
    """

    __tablename__ = "notice_newly_eligible"

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False)
    import_run_id = Column(Integer, ForeignKey("import_run.id"), nullable=False)
    reason = Column(String(20), nullable=False)
    detected_on = Column(Date, nullable=False)
    notice_run_id = Column(Integer, ForeignKey("notice_run.id"), nullable=True)
    notice_state = Column(String(10), nullable=False, default=NOTICE_PENDING)
    skip_reason = Column(String(20), nullable=True)

    resident = relationship("Resident", foreign_keys=[resident_id])

    __table_args__ = (
        UniqueConstraint("import_run_id", "resident_id", name="uq_notice_newly_eligible_run"),
        Index("ix_notice_newly_eligible_detected_on", "detected_on"),
        Index("ix_notice_newly_eligible_resident", "resident_id"),
    )


class NoticeRun(Model):
    """One お知らせ run: the postcards of some newly eligible people as one PDF,
    with its list.

    ``period_start``/``period_end`` bound the people's ``detected_on``;
    ``import_run_id`` is set for the run made after one extract.  ``files``
    maps ``pdf``/``list`` to file names inside ``output_dir``; ``summary``
    holds the counts (by reason, skipped by reason).
    """

    __tablename__ = "notice_run"

    id = Column(Integer, primary_key=True)
    trigger = Column(String(20), nullable=False)
    status = Column(String(10), nullable=False, default=RUN_QUEUED, index=True)
    import_run_id = Column(Integer, ForeignKey("import_run.id"), nullable=True)
    period_start = Column(Date, nullable=True)
    period_end = Column(Date, nullable=True)
    only_unsent = Column(Boolean, nullable=False, default=True)
    total = Column(Integer, nullable=False, default=0)
    files = Column(JSON, nullable=False, default=dict)
    summary = Column(JSON, nullable=False, default=dict)
    output_dir = Column(String(500), nullable=True)
    error = Column(Text, nullable=True)
    requested_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    finished_at = Column(DateTime, nullable=True)

    requested_by = relationship("StaffUser", foreign_keys=[requested_by_id])

    def __repr__(self):
        return f"notice run {self.id} ({self.status})"
