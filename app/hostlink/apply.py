"""Comparing a host extract with the residents held, and writing the result.

Set-based, so that a city of any size is compared in bounded memory:

1. the file's records go into a temporary staging table, a chunk at a time
   as they are parsed (:mod:`app.hostlink.staging`);
2. three ``INSERT … SELECT`` sort out who is new, who differs (or whose
   eligibility the record may change) and who is absent; everyone else is
   unchanged without leaving the database;
3. those few are read back in batches, each decided by the specification's
   rules (:func:`_target_state`) and written (:func:`write_plan`): bulk
   INSERT of the new people (their ``create`` history by one INSERT …
   SELECT), bulk UPDATE by primary key and bulk INSERT of history rows
   (``executemany`` on SQLite, ``COPY`` on PostgreSQL).

The caller holds the import lock, checks the sanity thresholds on the
:class:`Plan`'s counts and commits or rolls back (see :mod:`app.hostlink.imports`).
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter

from sqlalchemy import (
    JSON,
    DateTime,
    case,
    func,
    insert,
    literal,
    null,
    select,
    text,
)

from app.db.bulk import bulk_insert, bulk_update_by_id, indexes_rebuilt_if_bulk
from app.history.models import ChangeLog
from app.hostlink import staging
from app.hostlink.models import COUNT_FIELDS
from app.residents.grams import SEARCH_COLUMNS
from app.residents.models import STATUS_ACTIVE, STATUS_EXCLUDED, Resident
from app.text.grams import name_grams
from app.text.kana import name_key, normalize_kana_query

log = logging.getLogger(__name__)

COMPARED = staging.COMPARED
# Eligibility state the importer may change.
STATE = staging.CURRENT_STATE
UPDATED_COLUMNS = (*COMPARED, *SEARCH_COLUMNS, *STATE, "updated_at")
INSERT_COLUMNS = ("resident_no", *COMPARED, *SEARCH_COLUMNS, *STATE)
INSERT_COLUMNS += ("created_at", "updated_at", "version")
HISTORY_COLUMNS = (
    "entity",
    "entity_id",
    "resident_id",
    "action",
    "changes",
    "user_id",
    "source",
    "changed_at",
)

LEFT_REASONS = {2: "moved_out", 3: "deceased", 4: "struck_off"}
NOT_EXTRACTED = "not_extracted"
LOST_ELIGIBILITY = "lost_eligibility"

_record_values = attrgetter(*COMPARED)
_RESIDENT_NO = re.compile(r"[0-9]{10}")
_FULLWIDTH_KATAKANA = re.compile("[\u30a1-\u30fa\u30fc ]*")


@dataclass
class Plan:
    """What applying one extract would do.

    :param inserts: new residents, tuples in :data:`INSERT_COLUMNS` order.
    :param updates: changed residents, tuples of :data:`UPDATED_COLUMNS`
        values followed by the id.
    :param history: ``(resident_id, action, changes)`` of changed residents.
    :param absences_skipped: records whose resident number could not be read;
        when there are any, nobody is excluded for being absent.
    """

    as_of: date
    active_before: int = 0
    existing: int = 0
    data_count: int = 0
    inserts: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    history: list = field(default_factory=list)
    absences_skipped: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))


def lock_residents(session):
    """Start the apply transaction so that nobody writes residents meanwhile.

    PostgreSQL: a table lock that lets readers in but makes staff edits wait
    (seconds) and conflicts with itself.  SQLite takes its database write lock
    at the first write of the transaction, which the caller has already made.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE resident IN SHARE ROW EXCLUSIVE MODE"))


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _search_keys(name, kana):
    """The same keys and grams as :meth:`Resident.set_search_keys`
    (:data:`SEARCH_COLUMNS`).

    Parsed kana is already full-width katakana, for which the normaliser only
    removes spaces; anything else takes the normaliser's full path.
    """
    kana = kana or ""
    if _FULLWIDTH_KATAKANA.fullmatch(kana):
        nkey, kkey = name_key(name or ""), "".join(kana.split())
    else:
        nkey, kkey = name_key(name or ""), normalize_kana_query(kana)
    return nkey, kkey, name_grams(nkey), name_grams(kkey)


def _new_row(record, now):
    """A new resident as a tuple in :data:`INSERT_COLUMNS` order."""
    keys = _search_keys(record.name, record.kana)
    return (
        record.resident_no,
        *_record_values(record),
        *keys,
        STATUS_ACTIVE,
        None,
        None,
        False,
        now,
        now,
        1,
    )


