"""Tables of staff accounts: the user with an office, sign-in attempts and server-side sessions."""

from datetime import datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import relationship


class StaffUser(User):
    """FAB's user with the office the member of staff belongs to."""

    __tablename__ = "ab_user"

    office_id = Column(Integer, ForeignKey("office.id"), nullable=True)
    must_change_password = Column(Boolean, nullable=False, default=False)
    locked_until = Column(DateTime, nullable=True)
    password_changed_at = Column(DateTime, nullable=True)
    # Bumped to invalidate every session of the account (logout, disable, reset).
    session_version = Column(Integer, nullable=False, default=1)

    office = relationship("Office")


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
