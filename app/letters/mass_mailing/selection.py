"""Who gets the mass mailing: :func:`select_people`, and its figures.

This is the one place that decides who is sent next year's pass; the preview,
the issue step and the totals all take its answer.
"""

import logging
from collections import Counter
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Row, exists, select

from app import clock
from app.extensions import db
from app.passes.models import Issuance
from app.passes.rows import mailing_destination
from app.residents.models import (
    CATEGORIES,
    CATEGORY_COLUMNS,
    STATUS_EXCLUDED,
    Resident,
    categories_of,
)

log = logging.getLogger(__name__)

SKIP_REASONS = (
    "already_issued",
    "excluded",
    "excluded_after_cutoff",
    "mail_stopped",
    "returned_unresolved",
    "no_address",
)

# ``{resident_id, resident_no, categories, destination}``
Person = dict[str, Any]
# ``{resident_no, name, reason, reasons}``: ``reason`` the first of ``reasons``
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
        "mail_stopped": _("Mailing stopped"),
        "returned_unresolved": _("Returned mail not resolved"),
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


def _since_fiscal_year() -> int:
    return int(current_app.config.get("MASS_MAILING_SINCE_FY", 2014))


def _candidates(fiscal_year: int) -> list[Row[Any]]:
    """The people who have had a pass in any fiscal year from
    ``MASS_MAILING_SINCE_FY`` up to the year before ``fiscal_year``
    (平成26年度以降の入浴証申請者), whatever became of that pass."""
    had_pass = exists().where(
        Issuance.resident_id == Resident.id,
        Issuance.fiscal_year >= _since_fiscal_year(),
        Issuance.fiscal_year < fiscal_year,
    )
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
                Resident.mail_kind,
                Resident.mail_contact,
                Resident.status,
                Resident.excluded_on,
                *(getattr(Resident, column) for column in CATEGORY_COLUMNS.values()),
            ).where(had_pass)
        ).all()
    )


class _Facts:
    """What the selection knows besides each person's row: who has a pass
    for the year, who is 送付停止, whose last letter came back (few rows each)."""

    def __init__(self, fiscal_year: int, cutoff: date) -> None:
        from app.mailing import returned, stops

        self.cutoff = cutoff
        self.has_pass = set(
            db.session.execute(
                select(Issuance.resident_id).where(Issuance.fiscal_year == fiscal_year)
            ).scalars()
        )
        self.stopped = set(db.session.execute(stops.active_stop_ids()).scalars())
        self.open_returns = returned.open_returns()
        self._is_unresolved = returned.is_unresolved

    def reasons(self, row: Row[Any], dest: dict[str, str | None]) -> list[str]:
        """Every reason ``row`` is not sent a pass (none when it is)."""
        if row.id in self.has_pass:
            return ["already_issued"]
        found = []
        if row.status == STATUS_EXCLUDED:
            late = row.excluded_on is not None and row.excluded_on > self.cutoff
            found.append("excluded_after_cutoff" if late else "excluded")
        if row.id in self.stopped:
            found.append("mail_stopped")
        if self._is_unresolved(self.open_returns.get(row.id), dest):
            found.append("returned_unresolved")
        if not ((dest["address"] or "").strip() and dest["postal_code"]):
            found.append("no_address")
        return found


def _person(row: Row[Any], dest: dict[str, str | None]) -> Person:
    return {
        "resident_id": row.id,
        "resident_no": row.resident_no,
        "categories": categories_of(row),
        "destination": dest,
    }


def select_people(fiscal_year: int, cutoff: date) -> tuple[list[Person], list[Skipped]]:
    """Who gets a pass for ``fiscal_year`` in the mass mailing.

    Everyone who has had a pass in a fiscal year since
    ``MASS_MAILING_SINCE_FY``, was still active on ``cutoff``, has no pass
    for ``fiscal_year`` yet, is not 送付停止 and whose last letter did not come
    back unresolved (:mod:`app.mailing.returned`).  People excluded since the
    cut-off are not sent a pass (no pass can be issued to them) and are
    counted apart.

    :returns: ``(people, skipped)`` — people in mailing order (postal code),
        each ``{resident_id, resident_no, categories, destination}``;
        ``skipped`` is a list of ``{resident_no, name, reason, reasons}``
        (every reason that applies, the first as ``reason``).
    """
    facts = _Facts(fiscal_year, cutoff)
    people, skipped = [], []
    for row in _candidates(fiscal_year):
        dest = mailing_destination(row)
        reasons = facts.reasons(row, dest)
        if reasons:
            skipped.append({"resident_no": row.resident_no, "name": row.name,
                            "reason": reasons[0], "reasons": reasons})  # fmt: skip
        else:
            people.append(_person(row, dest))
    people.sort(key=_sort_key)
    skipped.sort(key=lambda s: (SKIP_REASONS.index(s["reason"]), s["resident_no"]))
    return people, skipped


def summarize(people: list[Person], skipped: list[Skipped]) -> dict[str, Any]:
    """The figures of a selection: letters, by category (overlapping: a person
    may be in several), the people not mailed and, per reason, how many of
    them it applies to (overlapping too)."""
    by_category = Counter(c for p in people for c in p["categories"])
    by_reason = Counter(r for s in skipped for r in s.get("reasons") or [s["reason"]])
    return {
        "letters": len(people),
        "by_category": {c: by_category.get(c, 0) for c in CATEGORIES},
        "not_mailed": len(skipped),
        "skipped": {r: by_reason.get(r, 0) for r in SKIP_REASONS},
    }


def preview(fiscal_year: int, cutoff: date) -> dict[str, Any]:
    """How many people a run would issue to, by category, and who is skipped
    (``skipped_people``, by name and reason)."""
    people, skipped = select_people(fiscal_year, cutoff)
    return {
        "fiscal_year": fiscal_year,
        "cutoff": cutoff,
        **summarize(people, skipped),
        "skipped_people": skipped,
    }
