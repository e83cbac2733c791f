"""pass table: the year/date index gains the holder (statistics)

Revision ID: 0016
Revises: 0015

``ix_issuance_fy_issued`` (fiscal_year, issued_on), made by 0005 for the pass
list, becomes ``ix_issuance_fy_issued_person`` (fiscal_year, issued_on,
resident_id): the pass list uses it as before, and the statistics' count of a
year's passes per person up to a date (issue 14) reads the index alone.
``ix_issuance_resident_id`` becomes ``ix_issuance_resident_issued``
(resident_id, issued_on): a person's passes as before, and "held a pass issued
by this date" from the index alone.
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_issuance_fy_issued_person", "issuance", ["fiscal_year", "issued_on", "resident_id"]
    )
    op.drop_index("ix_issuance_fy_issued", table_name="issuance")
    op.create_index("ix_issuance_resident_issued", "issuance", ["resident_id", "issued_on"])
    op.drop_index("ix_issuance_resident_id", table_name="issuance")
    # The planners choose the new index only once they know the table's
    # statistics (SQLite keeps none until ANALYZE).
    op.execute("ANALYZE issuance")


def downgrade():
    op.create_index("ix_issuance_resident_id", "issuance", ["resident_id"])
    op.drop_index("ix_issuance_resident_issued", table_name="issuance")
    op.create_index("ix_issuance_fy_issued", "issuance", ["fiscal_year", "issued_on"])
    op.drop_index("ix_issuance_fy_issued_person", table_name="issuance")
