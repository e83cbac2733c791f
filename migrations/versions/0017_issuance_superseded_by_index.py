"""pass table: a partial index on superseded_by_id (the checklist's reissues)

Revision ID: 0017
Revises: 0016

The checklist names, for each reissue, the pass it replaced; without an index
that lookup read the whole pass table once per reissue.  Partial: only
replaced passes carry the column, a few percent of the rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_WHERE = sa.text("superseded_by_id IS NOT NULL")


def upgrade():
    op.create_index(
        "ix_issuance_superseded_by",
        "issuance",
        ["superseded_by_id"],
        sqlite_where=_WHERE,
        postgresql_where=_WHERE,
    )


def downgrade():
    op.drop_index("ix_issuance_superseded_by", table_name="issuance")
