"""The statistics report: its inputs checked, its figures gathered.

:func:`parse_request` turns the as-of date and fiscal year as typed (screen,
API, command line) into a :class:`StatsRequest`, or raises
:class:`~app.errors.DomainError` with a Japanese message; :func:`build_report`
returns the report as the JSON of issue 14 plus the breakdowns the screen
shows (``breakdowns``, ``comparison``).
"""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import g
from flask_babel import gettext as _

from app import clock
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.offices.models import Office
from app.stats import optional, queries
from app.text.wareki import WarekiError, fiscal_year_of, fiscal_year_start, parse_date_input

log = logging.getLogger(__name__)

KIND_KEYS = ("new", "renewal", "reissue_lost", "reissue_damaged")
COMPARED_YEARS = 5


@dataclass(frozen=True)
class StatsRequest:
    """A checked request: the as-of date, the fiscal year, and the office the
    pass figures are limited to (a branch user's own), if any."""

    as_of: datetime.date
    fiscal_year: int
    office_id: int | None = None
    office_code: str | None = None


def _first_day() -> datetime.date | None:
    """:func:`queries.first_day`, read once per request (the check of the
    as-of date and the comparison both need it)."""
    if "stats_first_day" not in g:
        g.stats_first_day = queries.first_day()
    return g.stats_first_day


def _parse_day(text: str | None) -> datetime.date:
    text = (text or "").strip()
    if not text:
        return clock.today()
    try:
        day = parse_date_input(text)
    except WarekiError:
        day = None
    if day is None:
        raise DomainError(
            _("“%(text)s” is not a date. Enter a date such as 2026-03-31 or R8.3.31.")
            % {"text": text[:40]},
            field="as_of",
        )
    return day


def _parse_year(text: str | int | None, as_of: datetime.date) -> int:
    if text is None or str(text).strip() == "":
        return fiscal_year_of(as_of)
    value = str(text).strip()
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise DomainError(
            _("Enter the fiscal year as the Western year it starts in, e.g. 2025."),
            field="fiscal_year",
        )
    return int(value)


def parse_request(as_of: str | None, fiscal_year: str | int | None) -> StatsRequest:
    """Check the as-of date and fiscal year against the data.

    :raises DomainError: not a date, a date before the first data or after
        today, a fiscal year before the first data or after the current one.
    """
    day = _parse_day(as_of)
    year = _parse_year(fiscal_year, day)
    today = clock.today()
    first = _first_day()
    if day > today:
        raise DomainError(
            _("The as-of date %(day)s is in the future; choose today or an earlier day.")
            % {"day": day.isoformat()},
            field="as_of",
        )
    if first is None or day < first:
        raise DomainError(
            _("There is no data on %(day)s: the first data is of %(first)s.")
            % {"day": day.isoformat(), "first": first.isoformat() if first else "-"},
            field="as_of",
        )
    first_year, last_year = fiscal_year_of(first), fiscal_year_of(today)
    if not first_year <= year <= last_year:
        raise DomainError(
            _("There is no fiscal year %(year)s: the data covers %(first)s to %(last)s.")
            % {"year": year, "first": first_year, "last": last_year},
            field="fiscal_year",
        )
    return StatsRequest(as_of=day, fiscal_year=year)


def _office_name(code: str | None) -> str:
    office = db.session.query(Office).filter(Office.code == code).one_or_none() if code else None
    return office.name if office is not None else "-"


def for_office(request: StatsRequest, office_code: str | None) -> StatsRequest:
    """``request`` limited to the office of ``office_code`` (empty: no limit).

    :raises DomainError: an unknown office code.
    """
    if not office_code:
        return request
    office = db.session.query(Office).filter(Office.code == office_code).one_or_none()
    if office is None:
        raise DomainError(_("There is no office “%(code)s”.") % {"code": office_code[:20]})
    return StatsRequest(request.as_of, request.fiscal_year, office.id, office.code)


def limit_to_own_office(request: StatsRequest, user_office_code: str | None) -> StatsRequest:
    """A branch user's request: their own office's figures only.

    :raises PermissionDenied: when another office was asked for.
    """
    if request.office_code and request.office_code != user_office_code:
        raise PermissionDenied(
            _("Branch office accounts can see only their own office's statistics (%(own)s).")
            % {"own": _office_name(user_office_code)}
        )
    return for_office(request, user_office_code)


def _kind_key(kind: str, reason: str | None) -> str:
    return f"reissue_{reason or 'lost'}" if kind == "reissue" else kind


def summarise_groups(groups: list[dict[str, Any]], codes: dict[int, str]) -> dict[str, Any]:
    """The grouped pass rows of :func:`queries.pass_groups` added up per key."""
    by = {name: Counter[str]() for name in ("office", "method", "kind", "month")}
    returned = resent = 0
    for row in groups:
        n = row["n"]
        by["office"][codes.get(row["office_id"], str(row["office_id"]))] += n
        by["method"][row["method"]] += n
        by["kind"][_kind_key(row["kind"], row["reissue_reason"])] += n
        by["month"][queries.month_key(row["day"])] += n
        returned += n * int(row["returned"])
        resent += n * int(row["resent"])
    return {"by": by, "returned": returned, "resent": resent}


