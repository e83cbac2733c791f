"""Tables of the access log: its rows and its retention policy."""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
)


class AccessLog(Model):
    """アクセスログ: append-only record of who did what to which person.

    Deliberately without foreign keys: a log row must outlive and never block
    changes to users or residents.
    """

    __tablename__ = "access_log"

    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at = Column(DateTime, nullable=False, default=datetime.utcnow)
    user_id = Column(Integer, nullable=True)
    username = Column(String(100), nullable=True)
    role = Column(String(64), nullable=True)
    office_code = Column(String(20), nullable=True)
    ip = Column(String(64), nullable=True)
    action = Column(String(40), nullable=False)
    resident_no = Column(String(10), nullable=True)
    target = Column(String(200), nullable=True)
    detail = Column(JSON, nullable=True)
    outcome = Column(String(20), nullable=False, default="ok")
    note = Column(Text, nullable=True)

    __table_args__ = (
        Index("ix_access_log_at", "at"),
        Index("ix_access_log_user", "username", "at"),
        Index("ix_access_log_resident", "resident_no", "at"),
        Index("ix_access_log_action", "action", "at"),
        {"extend_existing": True},
    )


class AccessLogPerson(Model):
    """A person a list showed: one row per 住民番号 of an access-log row that
    named several people (a search page, the pass list, a checklist…), so
    that "who saw this person" finds the lists too (migration 0009).

    Append-only like the log itself: no updates, and a row can be deleted only
    once its log row is gone (past the retention period).  No foreign key, as
    for the log: the trigger is what ties it to its row.
    """

    __tablename__ = "access_log_person"

    log_id = Column(BigInteger().with_variant(Integer, "sqlite"), nullable=False)
    resident_no = Column(String(10), nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint("log_id", "resident_no", name="pk_access_log_person"),
        Index("ix_access_log_person_resident", "resident_no", "log_id"),
        {"extend_existing": True},
    )


class AccessLogPolicy(Model):
    """The one row the access-log trigger reads: how many years rows are kept."""

    __tablename__ = "access_log_policy"

    id = Column(Integer, primary_key=True, autoincrement=False)
    retention_years = Column(Integer, nullable=False)

    __table_args__ = (
        CheckConstraint("id = 1", name="ck_access_log_policy_one_row"),
        CheckConstraint("retention_years >= 1", name="ck_access_log_policy_years"),
        {"extend_existing": True},
    )
