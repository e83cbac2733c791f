"""Comparing a host extract with the residents held, and writing the result.

Set-based, because an extract is a full snapshot of some 90,000 people of whom
a few thousand changed:

1. :func:`load_current` streams every resident once, straight from the
   driver, keeping per resident number only the id, a digest of the compared
   columns and the eligibility state;
2. :func:`plan_import` compares the file's records with it in Python and
   decides, per person, the case of the specification's table; only the
   people whose digest or state differs are read again in full (for the
   history's before-values).  It writes nothing;
3. :func:`write_plan` applies the plan in the caller's transaction: one bulk
   INSERT of the new people (their ``create`` history by one INSERT … SELECT),
   one bulk UPDATE by primary key and one bulk INSERT of history rows
   (``executemany`` on SQLite, ``COPY`` on PostgreSQL).

The caller holds the import lock and commits (see :mod:`app.hostlink.imports`).
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter

from sqlalchemy import (
    JSON,
    DateTime,
    func,
    insert,
    literal,
    null,
    select,
    text,
)

from app.db.bulk import bulk_insert, bulk_update_by_id, indexes_rebuilt_if_bulk
from app.history.models import ChangeLog
from app.hostlink.models import COUNT_FIELDS
from app.residents.grams import SEARCH_COLUMNS
from app.residents.models import HOST_FIELDS, STATUS_ACTIVE, STATUS_EXCLUDED, Resident
from app.text.grams import name_grams
from app.text.kana import name_key, normalize_kana_query

log = logging.getLogger(__name__)

# Master data taken from the host, compared field by field.
COMPARED = (*HOST_FIELDS, "has_gaiji")
# Eligibility state the importer may change.
STATE = ("status", "excluded_on", "exclusion_reason", "needs_review")
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
_N_COMPARED = len(COMPARED)
_BIRTH_DATE = COMPARED.index("birth_date")
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


def _raw_digest(values, dates_as_text):
    """The digest of compared values as the driver returns them.

    SQLite gives dates as ISO text and booleans as 0/1 (which hash and compare
    like ``False``/``True``); PostgreSQL gives Python types.
    """
    if dates_as_text:
        values = (
            *values[:_BIRTH_DATE],
            values[_BIRTH_DATE].isoformat(),
            *values[_BIRTH_DATE + 1 :],
        )
    return hash(values)


def load_current(session):
    """Every resident, compactly: keyed by resident number, the id, a digest
    of the compared columns and the eligibility state.

    Rows are streamed straight from the driver (no ORM, no type conversion:
    this is the one read of every row) and only the digest is kept, so the
    memory needed does not grow with the length of names and addresses; the
    few rows that differ are read again in full (:func:`fetch_compared`).

    :returns: ``{resident_no: (id, digest, status, excluded_on,
        exclusion_reason, needs_review)}``.
    """
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    names = ("id", "resident_no", *COMPARED, *STATE)
    raw = conn.connection.dbapi_connection
    # A server-side cursor on PostgreSQL, so that rows arrive in batches.
    cursor = raw.cursor() if sqlite else raw.cursor(name="hostlink_current")
    end = 2 + _N_COMPARED
    current = {}
    try:
        cursor.execute(f"SELECT {', '.join(names)} FROM {Resident.__tablename__}")
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                excluded_on = row[end + 1]
                if sqlite and excluded_on is not None:
                    excluded_on = date.fromisoformat(excluded_on)
                current[row[1]] = (
                    row[0],
                    hash(row[2:end]),
                    row[end],
                    excluded_on,
                    row[end + 2],
                    bool(row[end + 3]),
                )
    finally:
        cursor.close()
    return current


def fetch_compared(session, ids):
    """``{id: tuple of COMPARED values}`` of the residents ``ids``."""
    t = Resident.__table__
    found = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(select(t.c.id, *(t.c[name] for name in COMPARED)).where(
            t.c.id.in_(chunk)
        ))  # fmt: skip
        found.update((row[0], tuple(row[1:])) for row in rows)
    return found


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

    :returns: ``(resident numbers, count of records whose number is unreadable)``.
    """
    untouchable = set()
    unreadable_lines = set()
    for error in errors:
        if _RESIDENT_NO.fullmatch(error.resident_no):
            untouchable.add(error.resident_no)
        else:
            unreadable_lines.add(error.line_no)
    return untouchable, len(unreadable_lines)


