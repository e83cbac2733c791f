"""The SQL aggregates behind the statistics: each function is one statement
(or one per earlier year), grouped in the database; Python only adds up the
few grouped rows that come back.

Who counts as 事業対象者 on a date ``D`` (:func:`eligible_condition`): a
person known by ``D`` — their record was created on or before ``D``, or they
held a pass issued on or before ``D`` (people of the migrated ledger and of
earlier extracts) — and not excluded on or before ``D`` (a person excluded
after ``D`` still counts on ``D``).

Ages are by Japanese law (:func:`app.text.wareki.age_on`): a person is 60 on
``D`` when born on or before :func:`born_by` ``(D, 60)``.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, literal_column, or_, select, text
from sqlalchemy.orm import aliased

from app.extensions import db
from app.passes.models import STATUS_VALID, Issuance
from app.residents.models import STATUS_EXCLUDED, Resident

# Pass statuses that are not counted as issued.  Every status of the
# application counts: ``valid``, ``superseded`` (replaced by a reissue) and
# ``handed_back`` (返還, app.mailing) were all issued.  A future ``cancelled``
# status would go here.
NOT_ISSUED_STATUSES: tuple[str, ...] = ()
AGE_BANDS = ((60, 64), (65, 69), (70, 74), (75, 79), (80, 84), (85, 89), (90, None))
UNDER_60 = "under_60"


def without_jit() -> None:
    """On PostgreSQL, no JIT compilation for the rest of this transaction: the
    report's grouped statements are estimated above ``jit_above_cost`` and
    spent ~50 ms compiling what takes ~150 ms to run (SET LOCAL ends with
    the transaction; nothing on SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def born_by(day: datetime.date, age: int) -> datetime.date:
    """The latest birth date of a person who is ``age`` or older at the end of
    ``day`` (the day after ``day``, ``age`` years back; 29 February → 28th)."""
    next_day = day + datetime.timedelta(days=1)
    try:
        return next_day.replace(year=next_day.year - age)
    except ValueError:  # 29 February in a common year
        return next_day.replace(year=next_day.year - age, day=28)


def band_label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


def _age_band(birth_date: Any, day: datetime.date) -> Any:
    """A CASE giving the age band label of ``birth_date`` on ``day``."""
    whens = [
        (birth_date <= born_by(day, low), band_label(low, high))
        for low, high in reversed(AGE_BANDS)
    ]
    return case(*whens, else_=UNDER_60)


def counted() -> list[Any]:
    """The status condition of a counted pass (none while every status counts:
    the (fiscal_year, issued_on) index then answers the counts alone)."""
    return [Issuance.status.not_in(NOT_ISSUED_STATUSES)] if NOT_ISSUED_STATUSES else []


def _flag(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def eligible_condition(day: datetime.date) -> Any:
    """The WHERE clause of the people eligible on ``day``."""
    known = or_(
        Resident.created_at < datetime.datetime.combine(day, datetime.time()) + _ONE_DAY,
        exists().where(Issuance.resident_id == Resident.id, Issuance.issued_on <= day),
    )
    excluded = and_(
        Resident.status == STATUS_EXCLUDED,
        or_(Resident.excluded_on.is_(None), Resident.excluded_on <= day),
    )
    return and_(known, ~excluded)


_ONE_DAY = datetime.timedelta(days=1)


def eligible_counts(day: datetime.date) -> dict[str, int]:
    """事業対象者 on ``day``: total, 60 or more, under 60, and each category."""
    cut = born_by(day, 60)
    row = db.session.execute(
        select(
            func.count(),
            _flag(Resident.birth_date <= cut),
            _flag(Resident.is_elderly.is_(True)),
            _flag(Resident.is_disabled.is_(True)),
            _flag(Resident.is_child_allowance.is_(True)),
        ).where(eligible_condition(day))
    ).one()
    total, aged, elderly, disabled, child = (int(v or 0) for v in row)
    return {
        "total": total,
        "aged_60_plus": aged,
        "disability_child": total - aged,
        "categories": {"elderly": elderly, "disabled": disabled, "child_allowance": child},
    }


def pass_conditions(
    fiscal_year: int, day: datetime.date, office_id: int | None = None
) -> list[Any]:
    """Passes of ``fiscal_year`` issued on or before ``day`` that count as issued."""
    found = [Issuance.fiscal_year == fiscal_year, Issuance.issued_on <= day]
    found.extend(counted())
    if office_id is not None:
        found.append(Issuance.office_id == office_id)
    return found


PASS_GROUP_KEYS = ("office_id", "method", "kind", "reissue_reason", "day", "returned", "resent")


def pass_groups(
    fiscal_year: int, day: datetime.date, office_id: int | None = None
) -> list[dict[str, Any]]:
    """The counted passes grouped by office, method, kind, day of issue and
    whether returned / resent by ``day``: one statement over the pass table
    alone, a few thousand rows at most (grouping by the date itself is
    cheaper than computing each pass's month; the caller adds the days up)."""
    columns = (
        Issuance.office_id,
        Issuance.method,
        Issuance.kind,
        Issuance.reissue_reason,
        Issuance.issued_on,
        case((Issuance.returned_on <= day, 1), else_=0),
        case((Issuance.resent_on <= day, 1), else_=0),
    )
    labelled = [column.label(f"g{i}") for i, column in enumerate(columns)]
    rows = db.session.execute(
        select(*labelled, func.count())
        .where(*pass_conditions(fiscal_year, day, office_id))
        .group_by(*(literal_column(f"g{i}") for i in range(len(columns))))
    ).all()
    return [
        {**dict(zip(PASS_GROUP_KEYS, row[:-1], strict=True)), "n": int(row[-1])} for row in rows
    ]


def holder_bands(
    fiscal_year: int, day: datetime.date, office_id: int | None = None
) -> dict[str, dict[str, int]]:
    """Per age band on ``day``: the people holding a counted pass, their
    passes (枚), and how many of them held a valid pass the year before (継続).

    One statement: the passes counted per person, joined to the person, with
    their valid pass of the year before (:func:`_held_before`).
    """
    per_person = (
        select(Issuance.resident_id, func.count().label("n"))
        .where(*pass_conditions(fiscal_year, day, office_id))
        .group_by(Issuance.resident_id)
        .subquery()
    )
    joined = per_person.join(Resident, Resident.id == per_person.c.resident_id)
    joined, held = _held_before(joined, per_person.c.resident_id, fiscal_year - 1)
    band = _age_band(Resident.birth_date, day).label("band")
    rows = db.session.execute(
        select(band, func.count(), func.sum(per_person.c.n), _flag(held))
        .select_from(joined)
        .group_by(literal_column("band"))
    ).all()
    return {
        str(b): {"people": int(people), "passes": int(passes or 0), "continuing": int(cont or 0)}
        for b, people, passes, cont in rows
    }


def _held_before(joined: Any, resident_id: Any, year: int) -> tuple[Any, Any]:
    """``(from clause, condition)``: whether the holder had a valid pass of
    ``year``, the way each database answers fastest.

    PostgreSQL joins last year's valid passes (read once, by the holder order
    of ``ix_issuance_stats``); looking each of a large city's 850,000 holders
    up took 9.6 s.  SQLite looks each holder up in the one-valid-pass index
    (its join was slower).  The index makes it one pass at most per person,
    so the join counts nobody twice.
    """
    earlier = aliased(Issuance)
    conditions = (
        earlier.resident_id == resident_id,
        earlier.fiscal_year == year,
        # with the status written into the SQL: SQLite cannot tell a bound
        # parameter satisfies the partial index's WHERE, and reads every row
        # to check it (130 → 55 ms)
        earlier.status == literal(STATUS_VALID, literal_execute=True),
    )
    if db.session.get_bind().dialect.name == "postgresql":
        return joined.outerjoin(earlier, and_(*conditions)), earlier.resident_id.is_not(None)
    return joined, exists().where(*conditions)


def exclusions_by_reason(first: datetime.date, day: datetime.date) -> dict[str, int]:
    """People excluded from ``first`` to ``day`` (both included), by reason."""
    rows = db.session.execute(
        select(Resident.exclusion_reason, func.count())
        .where(
            Resident.status == STATUS_EXCLUDED,
            Resident.excluded_on >= first,
            Resident.excluded_on <= day,
        )
        .group_by(Resident.exclusion_reason)
    ).all()
    return {str(reason or "other"): int(n) for reason, n in rows}


def monthly_by_year(
    pairs: Sequence[tuple[int, datetime.date]], office_id: int | None = None
) -> dict[int, dict[str, int]]:
    """``{fiscal_year: {"YYYY-MM": passes}}`` counted for each
    ``(fiscal_year, day)``: one grouped statement, answered by the
    (fiscal_year, issued_on) index."""
    if not pairs:
        return {}
    either = or_(
        *(and_(Issuance.fiscal_year == fy, Issuance.issued_on <= day) for fy, day in pairs)
    )
    # The list of years first: a range of the (fiscal_year, issued_on) index
    # the OR is then tested on, where the OR alone made PostgreSQL combine
    # bitmaps and read the pass rows (1.1 s at 3.5 million passes).
    years = Issuance.fiscal_year.in_(sorted({fy for fy, _day in pairs}))
    # Grouped by the date itself, in the index's order: no sorting, no
    # month computed per pass; the few hundred days are added up here.
    statement = (
        select(Issuance.fiscal_year, Issuance.issued_on, func.count())
        .where(years, either, *counted())
        .group_by(Issuance.fiscal_year, Issuance.issued_on)
    )
    if office_id is not None:
        statement = statement.where(Issuance.office_id == office_id)
    found: dict[int, dict[str, int]] = {fy: {} for fy, _ in pairs}
    for fy, issued_on, n in db.session.execute(statement):
        months = found[int(fy)]
        key = month_key(issued_on)
        months[key] = months.get(key, 0) + int(n)
    return found


def month_key(day: datetime.date | str) -> str:
    """``YYYY-MM`` of a date (or of its ISO text)."""
    return day.isoformat()[:7] if isinstance(day, datetime.date) else str(day)[:7]


def first_day() -> datetime.date | None:
    """The day of the first data: the earliest 交付日, or the first record
    (the lowest id: records are numbered as they are made; no scan)."""
    issued = db.session.execute(select(func.min(Issuance.issued_on))).scalar_one_or_none()
    created = db.session.execute(
        select(Resident.created_at).order_by(Resident.id).limit(1)
    ).scalar_one_or_none()
    days = [d for d in (issued, created.date() if created else None) if d is not None]
    return min(days) if days else None
