"""Reads for the screens and the statistics: the newly eligible people of a
period, their counts by reason."""

from sqlalchemy import func, select

from app.extensions import db
from app.notices.models import REASONS, NewlyEligible
from app.residents.models import Resident


def _period(query, start, end):
    if start is not None:
        query = query.where(NewlyEligible.detected_on >= start)
    if end is not None:
        query = query.where(NewlyEligible.detected_on <= end)
    return query


def counts_by_reason(start=None, end=None):
    """How many people became 事業対象者 with the extracts whose 基準日 is from
    ``start`` to ``end`` (inclusive; ``None`` leaves that end open), by reason.

    A person reinstated twice in the period counts twice (two events).

    :returns: ``{reason: count}`` with every reason of
        :data:`~app.notices.models.REASONS`, in that order.
    """
    query = _period(
        select(NewlyEligible.reason, func.count(NewlyEligible.id)).group_by(NewlyEligible.reason),
        start,
        end,
    )
    found = dict(db.session.execute(query).tuples().all())
    return {reason: int(found.get(reason, 0)) for reason in REASONS}


def newly_eligible(start=None, end=None, import_run_id=None, limit=500):
    """``(NewlyEligible, Resident)`` rows of a period or an import run, newest first."""
    query = select(NewlyEligible, Resident).join(Resident, Resident.id == NewlyEligible.resident_id)
    if import_run_id is not None:
        query = query.where(NewlyEligible.import_run_id == import_run_id)
    query = _period(query, start, end).order_by(
        NewlyEligible.detected_on.desc(), Resident.kana_key, NewlyEligible.id
    )
    return list(db.session.execute(query.limit(limit)).tuples().all())
