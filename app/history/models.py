from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String


class ChangeLog(Model):
    """Previous values of a resident or a pass: who, when, before → after.

    ``changes`` maps a field name to ``[before, after]`` (dates as ISO strings).
    """

    __tablename__ = "change_log"

    id = Column(Integer, primary_key=True)
    entity = Column(String(20), nullable=False)  # "resident" | "issuance"
    entity_id = Column(Integer, nullable=False)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False)
    action = Column(String(30), nullable=False)
    changes = Column(JSON, nullable=False, default=dict)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    source = Column(String(60), nullable=True)  # e.g. "hostlink:12" when no user
    changed_at = Column(DateTime, nullable=False, default=datetime.utcnow)

    __table_args__ = (
        Index("ix_change_log_resident", "resident_id", "changed_at"),
        {"extend_existing": True},
    )
