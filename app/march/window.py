"""When a pass for the next fiscal year may be applied for: after the mass
mailing's cut-off and up to the last day of the fiscal year (31 March)."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.errors import DomainError
from app.extensions import db
from app.letters import mass_mailing
from app.letters.models import RUN_QUEUED, RUN_RUNNING, MassMailingRun
from app.text.wareki import fiscal_year_end, fiscal_year_of, format_fiscal_year, format_wareki

log = logging.getLogger(__name__)

__all__ = ["Window", "check_next_year", "cutoff_for", "upcoming", "window_for", "window_on"]


@dataclass(frozen=True)
class Window:
    """The days on which a pass of ``fiscal_year`` may be applied for before
    that year begins: after ``cutoff``, up to ``end`` (31 March)."""

    fiscal_year: int
    cutoff: date
    end: date

    @property
    def start(self) -> date:
        return self.cutoff + timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.cutoff < day <= self.end


def cutoff_for(fiscal_year: int) -> date:
    """The cut-off of the mass mailing of ``fiscal_year``: that of its latest
    run that has issued its passes or is under way, else the end of February
    (the default cut-off of a run)."""
    run_cutoff = db.session.execute(
        select(MassMailingRun.cutoff_date)
        .where(
            MassMailingRun.fiscal_year == fiscal_year,
            or_(
                MassMailingRun.issued_at.is_not(None),
                MassMailingRun.status.in_((RUN_QUEUED, RUN_RUNNING)),
            ),
        )
        .order_by(MassMailingRun.id.desc())
        .limit(1)
    ).scalar()
    if run_cutoff is not None:
        return run_cutoff
    # The default of a run asked for on the last day of the window: February's end.
    return mass_mailing.default_cutoff(fiscal_year, today=fiscal_year_end(fiscal_year - 1))


def window_for(fiscal_year: int) -> Window:
    """The application window of next-year passes of ``fiscal_year``."""
    return Window(fiscal_year, cutoff_for(fiscal_year), fiscal_year_end(fiscal_year - 1))


def upcoming(day: date) -> Window:
    """The window of passes of the year after ``day``'s (open on ``day`` or not)."""
    return window_for(fiscal_year_of(day) + 1)


def window_on(day: date) -> Window | None:
    """The window open on ``day`` (for the year after ``day``'s), or None."""
    window = upcoming(day)
    return window if window.contains(day) else None


def check_next_year(applied_on: date, issued_on: date) -> Window:
    """A pass of the year after ``issued_on``'s may be recorded only for an
    application made inside that year's window.

    :returns: the window.
    :raises DomainError: outside it (an application before the cut-off is
        the mass mailing's; from 1 April the new year's pass is an ordinary one).
    """
    window = window_for(fiscal_year_of(issued_on) + 1)
    if not (window.contains(applied_on) and window.contains(issued_on)):
        raise DomainError(
            _(
                "A pass for the next fiscal year (%(year)s) can be applied for only from "
                "%(start)s to %(end)s, after the mass mailing's cut-off date (%(cutoff)s). "
                "Record this application as a pass of this fiscal year."
            )
            % {
                "year": format_fiscal_year(window.fiscal_year),
                "start": format_wareki(window.start),
                "end": format_wareki(window.end),
                "cutoff": format_wareki(window.cutoff),
            },
            field="pass_year",
        )
    return window
