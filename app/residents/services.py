"""事業対象者: search, the person's record, corrections of master data, exclusion.

Searches never count the whole table: they fetch one row more than a page and
page on by ``(kana_key, id)`` (keyset), so the 50th page costs what the first
does.  Changes check their rules first and raise
:class:`~app.errors.DomainError` with a translated message, leaving
the session clean; on success they record the history (ChangeLog), the access
log and commit in one transaction.
"""

import datetime
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from jaconv import hira2kata
from sqlalchemy import and_, exists, literal, select, tuple_
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.audit import writer as audit
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.history import services as history
from app.passes.models import STATUS_VALID, Issuance
from app.residents.models import (
    EXCLUSION_REASONS,
    HOST_FIELDS,
    MAIL_REASONS,
    STATUS_ACTIVE,
    STATUS_EXCLUDED,
    Resident,
)
from app.security.models import StaffUser
from app.text import search as search_text
from app.text.kana import (
    halfwidth_to_fullwidth_katakana,
    has_gaiji,
    is_kana_query,
)
from app.text.wareki import WarekiError, fiscal_year_of

log = logging.getLogger(__name__)

# People per page of search results: FAB's list default, a screenful at the counter.
PAGE_SIZE = 25
CATEGORY_COLUMNS = {
    "elderly": "is_elderly",
    "disabled": "is_disabled",
    "child_allowance": "is_child_allowance",
}
STATUS_FILTERS = ("active", "excluded", "review")

# Fields of the master-data form, their history action, and their limits.
MASTER_FIELDS = ("resident_no", *HOST_FIELDS, "note")
MAIL_FIELDS = ("mail_name", "mail_postal_code", "mail_address", "mail_reason")
EXCLUSION_FIELDS = ("status", "excluded_on", "exclusion_reason", "needs_review")
NOTE_MAX_LENGTH = 2000
MAX_LENGTHS = {
    "name": 100,
    "kana": 100,
    "address": 200,
    "address2": 120,
    "phone": 20,
    "mail_name": 100,
    "mail_address": 200,
}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f]")
_PHONE = re.compile(r"[0-9()+\- ]*")
_DIGITS = re.compile("[0-9]+")
_LIKE_SPECIALS = re.compile(r"([\\%_])")
# SQLite compares text as bytes: every key that starts with q sorts between q
# and q + U+FFFF, so a prefix search is a plain range scan of the index.
_PREFIX_END = "\uffff"


# --- search ---------------------------------------------------------------------


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


def categories_of(row):
    """Category codes of a resident or a result row."""
    return [code for code, column in CATEGORY_COLUMNS.items() if getattr(row, column)]


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


def _prefix_condition(column, prefix):
    if db.session.get_bind().dialect.name == "postgresql":
        # LIKE with a constant prefix uses the text_pattern_ops index.
        return column.like(literal(_escape_like(prefix)) + "%", escape="\\")
    return and_(column >= prefix, column < prefix + _PREFIX_END)


def _digits_upper_bound(digits):
    """The smallest digit string of the same length above every number starting
    with ``digits`` (``"1086"`` → ``"1087"``), or None when all digits are 9."""
    stripped = digits.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def _query_condition(query):
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
        return Resident.name_key.like(f"%{_escape_like(value)}%", escape="\\")
    return None


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


def search(query, filters=None, after_id=None, limit=PAGE_SIZE, with_passes=True):
    """One page of residents matching ``query`` (a parsed
    :class:`~app.text.search.SearchQuery`) and ``filters``, in kana order.

    :param after_id: id of the last resident of the previous page.
    :param with_passes: also load each person's valid pass of this fiscal year.
    :returns: :class:`SearchPage`; an empty page when there is nothing to search for.
    """
    filters = filters or SearchFilters()
    conditions = _filter_conditions(filters)
    condition = _query_condition(query)
    if condition is not None:
        conditions.append(condition)
    if not conditions:
        return SearchPage()
    order_key = Resident.kana_key
    if query.kind == search_text.NAME or filters.status == "review":
        # Few rows match and no index can find them: reading the table once and
        # sorting the matches beats walking the whole kana index in order
        # (SQLite's choice for a plain ORDER BY kana_key): 260 ms → 30 ms.
        # The expression hides the index from the next-page condition too.
        order_key = Resident.kana_key + ""
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
        select(Issuance.resident_id, Issuance.control_no).where(
            Issuance.resident_id.in_(resident_ids),
            Issuance.fiscal_year == fiscal_year,
            Issuance.status == STATUS_VALID,
        )
    )
    return dict(rows.all())


