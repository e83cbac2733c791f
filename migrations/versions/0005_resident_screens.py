"""resident screens: indexes of the pass list

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

RETURNED_OPEN = "returned_on IS NOT NULL AND resent_on IS NULL"


def upgrade():
    op.create_index("ix_issuance_fy_issued", "issuance", ["fiscal_year", "issued_on"])
    op.create_index(
        "ix_issuance_returned_open",
        "issuance",
        ["issued_on"],
        sqlite_where=sa.text(RETURNED_OPEN),
        postgresql_where=sa.text(RETURNED_OPEN),
    )


def downgrade():
    op.drop_index("ix_issuance_returned_open", table_name="issuance")
    op.drop_index("ix_issuance_fy_issued", table_name="issuance")
