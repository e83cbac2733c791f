"""Who gets the mass mailing: :func:`select_people`, and its figures.

This is the one place that decides who is sent next year's pass; the preview,
the issue step and the totals all take its answer.
"""

import logging
from collections import Counter
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Row, select

from app import clock
from app.extensions import db
from app.passes.models import STATUS_VALID, Issuance
from app.passes.rows import mailing_destination
from app.residents.models import (
    CATEGORIES,
    CATEGORY_COLUMNS,
    STATUS_EXCLUDED,
    Resident,
    categories_of,
)

log = logging.getLogger(__name__)

SKIP_REASONS = ("already_issued", "excluded", "excluded_after_cutoff", "no_address")

# ``{resident_id, resident_no, categories, destination}``
Person = dict[str, Any]
# ``{resident_no, reason}``
Skipped = dict[str, Any]


def default_cutoff(fiscal_year: int, today: date | None = None) -> date:
    """The cut-off date a run for ``fiscal_year`` is offered: the last day of
    February before the year begins, or today while that is still ahead (a
    cut-off cannot be in the future; see :func:`~.runs.check_request`)."""
    end_of_february = date(fiscal_year, 3, 1) - timedelta(days=1)
    return min(end_of_february, today or clock.today())


def _reason_labels() -> dict[str, str]:
    return {
        "already_issued": _("Already has a pass for the year"),
        "excluded": _("Excluded on or before the cut-off date"),
        "excluded_after_cutoff": _("Excluded after the cut-off date"),
        "no_address": _("No mailing address"),
    }


def reason_label(code: str) -> str:
    """The screen's label of a skip reason (the code itself when unknown)."""
    return _reason_labels().get(code, code)


def _sort_key(person: Person) -> tuple[str, str, str, str]:
    dest = person["destination"]
    return (
        dest["postal_code"] or "",
        dest["address"] or "",
        dest["address2"] or "",
        person["resident_no"],
    )


def _holders(fiscal_year: int) -> list[Row[Any]]:
    """The people with a valid pass in the year before ``fiscal_year``."""
    return list(
        db.session.execute(
            select(
                Resident.id,
                Resident.resident_no,
                Resident.name,
                Resident.postal_code,
                Resident.address,
                Resident.address2,
                Resident.mail_name,
                Resident.mail_postal_code,
                Resident.mail_address,
                Resident.mail_reason,
                Resident.status,
                Resident.excluded_on,
                *(getattr(Resident, column) for column in CATEGORY_COLUMNS.values()),
            )
            .join(Issuance, Issuance.resident_id == Resident.id)
            .where(Issuance.fiscal_year == fiscal_year - 1, Issuance.status == STATUS_VALID)
        ).all()
    )


def _skip_reason(
    row: Row[Any], dest: dict[str, str | None], has_pass: set[int], cutoff: date
) -> str | None:
    """Why ``row`` is not sent a pass, or ``None`` when it is."""
    if row.id in has_pass:
        return "already_issued"
    if row.status == STATUS_EXCLUDED:
        late = row.excluded_on is not None and row.excluded_on > cutoff
        return "excluded_after_cutoff" if late else "excluded"
    if not ((dest["address"] or "").strip() and dest["postal_code"]):
        return "no_address"
    return None


def _person(row: Row[Any], dest: dict[str, str | None]) -> Person:
    return {
        "resident_id": row.id,
        "resident_no": row.resident_no,
        "categories": categories_of(row),
        "destination": dest,
    }


def select_people(fiscal_year: int, cutoff: date) -> tuple[list[Person], list[Skipped]]:
    """Who gets a pass for ``fiscal_year`` in the mass mailing.

    Everyone with a valid pass in the year before who was still active on
    ``cutoff`` and has no pass for ``fiscal_year`` yet.  People excluded since
    the cut-off are not sent a pass (no pass can be issued to them) and are
    counted apart.

    :returns: ``(people, skipped)`` — people in mailing order (postal code),
        each ``{resident_id, resident_no, categories, destination}``;
        ``skipped`` is a list of ``{resident_no, reason}``.
    """
    has_pass = set(
        db.session.execute(
            select(Issuance.resident_id).where(Issuance.fiscal_year == fiscal_year)
        ).scalars()
    )
    people, skipped = [], []
    for row in _holders(fiscal_year):
        dest = mailing_destination(row)
        reason = _skip_reason(row, dest, has_pass, cutoff)
        if reason:
            skipped.append({"resident_no": row.resident_no, "reason": reason})
        else:
            people.append(_person(row, dest))
    people.sort(key=_sort_key)
    skipped.sort(key=lambda s: (s["reason"], s["resident_no"]))
    return people, skipped


def summarize(people: list[Person], skipped: list[Skipped]) -> dict[str, Any]:
    """The figures of a selection: letters, by category, skipped by reason."""
    by_category = Counter(c for p in people for c in p["categories"])
    return {
        "letters": len(people),
        "by_category": {c: by_category.get(c, 0) for c in CATEGORIES},
        "skipped": dict(sorted(Counter(s["reason"] for s in skipped).items())),
    }


def preview(fiscal_year: int, cutoff: date) -> dict[str, Any]:
    """How many people a run would issue to, by category, and who is skipped."""
    people, skipped = select_people(fiscal_year, cutoff)
    return {"fiscal_year": fiscal_year, "cutoff": cutoff, **summarize(people, skipped)}