def _target_state(current, record, as_of):
    """The eligibility state the record asks for, and the action it means.

    :returns: ``(state_dict, action)``; ``action`` is ``"exclude"``,
        ``"reinstate"`` or ``None`` (no change of status).
    """
    status, excluded_on, reason, needs_review = current[-4:]
    state = {
        "status": status,
        "excluded_on": excluded_on,
        "exclusion_reason": reason,
        "needs_review": needs_review,
    }
    active = status == STATUS_ACTIVE
    if record.status in LEFT_REASONS:
        left = {
            "status": STATUS_EXCLUDED,
            "excluded_on": record.status_changed_on,
            "exclusion_reason": LEFT_REASONS[record.status],
        }
        if active:
            state.update(left)
            return state, "exclude"
        if reason == NOT_EXTRACTED:
            # The host now says why the person was missing: the review is answered.
            state.update(left, needs_review=False)
        return state, None
    if not record.is_eligible:
        if active:
            state.update(
                status=STATUS_EXCLUDED, excluded_on=as_of, exclusion_reason=LOST_ELIGIBILITY
            )
            return state, "exclude"
        if reason == NOT_EXTRACTED:
            state.update(exclusion_reason=LOST_ELIGIBILITY, needs_review=False)
        return state, None
    if not active:
        state.update(
            status=STATUS_ACTIVE, excluded_on=None, exclusion_reason=None, needs_review=False
        )
        return state, "reinstate"
    return state, None


def _update_row(current, values, state, now):
    """A changed resident as a tuple: :data:`UPDATED_COLUMNS` values, then the id."""
    keys = _search_keys(values[0], values[1])
    return (*values, *keys, *(state[name] for name in STATE), now, current[0])


def _untouchable(errors):
    """The people rejected records name, and how many such records name nobody.

    :returns: ``({line_no: resident_no}, count of records whose number is
        unreadable)``.
    """
    untouchable = {}
    unreadable_lines = set()
    for error in errors:
        if _RESIDENT_NO.fullmatch(error.resident_no):
            untouchable[error.line_no] = error.resident_no
        else:
            unreadable_lines.add(error.line_no)
    return untouchable, len(unreadable_lines)


def _add_changes(plan, differing, before_values, now):
    """Turn the differing people into update rows and history, and count them."""
    counts = plan.counts
    for entry, values, state, action in differing:
        before = before_values[entry[0]]
        values = before if values is None else values
        before_state = entry[2:]
        after_state = tuple(state[name] for name in STATE)
        if values == before and after_state == before_state:
            counts["unchanged"] += 1
            continue
        changes = {
            name: [_plain(old), _plain(new)]
            for name, old, new in zip(
                COMPARED + STATE, before + before_state, values + after_state, strict=True
            )
            if old != new
        }
        plan.updates.append(_update_row(entry, values, state, now))
        if action == "exclude":
            counts["excluded"] += 1
        elif action == "reinstate":
            counts["reinstated"] += 1
        else:
            counts["updated"] += 1
            action = "update"
        plan.history.append((entry[0], action, changes))


def write_plan(session, plan, source, now):
    """Write one batch of ``plan`` (its ``inserts``, ``updates`` and
    ``history``) in the session's transaction (the caller commits).

    :param source: the history rows' source, ``"hostlink:<run id>"``.
    """
    conn = session.connection()
    t = Resident.__table__
    history = [
        ("resident", resident_id, resident_id, action, changes, None, source, now)
        for resident_id, action, changes in plan.history
    ]
    if plan.inserts:
        last_id = conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()
        bulk_insert(conn, t, INSERT_COLUMNS, plan.inserts)
        # Their "create" history is written by the database from the new rows:
        # nobody else inserts residents meanwhile (see lock_residents), so the
        # new rows are those above the highest id before.
        history_table = ChangeLog.__table__
        conn.execute(
            insert(history_table).from_select(
                list(HISTORY_COLUMNS),
                select(
                    literal("resident"),
                    t.c.id,
                    t.c.id,
                    literal("create"),
                    literal({}, JSON),
                    null(),
                    literal(source),
                    literal(now, DateTime),
                ).where(t.c.id > last_id),
            )
        )
    # Every changed row gets every column, so that one statement serves them
    # all; the version bump makes edit forms opened before fail their check.
    bulk_update_by_id(conn, t, UPDATED_COLUMNS, plan.updates)
    bulk_insert(conn, ChangeLog.__table__, HISTORY_COLUMNS, history)


# -- the comparison, set-based ---------------------------------------------------------


class _HostSays:
    """What a staged record says of residence (:func:`_target_state` reads it)."""

    __slots__ = ("status", "status_changed_on", "is_eligible")

    def __init__(self, row):
        self.status = row.record_status
        self.status_changed_on = row.status_changed_on
        self.is_eligible = bool(row.eligible)


# A staged row carries the resident's values under their own names (read
# with _record_values) and the record's under f_<name>.
_record_values_staged = attrgetter(*(f"f_{name}" for name in COMPARED))
_current_state = attrgetter(*STATE)


