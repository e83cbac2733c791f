"""Figures for the home page."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.offices.models import Office
from app.passes.models import Issuance


def today_summary(user, day=None):
    """Today's issues at the user's office: counts by kind and method, latest rows.

    :returns: dict with ``office``, ``day``, ``total``, ``by_kind``, ``by_method``,
        ``latest`` (up to 20 issuances).
    """
    day = day or clock.today()
    start = datetime.combine(day, time.min)
    end = start + timedelta(days=1)
    office = db.session.get(Office, user.office_id) if getattr(user, "office_id", None) else None
    base = [Issuance.created_at >= start, Issuance.created_at < end]
    if office is not None:
        base.append(Issuance.office_id == office.id)
    counts = db.session.execute(
        select(Issuance.kind, Issuance.method, func.count())
        .where(*base)
        .group_by(Issuance.kind, Issuance.method)
    ).all()
    by_kind, by_method = {}, {}
    for kind, method, n in counts:
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_method[method] = by_method.get(method, 0) + n
    latest = (
        db.session.execute(
            select(Issuance)
            .options(joinedload(Issuance.resident))
            .where(*base)
            .order_by(Issuance.created_at.desc())
            .limit(20)
        )
        .scalars()
        .all()
    )
    return {
        "office": office,
        "day": day,
        "total": sum(by_kind.values()),
        "by_kind": by_kind,
        "by_method": by_method,
        "latest": latest,
    }
