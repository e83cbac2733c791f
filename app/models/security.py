"""Tables of the sign-in hardening: attempts, server-side sessions, log retention."""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)


class LoginAttempt(Model):
    """One sign-in attempt (web form or API), kept a day for rate limiting.

    In the database rather than process memory so that every web worker sees
    the same counts.
    """

    __tablename__ = "login_attempt"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=datetime.utcnow)
    ip = Column(String(64), nullable=False)
    username = Column(String(100), nullable=True)
    success = Column(Boolean, nullable=False, default=False)
    channel = Column(String(10), nullable=False, default="web")

    __table_args__ = (
        Index("ix_login_attempt_ip_at", "ip", "at"),
        Index("ix_login_attempt_at", "at"),
        {"extend_existing": True},
    )


class UserSession(Model):
    """A signed-in browser session.  The cookie carries a random token whose
    SHA-256 is stored here; a session is valid only while its row is open."""

    __tablename__ = "user_session"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False)
    ip = Column(String(64), nullable=True)
    user_agent = Column(String(200), nullable=True)
    ended_at = Column(DateTime, nullable=True)
    # logout, idle, absolute, disabled, password, reset
    end_reason = Column(String(20), nullable=True)

    __table_args__ = (
        Index("ix_user_session_user", "user_id", "ended_at"),
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
