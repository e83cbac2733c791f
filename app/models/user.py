from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer
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
