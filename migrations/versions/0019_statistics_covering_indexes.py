"""statistics: covering indexes on PostgreSQL, so the year-wide counts read
indexes, not the two large tables

Revision ID: 0019
Revises: 0018

At 1.2 million people and 3.5 million passes the statistics screen read the
pass table (583 MB) and the resident table (568 MB) several times over, and
took 12.7 s, past the pages' statement timeout.  Its statements need a few
narrow columns of each row: these indexes hold exactly those, so PostgreSQL
answers them by index-only scans (about a third of the pages for passes, an
eighth for residents).  The passes are in holder order within a year, so
counting each holder's passes streams through the index (no hash of 850,000
holders spilling to disk) and meets the people, in id order, by a merge join.  SQLite needs nothing: its indexes already carry the
row id, and its tables are small enough (89,086 people).

The indexes are not in the models: an ``INCLUDE`` index for PostgreSQL alone
cannot be stated there (``app.stats.indexes`` names them).
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

PASSES = "ix_issuance_stats"
PEOPLE = "ix_resident_stats"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX {PASSES} ON issuance (fiscal_year, resident_id) INCLUDE "
        "(issued_on, status, office_id, method, kind, reissue_reason, returned_on, resent_on)"
    )
    op.execute(
        f"CREATE INDEX {PEOPLE} ON resident (id) INCLUDE "
        "(birth_date, status, excluded_on, created_at, is_elderly, is_disabled, "
        "is_child_allowance)"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {PEOPLE}")
        op.execute(f"DROP INDEX {PASSES}")
