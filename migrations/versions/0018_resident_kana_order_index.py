"""resident: the kana order as an index on PostgreSQL (byte order, then id)

Revision ID: 0018
Revises: 0017

The search lists people in kana order a page at a time.  The pattern index
of kana_key finds a prefix's rows but cannot give them in order, so each page
read and sorted every match (13,130 rows for イマ at 1.2 million people,
54 ms).  Walked in this index, a page reads its own rows only (0.35 ms).
"C" is byte order, which for UTF-8 is code-point order: the order SQLite's
binary collation gives, so both databases list people alike.  SQLite needs
nothing: its index of kana_key is already in that order.
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

INDEX = "ix_resident_kana_order"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'CREATE INDEX {INDEX} ON resident ((kana_key COLLATE "C"), id)')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {INDEX}")
