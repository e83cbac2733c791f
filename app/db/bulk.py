"""The one bulk-write module: many rows in, fast, inside the caller's transaction.

Used by every loader of many rows (the host import, the demo data, the ledger
migration, the mass mailing).  Rows are tuples in the order of ``names``.

* SQLite: the driver's ``executemany`` with values converted as SQLAlchemy
  would (its per-row parameter handling would double the time).
* PostgreSQL: ``COPY … FROM STDIN``, an order of magnitude faster than
  multi-row INSERTs; updates go through a temporary table and one
  ``UPDATE … FROM``.
* Other databases: SQLAlchemy Core.

A column type of its own (``app.residents.grams.GramList``) gives its
conversions as ``bulk_sqlite_value`` and ``bulk_copy_value``; its values must
be hashable (tuples).

Nothing here commits: the caller's transaction (:mod:`app.db.transaction`)
decides, so a failed load leaves nothing behind.
"""

import io
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeEngine

log = logging.getLogger(__name__)

CHUNK_ROWS = 10_000
# maintenance_work_mem while the indexes are built again after a first load.
BUILD_MEMORY = "512MB"

Row = Sequence[Any]
Converter = Callable[[Any], Any]

_NEEDS_ESCAPE = re.compile("[\\\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _sqlite_json(value: Any) -> str:
    return json.dumps(value) if value else "{}"


def _sqlite_value(column_type: TypeEngine[Any]) -> Converter | None:
    """The conversion SQLAlchemy makes for SQLite, or ``None`` (str, int, bool)."""
    custom: Converter | None = getattr(column_type, "bulk_sqlite_value", None)
    if custom is not None:
        return custom
    if isinstance(column_type, DateTime):
        return lambda v: None if v is None else f"{v:%Y-%m-%d %H:%M:%S}.{v.microsecond:06d}"
    if isinstance(column_type, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(column_type, JSON):
        return _sqlite_json
    return None


def _copy_text(value: Any) -> str:
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _copy_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES) if value else "{}"


def _copy_value(column_type: TypeEngine[Any]) -> Converter:
    """The text of a value in PostgreSQL's COPY text format (NULL is \\N)."""
    custom: Converter | None = getattr(column_type, "bulk_copy_value", None)
    if custom is not None:
        return custom
    if isinstance(column_type, Boolean):
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if isinstance(column_type, (Date, DateTime)):
        return lambda v: "\\N" if v is None else v.isoformat()
    if isinstance(column_type, JSON):
        return _copy_json
    if isinstance(column_type, Integer):
        return lambda v: "\\N" if v is None else str(int(v))
    return _copy_text


def _columns(
    rows: Sequence[Row],
    table: Table,
    names: Sequence[str],
    converter: Callable[[TypeEngine[Any]], Converter | None],
) -> list[Sequence[Any]]:
    """``rows`` transposed, each column run through ``converter(type)``.

    Converted values are memoised per column (a file has few distinct dates
    and one time stamp) and column-wise ``map`` keeps the loop in C; a text
    column with nothing to escape and no NULL is left as it is.
    """
    transposed: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for index, name in enumerate(names):
        convert = converter(table.c[name].type)
        if convert is None:
            continue
        column = transposed[index]
        if isinstance(table.c[name].type, JSON):
            transposed[index] = list(map(convert, column))
            continue
        distinct = set(column)
        if (
            convert is _copy_text
            and None not in distinct
            and not _NEEDS_ESCAPE.search("".join(map(str, distinct)))
        ):
            continue
        memo = {value: convert(value) for value in distinct}
        transposed[index] = list(map(memo.__getitem__, column))
    return transposed


def _quoted(names: Sequence[str]) -> str:
    """Column names for hand-written SQL, quoted: some are reserved words
    (``row``, ``column``) on PostgreSQL."""
    return ", ".join(f'"{name}"' for name in names)


def _copy_in(
    conn: Connection, table_name: str, names: Sequence[str], columns: Sequence[Any]
) -> None:
    """Stream columns into a PostgreSQL table with COPY (same transaction)."""
    lines = "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(f"COPY {table_name} ({_quoted(names)}) FROM STDIN", io.StringIO(lines))
    finally:
        cursor.close()


def _chunks(rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
    # Converting all rows at once would hold a second copy of the data.
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows[start : start + CHUNK_ROWS]


def rows_of(dicts: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and tuples of a list of dicts that all have the same keys."""
    if not dicts:
        return [], []
    names = list(dicts[0])
    return names, [tuple(row[name] for name in names) for row in dicts]


def bulk_insert(conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Row]) -> None:
    """INSERT many rows (tuples in ``names`` order) into ``table``."""
    if not rows:
        return
    dialect = conn.dialect.name
    sql = f"INSERT INTO {table.name} ({_quoted(names)}) VALUES ({', '.join('?' * len(names))})"
    for chunk in _chunks(rows):
        if dialect == "sqlite":
            columns = _columns(chunk, table, names, _sqlite_value)
            conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))
        elif dialect == "postgresql":
            _copy_in(conn, table.name, names, _columns(chunk, table, names, _copy_value))
        else:
            conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in chunk])


def bulk_insert_dicts(conn: Connection, table: Table, dicts: Sequence[Mapping[str, Any]]) -> None:
    """:func:`bulk_insert` of rows given as dicts with the same keys."""
    names, rows = rows_of(dicts)
    bulk_insert(conn, table, names, rows)


def _staging_update(conn: Connection, table: Table, names: Sequence[str], staging: str) -> None:
    assignments = ", ".join(f"{name} = s.{name}" for name in names)
    conn.exec_driver_sql(
        f"UPDATE {table.name} AS t SET {assignments}, version = t.version + 1 "
        f"FROM {staging} AS s WHERE t.id = s.id"
    )
    conn.exec_driver_sql(f"DROP TABLE {staging}")


def bulk_update_by_id(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Row]
) -> None:
    """UPDATE many rows by ``id`` (tuples: ``names`` values, then the id);
    every row's ``version`` goes up by one.

    SQLite: ``executemany`` of one UPDATE by primary key.  PostgreSQL: COPY
    into a temporary table, then one ``UPDATE … FROM``.
    """
    if not rows:
        return
    dialect = conn.dialect.name
    all_names = (*names, "id")
    staging = f"_bulk_{table.name}"
    if dialect == "postgresql":
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {_quoted(all_names)} FROM {table.name} WITH NO DATA"
        )
    assignments = ", ".join(f"{name} = ?" for name in names)
    sql = f"UPDATE {table.name} SET {assignments}, version = version + 1 WHERE id = ?"
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(name) for name in names})
        .values(version=table.c.version + 1)
    )
    for chunk in _chunks(rows):
        if dialect == "sqlite":
            columns = _columns(chunk, table, all_names, _sqlite_value)
            conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))
        elif dialect == "postgresql":
            _copy_in(conn, staging, all_names, _columns(chunk, table, all_names, _copy_value))
        else:
            keys = (*names, "b_id")
            conn.execute(statement, [dict(zip(keys, row, strict=True)) for row in chunk])
    if dialect == "postgresql":
        _staging_update(conn, table, names, staging)


_PG_SECONDARY_INDEXES = """
SELECT i.relname, pg_get_indexdef(i.oid)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relname = %(table)s AND pg_table_is_visible(t.oid)
  AND NOT x.indisunique AND NOT x.indisprimary
ORDER BY i.relname
"""


def _secondary_indexes(
    conn: Connection, table: Table
) -> list[tuple[Callable[[], Any], Callable[[], Any]]]:
    """``(drop, create)`` of each of the table's non-unique indexes.  On
    PostgreSQL every one the database holds, made again from its own
    ``CREATE INDEX`` (those a migration made by hand too: expression,
    collation, INCLUDE); elsewhere the models' (whose DDL knows which
    database each index is for)."""
    if conn.dialect.name != "postgresql":
        return [
            (partial(index.drop, conn), partial(index.create, conn))
            for index in table.indexes
            if not index.unique
        ]
    rows = conn.exec_driver_sql(_PG_SECONDARY_INDEXES, {"table": table.name}).all()
    return [
        (
            partial(conn.exec_driver_sql, f'DROP INDEX "{name}"'),
            partial(conn.exec_driver_sql, str(ddl)),
        )
        for name, ddl in rows
    ]


@contextmanager
def indexes_rebuilt_if_bulk(
    conn: Connection, table: Table, inserting: int, existing: int
) -> Iterator[None]:
    """Drop the secondary indexes around a load that more than doubles the
    table (a first load into an empty database) and build them again after:
    building an index once is much cheaper than many random inserts into it.
    Both databases run the DDL inside the caller's transaction, so a failure
    puts everything back.  Unique indexes stay: they guard the data.
    """
    if inserting <= max(existing, 1000):
        yield
        return
    indexes = _secondary_indexes(conn, table)
    for drop, _create in indexes:
        drop()
    yield
    if conn.dialect.name == "postgresql":
        # The default 64 MB makes the GIN index of a million names spill to
        # disk many times over; this transaction only.
        conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for _drop, create in indexes:
        create()


def fix_sequences(conn: Connection, tables: Sequence[str]) -> None:
    """PostgreSQL: ids were given explicitly, move the sequences past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def reserve_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """Ids for ``count`` rows to insert with explicit ids, so that rows written
    together can name one another (a pass and its history) without a round
    trip per row.

    PostgreSQL: drawn from the table's sequence, so concurrent inserts go on.
    SQLite: after the highest id; the caller's transaction must already hold
    the write lock (it has written something), or another writer could take
    the same ids.
    """
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        drawn = conn.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
            f"FROM generate_series(1, {int(count)})"
        )
        return sorted(int(value) for value in drawn.scalars())
    last = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
    return list(range(last + 1, last + count + 1))
