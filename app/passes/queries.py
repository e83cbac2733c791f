"""What the pass rules and screens read: a person's valid pass, lost-pass
reissues of a year, a pass just recorded (a double submission)."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.passes.models import STATUS_VALID, Issuance

__all__ = ["lost_reissues", "recent_duplicate", "valid_pass"]


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


def recent_duplicate(
    resident_id: int,
    user_id: int,
    kind: str,
    supersedes: str | None,
    since: datetime,
) -> Any:
    """The pass of ``kind`` this user recorded for the person since ``since``,
    if a refused submission repeats it (a double click, or the browser's
    back-and-resend); None otherwise.

    :param supersedes: the id (as typed in the form) of the pass a reissue
        replaces: a reissue of the newest pass itself is no repetition.
    """
    # Untyped declarative Column: mypy reads ``column >= datetime`` as a bool.
    created_at: Any = Issuance.created_at
    recent = db.session.execute(
        select(Issuance)
        .where(
            Issuance.resident_id == resident_id,
            Issuance.created_by_id == user_id,
            created_at >= since,
            Issuance.kind == kind,
        )
        .order_by(Issuance.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if recent is None:
        return None
    if kind == "reissue" and supersedes and str(recent.id) == supersedes:
        return None
    return recent
