"""Tables of the annual mass mailing (一斉発送)."""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

RUN_QUEUED = "queued"
RUN_RUNNING = "running"
RUN_DONE = "done"
RUN_FAILED = "failed"
RUN_STATUSES = (RUN_QUEUED, RUN_RUNNING, RUN_DONE, RUN_FAILED)


class MassMailingRun(Model):
    """One mass mailing: the passes of ``fiscal_year`` issued and their letters.

    ``issued_at`` is set in the transaction that creates the passes, so a run
    that crashed afterwards resumes with the letters; ``files`` lists the
    finished batches (one checkpoint each), so it resumes at the first
    unfinished one.
    """

    __tablename__ = "mass_mailing_run"

    id = Column(Integer, primary_key=True)
    fiscal_year = Column(Integer, nullable=False, index=True)
    cutoff_date = Column(Date, nullable=False)
    mailing_date = Column(Date, nullable=False)
    status = Column(String(10), nullable=False, default=RUN_QUEUED, index=True)
    total = Column(Integer, nullable=False, default=0)
    done = Column(Integer, nullable=False, default=0)
    batch_size = Column(Integer, nullable=False, default=2000)
    files = Column(JSON, nullable=False, default=list)
    summary = Column(JSON, nullable=False, default=dict)
    output_dir = Column(String(500), nullable=True)
    error = Column(Text, nullable=True)
    requested_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    started_at = Column(DateTime, nullable=True)
    issued_at = Column(DateTime, nullable=True)
    heartbeat_at = Column(DateTime, nullable=True)
    finished_at = Column(DateTime, nullable=True)

    requested_by = relationship("StaffUser", foreign_keys=[requested_by_id])

    def __repr__(self):
        return f"mass mailing {self.id} ({self.fiscal_year})"


class MassMailingItem(Model):
    """One letter of a run: its pass, in mailing (postal-code) order ``seq``."""

    __tablename__ = "mass_mailing_item"

    id = Column(Integer, primary_key=True)
    run_id = Column(Integer, ForeignKey("mass_mailing_run.id"), nullable=False)
    seq = Column(Integer, nullable=False)
    issuance_id = Column(Integer, ForeignKey("issuance.id"), nullable=False, unique=True)

    __table_args__ = (UniqueConstraint("run_id", "seq", name="uq_mass_mailing_item_run_seq"),)