def _office_codes() -> dict[int, str]:
    return dict(db.session.query(Office.id, Office.code).all())


BAND_KEYS = (*(queries.band_label(lo, hi) for lo, hi in queries.AGE_BANDS), queries.UNDER_60)


def _passes(request: StatsRequest, codes: dict[int, str]) -> tuple[dict[str, Any], dict]:
    groups = queries.pass_groups(request.fiscal_year, request.as_of, request.office_id)
    summary = summarise_groups(groups, codes)
    bands = queries.holder_bands(request.fiscal_year, request.as_of, request.office_id)
    empty = {"people": 0, "passes": 0, "continuing": 0}
    under = bands.get(queries.UNDER_60, empty)
    by = summary["by"]
    issued = sum(g["n"] for g in groups)
    people = sum(b["people"] for b in bands.values())
    passes = {
        "issued": issued,
        "people": people,
        "aged_60_plus": issued - under["passes"],
        "disability_child": under["passes"],
        "by_office": {code: by["office"][code] for code in sorted(by["office"])},
        "by_method": {m: by["method"][m] for m in ("counter", "mail")},
        "by_kind": {k: by["kind"][k] for k in KIND_KEYS},
        "by_month": {m: by["month"][m] for m in sorted(by["month"])},
    }
    extra = {
        "holders": {
            "people": people,
            "aged_60_plus": people - under["people"],
            "disability_child": under["people"],
        },
        "by_age_band": {key: bands.get(key, empty)["passes"] for key in BAND_KEYS},
        "continuing": sum(b["continuing"] for b in bands.values()),
        "returns": {"returned": summary["returned"], "resent": summary["resent"]},
    }
    return passes, extra


def same_day_of(day: datetime.date, years_back: int) -> datetime.date:
    """``day`` ``years_back`` years earlier (29 February → 28th)."""
    try:
        return day.replace(year=day.year - years_back)
    except ValueError:
        return day.replace(year=day.year - years_back, day=28)


def comparison(request: StatsRequest, current_months: dict[str, int]) -> list[dict[str, Any]]:
    """Passes issued by the same as-of date of earlier fiscal years that have
    data, oldest first, with their months (the migrated ledger's passes count
    as any other).

    :param current_months: the requested year's passes by month (from
        :func:`_passes`: the same passes, already grouped), so that only the
        earlier years are counted.
    """
    first = _first_day()
    if first is None:
        return []
    pairs = []
    for back in range(COMPARED_YEARS - 1, -1, -1):
        day = same_day_of(request.as_of, back)
        if day >= first or back == 0:
            pairs.append((request.fiscal_year - back, day))
    # the last pair is the requested year's (back == 0 is always kept)
    months = queries.monthly_by_year(pairs[:-1], request.office_id)
    months[request.fiscal_year] = dict(current_months)
    return [
        {
            "fiscal_year": year,
            "as_of": day.isoformat(),
            "issued": sum(months[year].values()),
            "by_month": dict(sorted(months[year].items())),
        }
        for year, day in pairs
    ]


def _how_came(request: StatsRequest, people: int, continuing: int) -> dict[str, int]:
    found = {"continuing": continuing}
    newly = optional.newly_eligible_holders(request.fiscal_year, request.as_of, request.office_id)
    if newly is not None:
        found.update(newly)
    accounted = sum(found.values())
    found["other_new"] = max(people - accounted, 0)
    return found


def build_report(request: StatsRequest) -> dict[str, Any]:
    """The report: the issue's JSON (``as_of`` … ``returns``) plus
    ``breakdowns`` and ``comparison`` for the screen, PDF and workbook."""
    queries.without_jit()
    codes = _office_codes()
    passes, extra = _passes(request, codes)
    start = fiscal_year_start(request.fiscal_year)
    breakdowns = {
        "by_age_band": extra["by_age_band"],
        "holders": extra["holders"],
        "how_came": _how_came(request, passes["people"], extra["continuing"]),
        "exclusions": queries.exclusions_by_reason(start, request.as_of),
        "mail_stops": optional.mail_stops_by_reason(request.as_of),
    }
    return {
        "as_of": request.as_of.isoformat(),
        "fiscal_year": request.fiscal_year,
        "office": request.office_code,
        "eligible": queries.eligible_counts(request.as_of),
        "passes": passes,
        "returns": extra["returns"],
        "breakdowns": breakdowns,
        "comparison": comparison(request, passes["by_month"]),
    }


JSON_KEYS = ("as_of", "fiscal_year", "eligible", "passes", "returns")


def report_json(report: dict[str, Any]) -> dict[str, Any]:
    """The issue's JSON object: only its keys, in its order."""
    return {key: report[key] for key in JSON_KEYS}
