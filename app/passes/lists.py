"""Lists of passes (交付記録) for the screens: filtered, newest first, paged by
keyset ``(issued_on, id)`` without counting the whole table."""

import datetime
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, tuple_
from sqlalchemy.orm import contains_eager

from app.errors import NotFound
from app.extensions import db
from app.history.models import ChangeLog
from app.passes.models import KINDS, METHODS, Issuance

PAGE_SIZE = 50


@dataclass
class PassFilters:
    """Filters of the pass list; empty values do not filter."""

    fiscal_year: int | None = None
    office_id: int | None = None
    method: str = ""
    kind: str = ""
    issued_from: datetime.date | None = None
    issued_to: datetime.date | None = None
    returned_not_resent: bool = False

    def conditions(self):
        found = []
        if self.fiscal_year:
            found.append(Issuance.fiscal_year == self.fiscal_year)
        if self.office_id:
            found.append(Issuance.office_id == self.office_id)
        if self.method in METHODS:
            found.append(Issuance.method == self.method)
        if self.kind in KINDS:
            found.append(Issuance.kind == self.kind)
        if self.issued_from:
            found.append(Issuance.issued_on >= self.issued_from)
        if self.issued_to:
            found.append(Issuance.issued_on <= self.issued_to)
        if self.returned_not_resent:
            found.append(Issuance.returned_on.is_not(None))
            found.append(Issuance.resent_on.is_(None))
        return found

    def as_log(self, office_code=None):
        found = {}
        for name in ("fiscal_year", "method", "kind"):
            if getattr(self, name):
                found[name] = getattr(self, name)
        if office_code:
            found["office"] = office_code
        for name in ("issued_from", "issued_to"):
            if getattr(self, name):
                found[name] = getattr(self, name).isoformat()
        if self.returned_not_resent:
            found["returned_not_resent"] = True
        return found


@dataclass
class PassPage:
    rows: list = field(default_factory=list)
    has_next: bool = False

    @property
    def last_id(self):
        return self.rows[-1].id if self.rows else None


def list_passes(filters, after_id=None, limit=PAGE_SIZE):
    """One page of passes, newest issue first, with person and office loaded."""
    conditions = filters.conditions()
    if after_id is not None:
        last = db.session.get(Issuance, after_id)
        if last is not None:
            conditions.append(tuple_(Issuance.issued_on, Issuance.id) < (last.issued_on, last.id))
    rows = (
        db.session.execute(
            select(Issuance)
            .join(Issuance.resident)
            .join(Issuance.office)
            .options(contains_eager(Issuance.resident), contains_eager(Issuance.office))
            .where(*conditions)
            .order_by(Issuance.issued_on.desc(), Issuance.id.desc())
            .limit(limit + 1)
        )
        .scalars()
        .all()
    )
    return PassPage(rows=rows[:limit], has_next=len(rows) > limit)


def get(issuance_id):
    """A pass with its person and office.  :raises NotFound:"""
    row = db.session.execute(
        select(Issuance)
        .join(Issuance.resident)
        .join(Issuance.office)
        .options(contains_eager(Issuance.resident), contains_eager(Issuance.office))
        .where(Issuance.id == issuance_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_("No such pass."))
    return row


def history_of(issuance):
    """History rows of one pass, newest first."""
    return (
        db.session.execute(
            select(ChangeLog)
            .where(
                ChangeLog.resident_id == issuance.resident_id,
                ChangeLog.entity == "issuance",
                ChangeLog.entity_id == issuance.id,
            )
            .order_by(ChangeLog.changed_at.desc(), ChangeLog.id.desc())
        )
        .scalars()
        .all()
    )
