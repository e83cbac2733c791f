"""Tables of 送付停止 (stop mailing) and of returned mail cleared by a clerk."""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import relationship

from app.passes.models import STATUS_HANDED_BACK as _STATUS_HANDED_BACK

# 辞退 (本人申出), 返還 (pass handed back at a window), 返戻 (mail returned),
# 施設入所, その他 (with a note).
STOP_REASONS = ("declined", "returned_pass", "returned_mail", "facility", "other")
# The status of a pass handed back at a window (返還), declared with the other
# pass statuses: no longer the person's valid pass of its year, so the
# one-valid-pass index leaves it out.
STATUS_HANDED_BACK = _STATUS_HANDED_BACK

ACTIVE = "lifted_at IS NULL"


class MailStop(Model):
    """送付停止: from ``since`` on, the person is sent no mass-mailing letter.

    Never deleted: lifting it (再開) fills the ``lifted_*`` columns, and a
    person's stops stay as their history.  At most one is active (not lifted)
    per person, enforced by a partial unique index.
    """

    __tablename__ = "mail_stop"

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False, index=True)
    reason = Column(String(20), nullable=False)
    note = Column(Text, nullable=True)
    since = Column(Date, nullable=False)
    # The pass handed back at a window when the reason is ``returned_pass``.
    issuance_id = Column(Integer, ForeignKey("issuance.id"), nullable=True)
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    recorded_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    lifted_on = Column(Date, nullable=True)
    lift_reason = Column(Text, nullable=True)
    lifted_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    lifted_at = Column(DateTime, nullable=True)

    resident = relationship("Resident", foreign_keys=[resident_id])
    recorded_by = relationship("StaffUser", foreign_keys=[recorded_by_id])
    lifted_by = relationship("StaffUser", foreign_keys=[lifted_by_id])

    __table_args__ = (
        Index(
            "uq_mail_stop_active",
            "resident_id",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
    )

    @property
    def is_active(self):
        return self.lifted_at is None


class ReturnClearance(Model):
    """A clerk's decision that a returned letter no longer keeps the person
    out of the mass mailing (返戻未解決の解除), with the reason.

    It counts for a return recorded on or before ``cleared_on``; a later
    return of the same pass (after it was sent again) needs a new one.
    """

    __tablename__ = "return_clearance"

    id = Column(Integer, primary_key=True)
    issuance_id = Column(Integer, ForeignKey("issuance.id"), nullable=False, index=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False)
    reason = Column(Text, nullable=False)
    cleared_on = Column(Date, nullable=False)
    cleared_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    cleared_at = Column(DateTime, nullable=False, default=datetime.utcnow)
