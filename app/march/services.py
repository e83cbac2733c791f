"""Recording a pass for the next fiscal year (a March application, 順次発送).

The rules of the window and of one pass per year come first (a
:class:`~app.errors.DomainError` in Japanese, nothing written); then the
number of the 順次発送 series and the pass are written in ONE transaction by
the one issue service, :func:`app.passes.issuance.issue_pass`.
"""

import logging
from datetime import date
from typing import Any

from flask_babel import gettext as _

from app.db.transaction import transaction
from app.errors import DomainError
from app.march.numbers import allocate_march_number
from app.march.window import check_next_year
from app.passes.issuance import issue_pass
from app.passes.queries import valid_pass
from app.passes.rules import check_dates
from app.text.wareki import fiscal_year_of, format_fiscal_year

log = logging.getLogger(__name__)

__all__ = ["PASS_YEARS", "issue_next_year", "next_fiscal_year"]

# The issue form's choice of year inside the window (app.residents.forms).
PASS_YEARS = ("current", "next")


def next_fiscal_year(day: date) -> int:
    """The fiscal year after ``day``'s."""
    return fiscal_year_of(day) + 1


def _check_rules(resident: Any, kind: str, fiscal_year: int) -> None:
    if kind == "reissue":
        raise DomainError(
            _(
                "A pass for the next fiscal year cannot be reissued before the year begins; "
                "record the reissue from 1 April."
            ),
            field="kind",
        )
    current = valid_pass(resident.id, fiscal_year)
    if current is not None:
        raise DomainError(
            _(
                "This person already has a pass for %(year)s (No. %(no)s); "
                "a second pass for that year cannot be issued."
            )
            % {"year": format_fiscal_year(fiscal_year), "no": current.control_no},
            field="pass_year",
        )


def issue_next_year(
    resident: Any, *, kind: str, applied_on: date, issued_on: date, **options: Any
) -> Any:
    """Record a March application: a pass of the year after ``issued_on``'s.

    Numbered in the 順次発送 series (:mod:`app.march.numbers`); a pass sent by
    mail goes out in the next daily batch (:mod:`app.march.batches`), one
    handed over at the counter is given at once.

    :param options: the other arguments of
        :func:`~app.passes.issuance.issue_pass` (office, method, user, note…).
    :returns: the new pass.
    :raises DomainError: outside the window (:func:`~app.march.window.check_next_year`),
        for a reissue, when the person already has a pass for that year, or
        when a rule of :func:`~app.passes.issuance.issue_pass` refuses;
        nothing is saved.
    """
    check_dates(applied_on, issued_on)
    window = check_next_year(applied_on, issued_on)
    _check_rules(resident, kind, window.fiscal_year)
    with transaction():
        number = allocate_march_number(window.fiscal_year)
        issuance = issue_pass(
            resident,
            kind=kind,
            applied_on=applied_on,
            issued_on=issued_on,
            fiscal_year=window.fiscal_year,
            control_no=number,
            **options,
        )
    log.info("March application: pass %s-%s", window.fiscal_year, number)
    return issuance