def _compare_records(plan, records, current, now, dates_as_text):
    """Sort the file's records into new, unchanged and differing people.

    New people go straight into the plan; the differing ones need their
    before-values read (see :func:`_add_changes`).

    :returns: ``(resident numbers seen, differing)``, ``differing`` being
        ``(entry, values, state, action)`` tuples.
    """
    counts = plan.counts
    seen = set()
    differing = []
    for record in records:
        resident_no = record.resident_no
        seen.add(resident_no)
        entry = current.get(resident_no)
        if entry is None:
            if record.is_eligible:
                plan.inserts.append(_new_row(record, now))
                counts["added"] += 1
            else:
                counts["unknown_not_eligible"] += 1
            continue
        values = _record_values(record)
        same_values = _raw_digest(values, dates_as_text) == entry[1]
        if entry[2] == STATUS_ACTIVE and record.is_eligible:
            # Still eligible, as almost everyone: only the master data may differ.
            if same_values:
                counts["unchanged"] += 1
            else:
                differing.append((entry, values, dict(zip(STATE, entry[2:], strict=True)), None))
            continue
        state, action = _target_state(entry, record, plan.as_of)
        if same_values and tuple(state[name] for name in STATE) == entry[2:]:
            counts["unchanged"] += 1
            continue
        differing.append((entry, values, state, action))
    return seen, differing


def _absences(plan, current, present):
    """The active people the file does not name: excluded, to be reviewed."""
    if plan.absences_skipped:
        log.warning(
            "%d rejected record(s) without a readable resident number: "
            "no exclusion for absence in this extract",
            plan.absences_skipped,
        )
        return []
    absent_state = {
        "status": STATUS_EXCLUDED,
        "excluded_on": plan.as_of,
        "exclusion_reason": NOT_EXTRACTED,
        "needs_review": True,
    }
    return [
        (entry, None, absent_state, "exclude")
        for resident_no, entry in current.items()
        if entry[2] == STATUS_ACTIVE and resident_no not in present
    ]


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


def plan_import(records, errors, data_count, as_of, current, now, fetch, dates_as_text=False):
    """Decide what the extract changes.  Reads only through ``fetch``; writes nothing.

    :param records: valid :class:`~app.hostlink.records.Record` objects.
    :param errors: :class:`~app.hostlink.records.RecordError` objects; the
        people they name are left exactly as they are.
    :param current: :func:`load_current`'s result.
    :param now: the time stamped on changed rows.
    :param fetch: ``fetch(ids) -> {id: compared values}`` for the residents
        whose digest or state differs (see :func:`fetch_compared`).
    :param dates_as_text: the digests were made from dates as ISO text (SQLite).
    :returns: :class:`Plan`.
    """
    plan = Plan(as_of=as_of, data_count=data_count)
    plan.counts["rejected"] = len({error.line_no for error in errors})
    untouchable, plan.absences_skipped = _untouchable(errors)
    plan.existing = len(current)
    plan.active_before = sum(1 for entry in current.values() if entry[2] == STATUS_ACTIVE)
    seen, differing = _compare_records(plan, records, current, now, dates_as_text)
    differing += _absences(plan, current, seen | untouchable)
    before_values = fetch([entry[0] for entry, *_ in differing])
    _add_changes(plan, differing, before_values, now)
    return plan


def write_plan(session, plan, source, now):
    """Apply ``plan`` in the session's transaction (the caller commits).

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
        with indexes_rebuilt_if_bulk(conn, t, len(plan.inserts), plan.existing):
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
    log.info(
        "host extract as of %s: %s",
        plan.as_of.isoformat(),
        ", ".join(f"{k} {v}" for k, v in plan.counts.items()),
    )
