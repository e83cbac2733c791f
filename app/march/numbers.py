"""The 順次発送 series of 整理番号: next-year passes of the March window are
numbered from ``MARCH_CONTROL_NO_START`` on, after the mass mailing's block.

The mass mailing takes its block from the year's own counter
(:func:`app.passes.numbers.allocate_control_numbers`) whenever it runs, so a
next-year pass recorded before it (from the day after the cut-off) must not
take a number from that counter: it would sit before or inside the block.  The
series has its own counter (:class:`~app.march.models.MarchNumberCounter`) and
starts far above any year's block (900001 by default; a ward issues some tens
of thousands of passes a year), so both can be handed out in any order.
"""

import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.march.models import MarchNumberCounter
from app.passes.models import ControlNumberCounter
from app.passes.numbers import allocate_control_numbers

log = logging.getLogger(__name__)

__all__ = ["allocate_march_number", "series_start"]


def series_start() -> int:
    """The first 整理番号 of the series (``MARCH_CONTROL_NO_START``)."""
    return int(current_app.config["MARCH_CONTROL_NO_START"])


def allocate_march_number(fiscal_year: int) -> int:
    """The next 順次発送 number of ``fiscal_year``, in the caller's transaction.

    :raises DomainError: when the year's own counter has reached the series
        (``MARCH_CONTROL_NO_START`` is set too low for this ward).
    """
    start = series_start()
    used = db.session.execute(
        select(ControlNumberCounter.last_no).where(ControlNumberCounter.fiscal_year == fiscal_year)
    ).scalar()
    if used is not None and used >= start:
        raise DomainError(
            _(
                "The control numbers of the year have reached the series of March "
                "applications (%(start)s). Ask the system administrator to set "
                "MARCH_CONTROL_NO_START higher."
            )
            % {"start": start}
        )
    serial = allocate_control_numbers(fiscal_year, 1, counter=MarchNumberCounter.__table__)[0]
    return start - 1 + serial
