"""Searching people (事業対象者): the search box, the filters, one page of results.

Searches never count the whole table: they fetch one row more than a page and
page on by ``(kana_key, id)`` (keyset), so the 50th page costs what the first
does.  A part of a kanji name is found through the bigram index of names
(:mod:`app.residents.grams`) and checked with ``LIKE``: the same people as a
``LIKE '%…%'`` scan, in the same order, without the scan.
"""

import functools
import logging
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, literal, select, tuple_

from app import clock
from app.errors import DomainError
from app.extensions import db
from app.passes.models import STATUS_VALID, Issuance
from app.residents import grams
from app.residents.models import CATEGORY_COLUMNS, STATUS_ACTIVE, STATUS_EXCLUDED, Resident
from app.text import search as search_text
from app.text.wareki import WarekiError, fiscal_year_of

log = logging.getLogger(__name__)

# People per page of search results: FAB's list default, a screenful at the counter.
PAGE_SIZE = 25
STATUS_FILTERS = ("active", "excluded", "review")
_LIKE_SPECIALS = re.compile(r"([\\%_])")
# SQLite compares text as bytes: every key that starts with q sorts between q
# and q + U+FFFF, so a prefix search is a plain range scan of the index.
_PREFIX_END = "\uffff"


@dataclass
class SearchFilters:
    """Filters beside the search box; empty values do not filter."""

    category: str = ""
    status: str = ""
    office_id: int | None = None
    fiscal_year: int | None = None

    def as_log(self, office_code=None):
        found = {}
        if self.category:
            found["category"] = self.category
        if self.status:
            found["status"] = self.status
        if office_code:
            found["office"] = office_code
        if self.fiscal_year:
            found["fiscal_year"] = self.fiscal_year
        return found

    @property
    def is_empty(self):
        return not (self.category or self.status or self.office_id or self.fiscal_year)


# What a result row needs: plain rows, not ORM objects, so that 50 results cost
# neither identity-map bookkeeping nor expiry when the access log is committed.
RESULT_COLUMNS = (
    Resident.id,
    Resident.resident_no,
    Resident.name,
    Resident.kana,
    Resident.kana_key,
    Resident.sex,
    Resident.birth_date,
    Resident.address,
    Resident.address2,
    Resident.is_elderly,
    Resident.is_disabled,
    Resident.is_child_allowance,
    Resident.status,
    Resident.needs_review,
    Resident.has_gaiji,
)


@dataclass
class SearchPage:
    """One page of results: ``rows`` (rows of :data:`RESULT_COLUMNS`), ``has_next``,
    ``current_passes`` (``{resident_id: 整理番号}`` of the valid pass in the current
    fiscal year)."""

    rows: list = field(default_factory=list)
    has_next: bool = False
    current_passes: dict = field(default_factory=dict)

    @property
    def last_id(self):
        return self.rows[-1].id if self.rows else None


def date_error_message(exc, text):
    """A translated message for a :class:`~app.text.wareki.WarekiError` on ``text``."""
    if exc.code == "date_out_of_era":
        message = _(
            "%(text)s is not a date of that era (for example, Showa ended on "
            "7 January of Showa 64). Check the era and the date."
        )
    else:
        message = _("%(text)s is not a date that exists. Check the year, month and day.")
    return message % {"text": text.strip()}


def parse_query(text):
    """Parse the search box, translating its errors.

    :raises DomainError: impossible date, more than 10 digits, too long.
    """
    try:
        return search_text.parse_search(text)
    except WarekiError as exc:
        raise DomainError(date_error_message(exc, text), field="q") from None
    except search_text.SearchQueryError as exc:
        if exc.code == "resident_no_length":
            message = _("A resident number has 10 digits.")
        else:
            message = _("The search text is too long (%(n)d characters at most).") % {
                "n": search_text.MAX_QUERY_LENGTH
            }
        raise DomainError(message, field="q") from None


def _escape_like(text):
    return _LIKE_SPECIALS.sub(r"\\\1", text)


def _on_postgresql():
    return db.session.get_bind().dialect.name == "postgresql"


def _prefix_condition(column, prefix):
    if _on_postgresql():
        # In byte collation LIKE with a constant prefix is a range of the
        # kana-order index, which also gives the page in order (0018).
        return column.collate("C").like(literal(_escape_like(prefix)) + "%", escape="\\")
    return and_(column >= prefix, column < prefix + _PREFIX_END)


def _digits_upper_bound(digits):
    """The smallest digit string of the same length above every number starting
    with ``digits`` (``"1086"`` → ``"1087"``), or None when all digits are 9."""
    stripped = digits.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def _query_condition(query, in_kana_order=False):
    kind, value = query.kind, query.value
    if kind == search_text.RESIDENT_NO:
        return Resident.resident_no == value
    if kind == search_text.RESIDENT_NO_PREFIX:
        upper = _digits_upper_bound(value)
        condition = Resident.resident_no >= value
        return and_(condition, Resident.resident_no < upper) if upper else condition
    if kind == search_text.BIRTH_DATE:
        return Resident.birth_date == value
    if kind == search_text.KANA:
        return _prefix_condition(Resident.kana_key, value)
    if kind == search_text.NAME:
        return _contains_condition(Resident.name_key, value, in_kana_order)
    return None


