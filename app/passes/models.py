from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import relationship

KINDS = ("new", "renewal", "reissue")  # 新規, 更新, 再交付
REISSUE_REASONS = ("lost", "damaged")  # 紛失, 汚損
METHODS = ("counter", "mail")  # 窓口, 郵送
STATUS_VALID = "valid"
STATUS_SUPERSEDED = "superseded"
# 返還: handed back at a window (app.mailing.stops.hand_back); like a superseded
# pass it is no longer the person's valid pass of its year.
STATUS_HANDED_BACK = "handed_back"


class Issuance(Model):
    """交付記録: one pass issued to a resident for one fiscal year."""

    __tablename__ = "issuance"

    id = Column(Integer, primary_key=True)
    # indexed with issued_on by ix_issuance_resident_issued (app/passes/indexes.py)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False)
    fiscal_year = Column(Integer, nullable=False)
    control_no = Column(Integer, nullable=False)
    kind = Column(String(10), nullable=False)
    reissue_reason = Column(String(10), nullable=True)
    applied_on = Column(Date, nullable=False)
    # indexed with the id by ix_issuance_issued_id (app/passes/indexes.py)
    issued_on = Column(Date, nullable=False)
    office_id = Column(Integer, ForeignKey("office.id"), nullable=False)
    method = Column(String(10), nullable=False)
    status = Column(String(12), nullable=False, default=STATUS_VALID)
    superseded_by_id = Column(Integer, ForeignKey("issuance.id"), nullable=True)
    returned_on = Column(Date, nullable=True)
    resent_on = Column(Date, nullable=True)
    # Where a mailed pass was sent, frozen at issue time (送付先 or residence).
    mail_to_name = Column(String(100), nullable=True)
    mail_to_postal_code = Column(String(7), nullable=True)
    mail_to_address = Column(String(200), nullable=True)
    mail_to_address2 = Column(String(120), nullable=True)
    mail_to_care_of = Column(String(100), nullable=True)
    # The kind of that 送付先 (app.applications.destinations.KINDS) and a
    # facility's 担当; NULL on passes frozen before kinds existed.
    mail_to_kind = Column(String(20), nullable=True)
    mail_to_contact = Column(String(100), nullable=True)
    # Who applied (app.applications.applicants): self / proxy; NULL = not
    # recorded (passes from before, and passes nobody applied for at a window).
    applicant = Column(String(10), nullable=True)
    proxy_name = Column(String(100), nullable=True)
    proxy_relation = Column(String(20), nullable=True)
    proxy_authority = Column(String(20), nullable=True)
    id_checked = Column(String(20), nullable=True)
    note = Column(Text, nullable=True)
    override_reason = Column(Text, nullable=True)
    # The random id of the rendered form that recorded the pass (counter and
    # mail issues on the screen): a resubmission of the same form finds it.
    submission_token = Column(String(43), nullable=True)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    version = Column(Integer, nullable=False, default=1)

    resident = relationship("Resident", backref="issuances", foreign_keys=[resident_id])
    office = relationship("Office")
    created_by = relationship("StaffUser", foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("fiscal_year", "control_no", name="uq_issuance_fy_control_no"),
        # One valid pass per person per fiscal year, enforced by the database too.
        Index(
            "uq_issuance_one_valid_per_year",
            "resident_id",
            "fiscal_year",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
        Index("ix_issuance_fy_office", "fiscal_year", "office_id"),
        # One pass per submitted form (a double click or a browser's resend
        # cannot record the same form twice); bulk-made passes have none.
        Index(
            "uq_issuance_submission_token",
            "submission_token",
            unique=True,
            sqlite_where=text("submission_token IS NOT NULL"),
            postgresql_where=text("submission_token IS NOT NULL"),
        ),
        {"extend_existing": True},
    )

    def __repr__(self):
        return f"{self.fiscal_year}-{self.control_no}"


class ControlNumberCounter(Model):
    """The last 整理番号 handed out per fiscal year; numbers are never reused."""

    __tablename__ = "control_number_counter"

    fiscal_year = Column(Integer, primary_key=True, autoincrement=False)
    last_no = Column(Integer, nullable=False, default=0)
