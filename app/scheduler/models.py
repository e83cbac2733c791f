"""Tables of the scheduler.

* :class:`JobRun` — every run of a scheduled job.
* :class:`ProcessLock` — named locks between processes (one importer at a time,
  one scheduler at a time) that survive a ``kill -9`` of their holder.
* ``apscheduler_jobs`` — APScheduler's job store, declared here so that the
  migrations, not the scheduler, create it.
"""

from flask_appbuilder import Model
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
)


class JobRun(Model):
    """One run of a scheduled job (``job_id`` is the scheduler's fixed job id)."""

    __tablename__ = "job_run"

    id = Column(Integer, primary_key=True)
    job_id = Column(String(100), nullable=False)
    started_at = Column(DateTime, nullable=False)
    finished_at = Column(DateTime, nullable=True)
    status = Column(String(12), nullable=False)  # running | ok | failed
    message = Column(Text, nullable=True)

    __table_args__ = (
        Index("ix_job_run_job", "job_id", "started_at"),
        {"extend_existing": True},
    )


class ProcessLock(Model):
    """A named lock held by one process (see :mod:`app.scheduler.locks`)."""

    __tablename__ = "process_lock"

    name = Column(String(40), primary_key=True)
    owner = Column(String(120), nullable=False)
    host = Column(String(255), nullable=False)
    pid = Column(Integer, nullable=False)
    acquired_at = Column(DateTime, nullable=False)
    heartbeat_at = Column(DateTime, nullable=False)
    detail = Column(String(200), nullable=True)

    __table_args__ = ({"extend_existing": True},)


# APScheduler's SQLAlchemyJobStore table, exactly as it defines it (it creates
# it only when missing, so the migration's table is the one used).
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Model.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
    extend_existing=True,
)