def lookup(text, limit=10):
    """A few residents for search-as-you-type; ``[]`` when the text is unusable."""
    try:
        query = parse_query(text)
    except DomainError:
        return []
    if query.is_empty:
        return []
    return search(query, limit=limit, with_passes=False).rows


# --- the person's record ------------------------------------------------------------


def get(resident_id):
    """:raises NotFound: no such resident."""
    resident = db.session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(_("No such person."))
    return resident


def passes_of(resident_id):
    """Every pass of the resident, newest first, offices and issuing users loaded."""
    return (
        db.session.execute(
            select(Issuance)
            .join(Issuance.office)
            .options(contains_eager(Issuance.office), joinedload(Issuance.created_by))
            .where(Issuance.resident_id == resident_id)
            .order_by(Issuance.fiscal_year.desc(), Issuance.issued_on.desc(), Issuance.id.desc())
        )
        .unique()
        .scalars()
        .all()
    )


def history_users(rows):
    """``{user_id: StaffUser}`` of the users named by history rows, in one statement."""
    user_ids = {r.user_id for r in rows if r.user_id}
    if not user_ids:
        return {}
    return {
        u.id: u
        for u in db.session.execute(select(StaffUser).where(StaffUser.id.in_(user_ids))).scalars()
    }


def history_of(resident_id, limit=200):
    """Change history of the person and their passes, newest first.

    :returns: ``(rows, users)`` with ``users`` from :func:`history_users`.
    """
    rows = history.for_resident(resident_id, limit=limit)
    return rows, history_users(rows)


@dataclass
class IssueDefaults:
    """What the issue form proposes for a person."""

    kind: str
    office_id: int | None
    method: str
    supersedes_id: int | None
    fiscal_year: int
    current: Issuance | None


def issue_defaults(resident, user, passes=None, today=None):
    """Sensible defaults: today, the user's office, at the counter; 新規, or 更新
    after a pass last fiscal year, or 再交付 when a valid pass exists this year.

    :param passes: the resident's passes when already loaded.
    """
    today = today or clock.today()
    fy = fiscal_year_of(today)
    if passes is None:
        passes = passes_of(resident.id)
    current = next((p for p in passes if p.fiscal_year == fy and p.status == STATUS_VALID), None)
    if current is not None:
        kind = "reissue"
    elif any(p.fiscal_year == fy - 1 for p in passes):
        kind = "renewal"
    else:
        kind = "new"
    return IssueDefaults(
        kind=kind,
        office_id=getattr(user, "office_id", None),
        method="counter",
        supersedes_id=current.id if current else None,
        fiscal_year=fy,
        current=current,
    )


# --- corrections ----------------------------------------------------------------------


def _clean_text(name, value, multiline=False):
    if value is None:
        return ""
    value = str(value).strip()
    pattern = _CONTROL if multiline else _CONTROL_OR_NEWLINE
    if pattern.search(value):
        raise DomainError(_("This field cannot contain control characters."), field=name)
    limit = MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        raise DomainError(
            _("Too long: %(n)d characters at most (%(got)d entered).")
            % {"n": limit, "got": len(value)},
            field=name,
        )
    return value


def normalize_postal_code(value, name="postal_code"):
    """``"160-0004"``, ``"１６０００４"`` → ``"1600004"``; blank → ``""``.

    :raises DomainError: anything but 7 digits.
    """
    text = unicodedata.normalize("NFKC", value or "").strip().replace("-", "").replace("〒", "")
    if not text:
        return ""
    if len(text) != 7 or not (text.isascii() and text.isdigit()):
        raise DomainError(_("A postal code has 7 digits, for example 160-0004."), field=name)
    return text


