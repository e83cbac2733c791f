"""letters: mass mailing runs and their letters

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mass_mailing_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("cutoff_date", sa.Date(), nullable=False),
        sa.Column("mailing_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("output_dir", sa.String(length=500), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["requested_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mass_mailing_run", schema=None) as batch_op:
        batch_op.create_index("ix_mass_mailing_run_fiscal_year", ["fiscal_year"], unique=False)
        batch_op.create_index("ix_mass_mailing_run_status", ["status"], unique=False)

    op.create_table(
        "mass_mailing_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("issuance_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["issuance_id"], ["issuance.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["mass_mailing_run.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuance_id"),
        sa.UniqueConstraint("run_id", "seq", name="uq_mass_mailing_item_run_seq"),
    )


def downgrade():
    op.drop_table("mass_mailing_item")
    with op.batch_alter_table("mass_mailing_run", schema=None) as batch_op:
        batch_op.drop_index("ix_mass_mailing_run_status")
        batch_op.drop_index("ix_mass_mailing_run_fiscal_year")
    op.drop_table("mass_mailing_run")
