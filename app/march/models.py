"""Tables of the March applications (順次発送): their 整理番号 counter and the
daily batches of their letters."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import relationship


class MarchNumberCounter(Model):
    """The last 順次発送 number handed out per fiscal year, counted from 1;
    the 整理番号 is ``MARCH_CONTROL_NO_START - 1`` plus it (see
    :mod:`app.march.numbers`)."""

    __tablename__ = "march_number_counter"

    fiscal_year = Column(Integer, primary_key=True, autoincrement=False)
    last_no = Column(Integer, nullable=False, default=0)


class MarchBatch(Model):
    """One day's batch of 順次発送 letters: the next-year passes mailed that day."""

    __tablename__ = "march_batch"

    id = Column(Integer, primary_key=True)
    fiscal_year = Column(Integer, nullable=False, index=True)
    batch_date = Column(Date, nullable=False, index=True)
    letters = Column(Integer, nullable=False, default=0)
    first_no = Column(Integer, nullable=True)
    last_no = Column(Integer, nullable=True)
    files = Column(JSON, nullable=False, default=list)
    output_dir = Column(String(500), nullable=True)
    # "scheduler", "cli:<login>" or a staff account (created_by_id)
    trigger = Column(String(40), nullable=False)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow)

    created_by = relationship("StaffUser", foreign_keys=[created_by_id])

    def __repr__(self):
        return f"march batch {self.id} ({self.batch_date})"


class MarchBatchItem(Model):
    """One letter of a batch: its pass, in 整理番号 order ``seq``.  A pass is
    in at most one batch (sent once)."""

    __tablename__ = "march_batch_item"

    id = Column(Integer, primary_key=True)
    batch_id = Column(Integer, ForeignKey("march_batch.id"), nullable=False)
    seq = Column(Integer, nullable=False)
    issuance_id = Column(Integer, ForeignKey("issuance.id"), nullable=False, unique=True)

    __table_args__ = (UniqueConstraint("batch_id", "seq", name="uq_march_batch_item_batch_seq"),)