def normalize_kana(value):
    """Store a kana name as full-width katakana, one ASCII space between the parts.

    :raises DomainError: empty, or anything other than kana and spaces.
    """
    text = (value or "").strip()
    if not text:
        raise DomainError(_("Enter the name in kana."), field="kana")
    if not is_kana_query(text):
        raise DomainError(_("The kana name may contain only kana and spaces."), field="kana")
    parts = halfwidth_to_fullwidth_katakana(text).split()
    return " ".join(hira2kata(part) for part in parts)


def _validate_master(resident, changes):
    """Clean every given field; return ``{field: value}`` ready to set."""
    clean = {}
    for name, value in changes.items():
        if name == "resident_no":
            value = unicodedata.normalize("NFKC", value or "").strip()
            if len(value) != 10 or not _DIGITS.fullmatch(value):
                raise DomainError(_("A resident number has 10 digits."), field=name)
            taken = db.session.execute(
                select(Resident.id).where(Resident.resident_no == value, Resident.id != resident.id)
            ).first()
            if taken:
                raise DomainError(_("Another person has this resident number."), field=name)
        elif name == "name":
            value = _clean_text(name, value)
            if not value:
                raise DomainError(_("Enter the name."), field=name)
        elif name == "kana":
            value = normalize_kana(_clean_text(name, value))
        elif name == "sex":
            if value not in (1, 2):
                raise DomainError(_("Choose the sex."), field=name)
        elif name == "birth_date":
            if not isinstance(value, datetime.date):
                raise DomainError(_("Enter the date of birth."), field=name)
            if value > clock.today() or value < datetime.date(1868, 1, 1):
                raise DomainError(_("The date of birth is not possible."), field=name)
        elif name in ("postal_code", "mail_postal_code"):
            value = normalize_postal_code(value, name)
        elif name == "phone":
            value = unicodedata.normalize("NFKC", _clean_text(name, value))
            if not _PHONE.fullmatch(value):
                raise DomainError(
                    _("A phone number may contain only digits and hyphens."), field=name
                )
        elif name in ("is_elderly", "is_disabled", "is_child_allowance"):
            value = bool(value)
        elif name == "note":
            value = _clean_text(name, value, multiline=True)
            if len(value) > NOTE_MAX_LENGTH:
                raise DomainError(_("The note is too long (2,000 characters at most)."), field=name)
        elif name == "mail_reason":
            value = value or ""
            if value and value not in MAIL_REASONS:
                raise DomainError(_("Choose the reason for the mailing address."), field=name)
        elif name in MAX_LENGTHS:
            value = _clean_text(name, value)
        else:
            raise DomainError(_("This field cannot be changed."), field=name)
        clean[name] = value
    return clean


def _check_mailing(values):
    """The 送付先 is all or nothing: an address needs a reason and a postal code."""
    if not any(values.get(f) for f in MAIL_FIELDS):
        return {f: None for f in MAIL_FIELDS}
    if not values.get("mail_address"):
        raise DomainError(_("Enter the mailing address."), field="mail_address")
    if not values.get("mail_postal_code"):
        raise DomainError(_("Enter the postal code of the mailing address."), "mail_postal_code")
    if not values.get("mail_reason"):
        raise DomainError(_("Choose the reason for the mailing address."), field="mail_reason")
    return {f: values.get(f) or None for f in MAIL_FIELDS}


def _check_version(resident, expected_version):
    if expected_version is not None and resident.version != expected_version:
        raise Conflict(_("This person's record was changed in the meantime. Reload the page."))


def _commit(resident):
    try:
        resident.updated_at = clock.now()
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(
            _("This person's record was changed in the meantime. Reload the page.")
        ) from exc
    except Exception:
        db.session.rollback()
        raise