def _decide_known(plan, row):
    """One person the file names whose values or state may change:
    ``(entry, values, state, action)``, or ``None`` when nothing changes."""
    state_now = _current_state(row)
    entry = (row.ref, None, *state_now)
    values = _record_values_staged(row)
    same_values = values == _record_values(row)
    if state_now[0] == STATUS_ACTIVE and row.eligible:
        if same_values:
            return None
        return entry, values, dict(zip(STATE, state_now, strict=True)), None
    state, action = _target_state(entry, _HostSays(row), plan.as_of)
    if same_values and tuple(state[name] for name in STATE) == state_now:
        return None
    return entry, values, state, action


def _absent_state(as_of):
    return {
        "status": STATUS_EXCLUDED,
        "excluded_on": as_of,
        "exclusion_reason": NOT_EXTRACTED,
        "needs_review": True,
    }


def _apply_known(session, plan, kind, source, now):
    """Decide and write the people of ``kind`` (known or absent), a batch at a time."""
    conn = session.connection()
    for rows in staging.known_batches(conn, kind):
        differing = []
        for row in rows:
            if kind == staging.ABSENT:
                entry = (row.ref, None, *_current_state(row))
                differing.append((entry, None, _absent_state(plan.as_of), "exclude"))
                continue
            decided = _decide_known(plan, row)
            if decided is None:
                plan.counts["unchanged"] += 1
            else:
                differing.append(decided)
        before_values = {row.ref: _record_values(row) for row in rows}
        plan.updates, plan.history = [], []
        _add_changes(plan, differing, before_values, now)
        write_plan(session, plan, source, now)
    plan.updates, plan.history = [], []


def _apply_new(session, plan, new_count, source, now):
    """Insert the new eligible people, a batch at a time, with the secondary
    indexes built once afterwards when they more than double the table."""
    conn = session.connection()
    with indexes_rebuilt_if_bulk(conn, Resident.__table__, new_count, plan.existing):
        for rows in staging.new_batches(conn):
            plan.inserts = [_new_row(row, now) for row in rows if row.eligible]
            plan.counts["added"] += len(plan.inserts)
            plan.counts["unknown_not_eligible"] += len(rows) - len(plan.inserts)
            if plan.inserts:
                write_plan(session, plan, source, now)
    plan.inserts = []


def _residents_now(conn):
    """``(count, active, highest id)`` of the residents before the import."""
    t = Resident.__table__
    row = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((t.c.status == STATUS_ACTIVE, 1), else_=0)), 0),
            func.coalesce(func.max(t.c.id), 0),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _stage(conn, plan, extract):
    """Load the file's records (parsed a chunk at a time) and its rejected
    records into the staging table; return the number of valid records."""
    staging.create(conn)
    valid = 0
    for records in extract.chunks():
        valid += staging.load(conn, records)
    errors = extract.errors
    plan.counts["rejected"] = len({error.line_no for error in errors})
    untouchable, plan.absences_skipped = _untouchable(errors)
    if plan.absences_skipped:
        log.warning(
            "%d rejected record(s) without a readable resident number: "
            "no exclusion for absence in this extract",
            plan.absences_skipped,
        )
    staging.load_rejected(conn, untouchable)
    staging.index(conn)
    return valid


def apply_extract(session, extract, now, source):
    """Compare ``extract`` with the residents and write the result, in the
    session's transaction (the caller checks the thresholds and commits).

    :param extract: an :class:`~app.hostlink.parser.Extract` not yet read;
        its records are parsed here, and its ``errors`` are complete after.
        The people its rejected records name are left exactly as they are.
    :param source: the history rows' source, ``"hostlink:<run id>"``.
    :returns: :class:`Plan` with the counts (its row lists are emptied
        batch by batch as they are written).
    """
    conn = session.connection()
    plan = Plan(as_of=extract.header.as_of, data_count=extract.data_count)
    plan.existing, plan.active_before, last_id = _residents_now(conn)
    valid = _stage(conn, plan, extract)
    kinds = staging.sort_out(conn, last_id, with_absent=not plan.absences_skipped)
    # Whoever the file names and no statement picked out is unchanged.
    plan.counts["unchanged"] += valid - kinds[staging.NEW] - kinds[staging.KNOWN]
    _apply_known(session, plan, staging.KNOWN, source, now)
    _apply_known(session, plan, staging.ABSENT, source, now)
    _apply_new(session, plan, kinds[staging.NEW], source, now)
    if conn.dialect.name == "sqlite":
        staging.drop(conn)
    log.info(
        "host extract as of %s: %s",
        plan.as_of.isoformat(),
        ", ".join(f"{k} {v}" for k, v in plan.counts.items()),
    )
    return plan
