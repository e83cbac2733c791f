"""pass table: the day of issue indexed with the id (the pass list's order)

Revision ID: 0020
Revises: 0019

The pass list shows passes newest issue first, the id deciding among the
passes of one day.  ``ix_issuance_issued_on`` gave the days in order but not
the passes within a day, so PostgreSQL read every pass of the newest day and
sorted them before showing 50; on a busy day (the soak test's hour, 2,668
passes) the page's p95 doubled.  ``ix_issuance_issued_id`` gives the whole
order.  SQLite's index already ended with the row id; it changes name only.
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_issuance_issued_id", "issuance", ["issued_on", "id"])
    op.drop_index("ix_issuance_issued_on", table_name="issuance")


def downgrade():
    op.create_index("ix_issuance_issued_on", "issuance", ["issued_on"])
    op.drop_index("ix_issuance_issued_id", table_name="issuance")
