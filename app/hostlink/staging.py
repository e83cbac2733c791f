"""The staging table of a host import: the extract's records in the database,
so that comparing them with every resident is a few set-based statements
and not a dict of everyone in Python (1.2 million people in a large city).

Inside the apply transaction (:mod:`app.hostlink.apply`):

1. :func:`create` makes two temporary tables: ``hostlink_staging``, one row
   per data record of the file (a valid record with its values, a rejected
   one with only its resident number, so that nobody it names is touched),
   and ``hostlink_work``, the people something may happen to, by kind;
2. :func:`load` and :func:`load_rejected` write the records a chunk at a time
   (:mod:`app.db.bulk`: ``COPY`` on PostgreSQL);
3. :func:`sort_out` fills the work table with three ``INSERT … SELECT``: the
   records of people nobody holds (:data:`NEW`), the people whose values
   differ or whose eligibility the record may change (:data:`KNOWN`), and
   the active people the file does not name (:data:`ABSENT`);
4. :func:`new_batches` and :func:`known_batches` read those back a batch at
   a time, the resident's values beside the record's, for the rules of
   :mod:`app.hostlink.apply` to decide each.

Memory is that of one batch, whatever the size of the city.  PostgreSQL drops
the tables at the end of the transaction; on SQLite :func:`drop` does (and
:func:`create` drops what a killed import may have left on its connection).
"""

import logging

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)

from app.db.bulk import bulk_insert
from app.residents.models import HOST_FIELDS, STATUS_ACTIVE, Resident

log = logging.getLogger(__name__)

# Master data taken from the host, compared field by field.
COMPARED = (*HOST_FIELDS, "has_gaiji")
# The eligibility state a resident has and the importer may change.
CURRENT_STATE = ("status", "excluded_on", "exclusion_reason", "needs_review")
# What the record says of the person's residence, beside the values.
RECORD_STATE = ("eligible", "record_status", "status_changed_on")
NEW, KNOWN, ABSENT = 1, 2, 3
BATCH = 10_000

_resident = Resident.__table__
_metadata = MetaData()
STAGING = Table(
    "hostlink_staging",
    _metadata,
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("resident_no", String(10), nullable=False),
    Column("rejected", Boolean, nullable=False),
    *(Column(name, _resident.c[name].type) for name in COMPARED),
    Column("eligible", Boolean),
    Column("record_status", SmallInteger),
    Column("status_changed_on", Date),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
WORK = Table(
    "hostlink_work",
    _metadata,
    Column("kind", SmallInteger, primary_key=True, autoincrement=False),
    Column("ref", Integer, primary_key=True, autoincrement=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_LOADED = ("line_no", "resident_no", "rejected", *COMPARED, *RECORD_STATE)


def drop(conn):
    """Drop the tables (SQLite keeps temporary tables until the connection closes)."""
    for table in (WORK, STAGING):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")


def create(conn):
    """Create both tables, empty, in the connection's transaction."""
    if conn.dialect.name == "sqlite":
        drop(conn)
    STAGING.create(conn)
    WORK.create(conn)


def _staged(record):
    values = tuple(getattr(record, name) for name in COMPARED)
    state = (record.is_eligible, record.status, record.status_changed_on)
    return (record.line_no, record.resident_no, False, *values, *state)


def load(conn, records):
    """Write valid records (:class:`~app.hostlink.records.Record`); return their count."""
    bulk_insert(conn, STAGING, _LOADED, [_staged(record) for record in records])
    return len(records)


def load_rejected(conn, numbers_by_line):
    """Write the rejected records that name a person: ``{line_no: resident_no}``."""
    blank = (None,) * (len(COMPARED) + len(RECORD_STATE))
    rows = [(line, number, True, *blank) for line, number in sorted(numbers_by_line.items())]
    bulk_insert(conn, STAGING, _LOADED, rows)


def index(conn):
    """Index the resident numbers once the records are in (cheaper than
    keeping an index up to date row by row) and, on PostgreSQL, give the
    planner the table's statistics (autovacuum never sees a temporary table)."""
    conn.exec_driver_sql(
        f"CREATE UNIQUE INDEX ix_{STAGING.name}_no ON {STAGING.name} (resident_no)"
    )
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {STAGING.name}")


def _values_differ():
    s, r = STAGING.c, _resident.c
    return or_(*(s[name].is_distinct_from(r[name]) for name in COMPARED))


def sort_out(conn, last_id, with_absent):
    """Fill the work table; return ``{kind: count}``.

    :param last_id: the highest resident id before the import (people added
        by it are not compared again).
    :param with_absent: also the active people the file does not name.
    """
    s, r = STAGING.c, _resident.c
    new = select(literal(NEW), s.line_no).where(
        s.rejected.is_(False), ~exists().where(r.resident_no == s.resident_no)
    )
    known = (
        select(literal(KNOWN), r.id)
        .select_from(STAGING.join(_resident, r.resident_no == s.resident_no))
        .where(
            s.rejected.is_(False),
            r.id <= last_id,
            or_(_values_differ(), r.status != STATUS_ACTIVE, s.eligible.is_(False)),
        )
    )
    statements = [new, known]
    if with_absent:
        absent = select(literal(ABSENT), r.id).where(
            r.status == STATUS_ACTIVE,
            r.id <= last_id,
            ~exists().where(s.resident_no == r.resident_no),
        )
        statements.append(absent)
    for statement in statements:
        conn.execute(insert(WORK).from_select(["kind", "ref"], statement))
    counts = dict(conn.execute(select(WORK.c.kind, func.count()).group_by(WORK.c.kind)).all())
    return {kind: int(counts.get(kind, 0)) for kind in (NEW, KNOWN, ABSENT)}


def _batches(conn, statement, kind, size):
    """Keyset batches of ``statement`` (ordered by the work table's ref)."""
    size = size or BATCH
    after = 0
    while True:
        rows = conn.execute(
            statement.where(WORK.c.kind == kind, WORK.c.ref > after)
            .order_by(WORK.c.ref)
            .limit(size)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].ref


def new_batches(conn, size=None):
    """The records of new people in file order, ``size`` (default
    :data:`BATCH`) at a time: rows with
    ``ref`` (the line), ``resident_no``, the compared values and ``eligible``."""
    s = STAGING.c
    statement = select(WORK.c.ref, s.resident_no, *(s[name] for name in COMPARED), s.eligible)
    statement = statement.select_from(WORK.join(STAGING, s.line_no == WORK.c.ref))
    yield from _batches(conn, statement, NEW, size)


def known_batches(conn, kind, size=None):
    """The people of ``kind`` (:data:`KNOWN` or :data:`ABSENT`) by id,
    ``size`` at a time: rows with ``ref`` (the id), the resident's compared
    values and state, and the record's values as ``f_<name>`` and its
    :data:`RECORD_STATE` (``None`` for the absent)."""
    s, r = STAGING.c, _resident.c
    statement = select(
        WORK.c.ref,
        *(r[name] for name in (*COMPARED, *CURRENT_STATE)),
        *(s[name].label(f"f_{name}") for name in COMPARED),
        *(s[name] for name in RECORD_STATE),
    ).select_from(
        WORK.join(_resident, r.id == WORK.c.ref).outerjoin(STAGING, s.resident_no == r.resident_no)
    )
    yield from _batches(conn, statement, kind, size)
