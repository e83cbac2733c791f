"""name grams — issue 15 (bigram index of names)

Revision ID: 0014
Revises: 0013

Every resident gets the two-character grams of ``name_key`` and ``kana_key``
(``name_grams``, ``kana_grams``; ``app.text.grams.name_grams``), computed here
for the people already held.  They are indexed by the database itself:

* PostgreSQL: ``text[]`` columns, each with a GIN index (``@>`` lookups); no
  extension.
* SQLite: the grams as FTS5 tokens in TEXT columns, the external-content FTS5
  table ``resident_name_fts`` over them, built here from the rows, and three
  triggers on ``resident`` keeping it in step.

``flask search rebuild-index`` recomputes the same from the keys at any time.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.residents.grams import SQLITE_DDL, SQLITE_DROP
from app.text.grams import fts_document, name_grams

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 5000
COLUMNS = ("name_grams", "kana_grams")


def _fill(conn, is_pg):
    rows = conn.execute(sa.text("SELECT id, name_key, kana_key FROM resident")).all()
    values = []
    for rid, nkey, kkey in rows:
        ngrams, kgrams = name_grams(nkey or ""), name_grams(kkey or "")
        if is_pg:
            values.append({"i": rid, "n": list(ngrams), "k": list(kgrams)})
        else:
            values.append({"i": rid, "n": fts_document(ngrams), "k": fts_document(kgrams)})
    statement = sa.text("UPDATE resident SET name_grams = :n, kana_grams = :k WHERE id = :i")
    if is_pg:
        statement = statement.bindparams(
            sa.bindparam("n", type_=postgresql.ARRAY(sa.Text)),
            sa.bindparam("k", type_=postgresql.ARRAY(sa.Text)),
        )
    for start in range(0, len(values), BATCH):
        conn.execute(statement, values[start : start + BATCH])


def upgrade():
    conn = op.get_bind()
    is_pg = conn.dialect.name == "postgresql"
    column_type = postgresql.ARRAY(sa.Text) if is_pg else sa.Text()
    default = sa.text("'{}'") if is_pg else sa.text("''")
    for name in COLUMNS:
        op.add_column(
            "resident", sa.Column(name, column_type, nullable=False, server_default=default)
        )
    _fill(conn, is_pg)
    if is_pg:
        for name in COLUMNS:
            op.alter_column("resident", name, server_default=None)
            op.create_index(f"ix_resident_{name}", "resident", [name], postgresql_using="gin")
        return
    for statement in SQLITE_DDL:
        op.execute(statement)
    op.execute("INSERT INTO resident_name_fts (resident_name_fts) VALUES ('rebuild')")


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for name in COLUMNS:
            op.drop_index(f"ix_resident_{name}", table_name="resident")
    else:
        for statement in SQLITE_DROP:
            op.execute(statement)
    for name in reversed(COLUMNS):
        op.drop_column("resident", name)
