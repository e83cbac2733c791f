"""The bigram index of names: its columns, its database objects, its lookups.

Every resident row carries the grams of its two search keys
(:func:`app.text.grams.name_grams` of ``name_key`` and of ``kana_key``) in
``name_grams`` and ``kana_grams``, written by whoever writes the keys (the host
import, corrections, the ledger migration, the demo data) in the same
statement.  The database indexes them with its own machinery:

* PostgreSQL: the columns are ``text[]`` with a GIN index each; a search asks
  ``name_grams @> ARRAY[grams of the text]`` (no extension needed).
* SQLite: the columns hold the grams as FTS5 tokens
  (:func:`app.text.grams.fts_document`) and the external-content FTS5 table
  ``resident_name_fts`` over them is kept in step by three triggers on
  ``resident``; a search asks for the phrase of the text's gram tokens.

The grams only narrow a search down: the caller still checks the text with
``LIKE`` on the rows found, so the people found are exactly those of a plain
``LIKE '%…%'`` scan (``tests/residents/test_namesearch_compare.py``).
"""

import functools
import logging

from sqlalchemy import Integer, Text, bindparam, column, literal, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DatabaseError
from sqlalchemy.types import TypeDecorator

from app.text import grams as text_grams
from app.text.kana import name_key, normalize_kana_query

log = logging.getLogger(__name__)

FTS_TABLE = "resident_name_fts"
GIN_INDEXES = {"name_grams": "ix_resident_name_grams", "kana_grams": "ix_resident_kana_grams"}

# SQLite: the FTS5 table over resident's gram columns and the triggers that keep
# it in step (the documented pattern for an external-content table).
SQLITE_DDL = (
    f"""
    CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        name_grams, kana_grams, content='resident', content_rowid='id', tokenize='ascii'
    )
    """,
    f"""
    CREATE TRIGGER resident_grams_insert AFTER INSERT ON resident BEGIN
        INSERT INTO {FTS_TABLE} (rowid, name_grams, kana_grams)
        VALUES (new.id, new.name_grams, new.kana_grams);
    END
    """,
    f"""
    CREATE TRIGGER resident_grams_delete AFTER DELETE ON resident BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, name_grams, kana_grams)
        VALUES ('delete', old.id, old.name_grams, old.kana_grams);
    END
    """,
    f"""
    CREATE TRIGGER resident_grams_update AFTER UPDATE OF name_grams, kana_grams ON resident
    BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, name_grams, kana_grams)
        VALUES ('delete', old.id, old.name_grams, old.kana_grams);
        INSERT INTO {FTS_TABLE} (rowid, name_grams, kana_grams)
        VALUES (new.id, new.name_grams, new.kana_grams);
    END
    """,
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS resident_grams_update",
    "DROP TRIGGER IF EXISTS resident_grams_delete",
    "DROP TRIGGER IF EXISTS resident_grams_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def outside_the_models(dialect_name):
    """Names of the search's schema objects that the models cannot describe
    on ``dialect_name``, for a comparison of the models with a database:
    SQLite's FTS5 table and its shadow tables (the models' GIN indexes exist
    only on PostgreSQL), PostgreSQL's kana-order index."""
    if dialect_name == "postgresql":
        # the kana order in byte collation (migration 0018): an expression
        # index with a collation, which the models' Index cannot state for
        # PostgreSQL alone
        return {"ix_resident_kana_order"}
    shadows = ("data", "idx", "content", "docsize", "config")
    return {FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in shadows), *GIN_INDEXES.values()}


def _copy_array(grams):
    """A gram tuple in PostgreSQL's COPY text format of a ``text[]``."""
    if grams is None:
        return "\\N"
    quoted = ('"' + g.replace("\\", "\\\\").replace('"', '\\"') + '"' for g in grams)
    # COPY's own escaping doubles the backslashes once more.
    return ("{" + ",".join(quoted) + "}").replace("\\", "\\\\")


def _sqlite_document(grams):
    return None if grams is None else text_grams.fts_document(tuple(grams))


