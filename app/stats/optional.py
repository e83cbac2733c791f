"""Figures from features that may not be installed: the newly-eligible
records (``app.notices``) and the mailing stops (``app.mailing``).

Each function returns ``None`` when its feature's model is not there, so the
report leaves that table out instead of failing.
"""

import datetime
import importlib
import logging
from typing import Any

from sqlalchemy import func, or_, select

from app.extensions import db
from app.passes.models import STATUS_VALID, Issuance
from app.stats import queries

log = logging.getLogger(__name__)


def _model(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def newly_eligible_holders(
    fiscal_year: int, day: datetime.date, office_id: int | None = None
) -> dict[str, int] | None:
    """Holders of a counted pass who did not hold one the year before, by the
    reason of their newest newly-eligible record detected by ``day``
    (``turned_60``, ``moved_in``, ``category_gained``, ``other``); ``None``
    without the newly-eligible records."""
    model = _model("app.notices.models", "NewlyEligible")
    if model is None:
        return None
    # as in queries.holder_bands: the holders of a valid pass the year before
    before = select(Issuance.resident_id).where(
        Issuance.fiscal_year == fiscal_year - 1, Issuance.status == STATUS_VALID
    )
    holders = (
        select(Issuance.resident_id)
        .where(
            *queries.pass_conditions(fiscal_year, day, office_id),
            Issuance.resident_id.not_in(before),
        )
        .distinct()
        .subquery()
    )
    newest = (
        select(model.resident_id, func.max(model.id).label("id"))
        .where(model.detected_on <= day)
        .group_by(model.resident_id)
        .subquery()
    )
    rows = db.session.execute(
        select(model.reason, func.count())
        .join(newest, newest.c.id == model.id)
        .join(holders, holders.c.resident_id == model.resident_id)
        .group_by(model.reason)
    ).all()
    found = {str(reason): int(n) for reason, n in rows}
    order = getattr(importlib.import_module("app.notices.models"), "REASONS", tuple(found))
    return {reason: found.get(reason, 0) for reason in order} | found


def mail_stops_by_reason(day: datetime.date) -> dict[str, int] | None:
    """送付停止 in force on ``day`` (begun by then, not lifted by then), by
    reason; ``None`` without the mailing-stop feature."""
    model = _model("app.mailing.models", "MailStop")
    if model is None:
        return None
    rows = db.session.execute(
        select(model.reason, func.count())
        .where(model.since <= day, or_(model.lifted_on.is_(None), model.lifted_on > day))
        .group_by(model.reason)
    ).all()
    found = {str(reason): int(n) for reason, n in rows}
    order = getattr(importlib.import_module("app.mailing.models"), "STOP_REASONS", tuple(found))
    return {reason: found.get(reason, 0) for reason in order} | found
