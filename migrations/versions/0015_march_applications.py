"""march applications — issue 12 (March applications for the next fiscal year, 順次発送)

Revision ID: 0015
Revises: 0014

``march_number_counter``: the 順次発送 numbers per fiscal year (the 整理番号
of a next-year pass is ``MARCH_CONTROL_NO_START - 1`` plus the counter, after
any mass mailing's block).  ``march_batch`` / ``march_batch_item``: the daily
batches of their letters, each pass in one batch at most.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "march_number_counter",
        sa.Column("fiscal_year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
    )
    op.create_table(
        "march_batch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("batch_date", sa.Date(), nullable=False),
        sa.Column("letters", sa.Integer(), nullable=False),
        sa.Column("first_no", sa.Integer(), nullable=True),
        sa.Column("last_no", sa.Integer(), nullable=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("output_dir", sa.String(length=500), nullable=True),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("ab_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_march_batch_fiscal_year", "march_batch", ["fiscal_year"])
    op.create_index("ix_march_batch_batch_date", "march_batch", ["batch_date"])
    op.create_table(
        "march_batch_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("march_batch.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "issuance_id", sa.Integer(), sa.ForeignKey("issuance.id"), nullable=False, unique=True
        ),
        sa.UniqueConstraint("batch_id", "seq", name="uq_march_batch_item_batch_seq"),
    )


def downgrade():
    op.drop_table("march_batch_item")
    op.drop_index("ix_march_batch_batch_date", table_name="march_batch")
    op.drop_index("ix_march_batch_fiscal_year", table_name="march_batch")
    op.drop_table("march_batch")
    op.drop_table("march_number_counter")