def update_resident(resident, changes, user, expected_version=None):
    """Correct a person's master data, 送付先 and note.

    :param changes: ``{field: new value}`` of :data:`MASTER_FIELDS` and
        :data:`MAIL_FIELDS`; fields left out keep their value.  Giving any 送付先
        field sets the whole 送付先 (blank values remove it).
    :param expected_version: the ``version`` the user edited.
    :returns: the changed field names (empty when nothing changed).
    :raises DomainError: a value is refused (nothing is saved).
    :raises Conflict: someone else saved the record in the meantime.
    """
    try:
        _check_version(resident, expected_version)
        clean = _validate_master(resident, changes)
        if any(f in changes for f in MAIL_FIELDS):
            current = {f: getattr(resident, f) for f in MAIL_FIELDS}
            current.update({f: clean[f] for f in MAIL_FIELDS if f in clean})
            clean.update(_check_mailing(current))
    except DomainError:
        db.session.rollback()
        raise
    master_before = history.snapshot(resident, MASTER_FIELDS)
    mail_before = history.snapshot(resident, MAIL_FIELDS)
    for name, value in clean.items():
        setattr(resident, name, value)
    master_delta = history.diff(master_before, history.snapshot(resident, MASTER_FIELDS))
    mail_delta = history.diff(mail_before, history.snapshot(resident, MAIL_FIELDS))
    if not master_delta and not mail_delta:
        db.session.rollback()
        return []
    if "name" in master_delta or "kana" in master_delta:
        resident.set_search_keys()
        resident.has_gaiji = has_gaiji(resident.name)
    if master_delta:
        history.record("resident", resident.id, resident.id, "update", master_delta, user=user)
    if mail_delta:
        history.record("resident", resident.id, resident.id, "mail_address", mail_delta, user=user)
    fields = sorted(master_delta) + sorted(mail_delta)
    audit.record(
        "resident.update",
        resident_no=resident.resident_no,
        detail={"fields": fields},
        user=user,
    )
    _commit(resident)
    log.info("resident %s updated: %s", resident.id, ", ".join(fields))
    return fields


def _status_change(resident, action, values, user):
    before = history.snapshot(resident, EXCLUSION_FIELDS)
    for name, value in values.items():
        setattr(resident, name, value)
    delta = history.diff(before, history.snapshot(resident, EXCLUSION_FIELDS))
    history.record("resident", resident.id, resident.id, action, delta, user=user)
    audit.record(
        "resident.update",
        resident_no=resident.resident_no,
        detail={"action": action, "fields": sorted(delta)},
        user=user,
    )
    _commit(resident)
    log.info("resident %s: %s", resident.id, action)


def exclude_resident(resident, reason, excluded_on, user, expected_version=None):
    """Exclude a person by hand (転出, 死亡, その他 ...).  Their passes stay on record.

    :raises DomainError: already excluded, unknown reason, no or future date.
    """
    _check_version(resident, expected_version)
    if resident.status == STATUS_EXCLUDED:
        raise DomainError(_("This person is already excluded."))
    if reason not in EXCLUSION_REASONS:
        raise DomainError(_("Choose the reason for the exclusion."), field="reason")
    if not isinstance(excluded_on, datetime.date):
        raise DomainError(_("Enter the date of the exclusion."), field="excluded_on")
    if excluded_on > clock.today():
        raise DomainError(_("The exclusion date cannot be in the future."), field="excluded_on")
    values = {"status": STATUS_EXCLUDED, "excluded_on": excluded_on, "exclusion_reason": reason}
    _status_change(resident, "exclude", values, user)


def reinstate_resident(resident, user, expected_version=None):
    """Make an excluded person active again (an exclusion made in error).

    :raises DomainError: the person is not excluded.
    """
    _check_version(resident, expected_version)
    if resident.status != STATUS_EXCLUDED:
        raise DomainError(_("This person is not excluded."))
    values = {
        "status": STATUS_ACTIVE,
        "excluded_on": None,
        "exclusion_reason": None,
        "needs_review": False,
    }
    _status_change(resident, "reinstate", values, user)


def clear_review(resident, user, expected_version=None):
    """Mark a person flagged by the host import (抽出対象外) as reviewed.

    :raises DomainError: nothing to review.
    """
    _check_version(resident, expected_version)
    if not resident.needs_review:
        raise DomainError(_("There is nothing to review for this person."))
    _status_change(resident, "review", {"needs_review": False}, user)