class GramList(TypeDecorator):
    """A tuple of grams: ``text[]`` on PostgreSQL, FTS5 tokens in a TEXT column
    on SQLite (:func:`app.text.grams.fts_document`)."""

    impl = Text
    cache_ok = True
    # Conversions for app.db.bulk's hand-written statements and COPY.
    bulk_sqlite_value = staticmethod(_sqlite_document)
    bulk_copy_value = staticmethod(_copy_array)

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Text))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):
        if value is None or dialect.name == "postgresql":
            return None if value is None else list(value)
        return _sqlite_document(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "postgresql":
            return tuple(value)
        return text_grams.grams_of_document(value)


# The derived columns of a name and its kana, in :func:`search_columns` order.
SEARCH_COLUMNS = ("name_key", "kana_key", "name_grams", "kana_grams")


def search_values(name, kana):
    """:func:`search_columns` as ``{column: value}``."""
    return dict(zip(SEARCH_COLUMNS, search_columns(name, kana), strict=True))


def search_columns(name, kana):
    """``(name_key, kana_key, name_grams, kana_grams)`` of a name and its kana:
    the derived columns every writer of names stores with them."""
    nkey = name_key(name or "")
    kkey = normalize_kana_query(kana or "")
    return nkey, kkey, text_grams.name_grams(nkey), text_grams.name_grams(kkey)


# SQLite: a text more people than this hold is found by walking the kana index
# in order and keeping the holders (the first page needs a few hundred rows);
# fewer are fetched by id and sorted.  Measured at 89,086 people: 子 (28,000
# holders) 80 ms sorted, 11 ms walked; 渡辺 (1,000, all ワタ…, at the end of
# the kana order) 2 ms sorted, 45 ms walked.
MANY_HOLDERS = 4000


def _fts_match(grams_column, value):
    match = text_grams.fts_query(value)
    return None if match is None else f"{grams_column} : {match}"


def holders_at_least(session, column_name, value, count=None):
    """SQLite: whether at least ``count`` (default :data:`MANY_HOLDERS`) rows'
    grams hold ``value`` (counting stops there); ``False`` on PostgreSQL, whose planner has the statistics
    of the grams to decide by itself."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    match = _fts_match(_grams_column(column_name), value)
    if match is None:
        return False
    count = count or MANY_HOLDERS
    found = session.execute(_holders_statement(), {"gram_match": match, "n": count}).scalar_one()
    return found >= count


@functools.cache
def _holders_statement():
    # Built once per process: every name search asks it.
    return text(
        f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH :gram_match LIMIT :n)"
    )


def _grams_column(column_name):
    return "name_grams" if column_name == "name_key" else "kana_grams"


def contains_condition(column_name, value, dialect_name, in_kana_order=False):
    """A condition on ``resident`` narrowing to the rows whose key
    ``column_name`` (``name_key`` or ``kana_key``) may contain ``value``,
    answered by the gram index; ``None`` when ``value`` is empty.

    The caller adds the exact test (``LIKE``); the rows kept are the same.

    :param in_kana_order: SQLite: the caller walks the kana index (many
        holders, :func:`holders_at_least`): the ids are only checked against
        the index's answer, not looked up by it.
    """
    from app.residents.models import Resident

    grams_column = _grams_column(column_name)
    if dialect_name == "postgresql":
        grams = text_grams.query_grams(value)
        if not grams:
            return None
        grams_attr = getattr(Resident, grams_column)
        return grams_attr.op("@>")(literal(list(grams), ARRAY(Text)))
    match = _fts_match(grams_column, value)
    if match is None:
        return None
    found = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :gram_match")
    found = found.bindparams(gram_match=match).columns(column("rowid", Integer))
    # "+ 0" keeps SQLite from looking the rows up by id: it walks the kana index.
    ids = Resident.id + 0 if in_kana_order else Resident.id
    return ids.in_(found)


BATCH = 5000


def rebuild(session):
    """Recompute every resident's grams from their keys and rebuild the
    database's index, in the session's transaction (the caller commits).

    The row versions stay as they are: nothing a user edits changes.

    :returns: ``{"residents": n, "changed": n, "index_ok": bool}``.
    """
    from app.residents.models import Resident

    t = Resident.__table__
    conn = session.connection()
    changed = []
    count = 0
    rows = conn.execute(select(t.c.id, t.c.name_key, t.c.kana_key, t.c.name_grams, t.c.kana_grams))
    for rid, nkey, kkey, ngrams, kgrams in rows:
        count += 1
        want = (text_grams.name_grams(nkey or ""), text_grams.name_grams(kkey or ""))
        if (ngrams, kgrams) != want:
            changed.append({"b_id": rid, "b_name": want[0], "b_kana": want[1]})
    statement = (
        update(t)
        .where(t.c.id == bindparam("b_id"))
        .values(
            name_grams=bindparam("b_name", type_=t.c.name_grams.type),
            kana_grams=bindparam("b_kana", type_=t.c.kana_grams.type),
        )
    )
    for start in range(0, len(changed), BATCH):
        conn.execute(statement, changed[start : start + BATCH])
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
    else:
        for index in GIN_INDEXES.values():
            conn.exec_driver_sql(f"REINDEX INDEX {index}")
    log.info("name index rebuilt: %d residents, %d changed", count, len(changed))
    return {"residents": count, "changed": len(changed), "index_ok": integrity_ok(session)}


def integrity_ok(session):
    """SQLite: whether the FTS index agrees with the rows (FTS5's own
    ``integrity-check``); PostgreSQL: always (the GIN index is the database's)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return True
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(
                f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
            )
    except DatabaseError:
        return False
    return True