def _contains_condition(column, value, in_kana_order):
    """Rows whose ``column`` contains ``value``: the gram index finds the
    candidates (:mod:`app.residents.grams`), ``LIKE`` checks each, so exactly
    the rows of a plain ``LIKE '%…%'`` scan are found, without the scan."""
    like = column.like(f"%{_escape_like(value)}%", escape="\\")
    dialect = db.session.get_bind().dialect.name
    narrowed = grams.contains_condition(column.key, value, dialect, in_kana_order)
    return like if narrowed is None else and_(narrowed, like)


def _in_kana_order(query, filters):
    """Whether to walk the kana index in order (``ORDER BY kana_key`` as it
    is) rather than fetch the matches and sort them.

    Sorted: a part of a name held by few people (found by the gram index), and
    the review filter (few rows, no index).  Walked: everything else, and a
    part of a name so common (one character: 子, 田) that the first page is
    met within a few hundred rows of the kana order
    (:func:`app.residents.grams.holders_at_least`, on SQLite only).
    """
    if filters.status == "review":
        return False
    if query.kind == search_text.NAME:
        # PostgreSQL sorts the holders the GIN index finds.  Left to choose,
        # its planner walked the kana index for rare grams too, expecting
        # holders spread evenly over the kana order: a surname at its end read
        # the whole city (name of 2 characters at 1.2 million people: p95
        # 2.0 s against a median of 82 ms, bench/search.py, 2026-12-03).
        return grams.holders_at_least(db.session, "name_key", query.value)
    return True


def _filter_conditions(filters):
    conditions = []
    if filters.category in CATEGORY_COLUMNS:
        conditions.append(getattr(Resident, CATEGORY_COLUMNS[filters.category]).is_(True))
    if filters.status == "active":
        conditions.append(Resident.status == STATUS_ACTIVE)
    elif filters.status == "excluded":
        conditions.append(Resident.status == STATUS_EXCLUDED)
    elif filters.status == "review":
        conditions.append(Resident.needs_review.is_(True))
    if filters.office_id or filters.fiscal_year:
        passes = [Issuance.resident_id == Resident.id]
        if filters.office_id:
            passes.append(Issuance.office_id == filters.office_id)
        if filters.fiscal_year:
            passes.append(Issuance.fiscal_year == filters.fiscal_year)
        conditions.append(exists().where(*passes))
    return conditions


def _order_key(in_kana_order):
    """The kana order: byte order on both databases (SQLite's binary
    collation; ``COLLATE "C"`` on PostgreSQL, the collation of its kana-order
    index, migration 0018), whatever the database's own locale."""
    key = Resident.kana_key
    if not in_kana_order:
        # Few rows match: fetching them and sorting beats walking the whole
        # kana index in order (SQLite's choice for a plain ORDER BY kana_key):
        # 260 ms → 30 ms for the review filter, 2 ms for a surname by the gram
        # index.  The expression hides the index from the next-page condition too.
        key = key + ""
    if _on_postgresql():
        key = key.collate("C")
    return key


def search(query, filters=None, after_id=None, limit=PAGE_SIZE, with_passes=True):
    """One page of residents matching ``query`` (a parsed
    :class:`~app.text.search.SearchQuery`) and ``filters``, in kana order.

    :param after_id: id of the last resident of the previous page.
    :param with_passes: also load each person's valid pass of this fiscal year.
    :returns: :class:`SearchPage`; an empty page when there is nothing to search for.
    """
    filters = filters or SearchFilters()
    conditions = _filter_conditions(filters)
    in_kana_order = _in_kana_order(query, filters)
    condition = _query_condition(query, in_kana_order)
    if condition is not None:
        conditions.append(condition)
    if not conditions:
        return SearchPage()
    order_key = _order_key(in_kana_order)
    if after_id is not None:
        last_key = db.session.execute(
            select(Resident.kana_key).where(Resident.id == after_id)
        ).scalar_one_or_none()
        if last_key is not None:
            conditions.append(tuple_(order_key, Resident.id) > (last_key, after_id))
    rows = db.session.execute(
        select(*RESULT_COLUMNS).where(*conditions).order_by(order_key, Resident.id).limit(limit + 1)
    ).all()
    page = SearchPage(rows=rows[:limit], has_next=len(rows) > limit)
    if with_passes:
        page.current_passes = current_passes([r.id for r in page.rows])
    return page


def current_passes(resident_ids, fiscal_year=None):
    """``{resident_id: 整理番号}`` of the valid passes of ``fiscal_year`` (default:
    the current one), in one statement."""
    if not resident_ids:
        return {}
    fiscal_year = fiscal_year or fiscal_year_of(clock.today())
    rows = db.session.execute(
        _current_passes_statement(),
        {"resident_ids": list(resident_ids), "fiscal_year": fiscal_year},
    )
    return dict(rows.all())


@functools.cache
def _current_passes_statement():
    # Built once per process: every page of results runs it.
    return select(Issuance.resident_id, Issuance.control_no).where(
        Issuance.resident_id.in_(bindparam("resident_ids", expanding=True)),
        Issuance.fiscal_year == bindparam("fiscal_year"),
        Issuance.status == STATUS_VALID,
    )


def lookup(text, limit=10):
    """A few residents for search-as-you-type; ``[]`` when the text is unusable."""
    try:
        query = parse_query(text)
    except DomainError:
        return []
    if query.is_empty:
        return []
    return search(query, limit=limit, with_passes=False).rows
