"""What the pass rules and screens read: a person's valid pass, lost-pass
reissues of a year, the pass a submitted form recorded (a double submission)."""

from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.passes.models import STATUS_VALID, Issuance

__all__ = ["by_submission_token", "lost_reissues", "valid_pass"]


def valid_pass(resident_id: int, fiscal_year: int) -> Any:
    """The person's valid pass of ``fiscal_year`` (an :class:`Issuance`), or None."""
    return db.session.execute(
        select(Issuance).where(
            Issuance.resident_id == resident_id,
            Issuance.fiscal_year == fiscal_year,
            Issuance.status == STATUS_VALID,
        )
    ).scalar_one_or_none()


def lost_reissues(resident_id: int, fiscal_year: int) -> int:
    """How many times the person's pass of ``fiscal_year`` was reissued as lost."""
    count: int = db.session.execute(
        select(func.count(Issuance.id)).where(
            Issuance.resident_id == resident_id,
            Issuance.fiscal_year == fiscal_year,
            Issuance.kind == "reissue",
            Issuance.reissue_reason == "lost",
        )
    ).scalar_one()
    return count


def by_submission_token(token: str) -> Any:
    """The pass recorded by the form that carried ``token`` (an
    :class:`Issuance`), or None: a resubmission of that form finds it."""
    return db.session.execute(
        select(Issuance).where(Issuance.submission_token == token)
    ).scalar_one_or_none()
