"""newly eligible — issue 12 (newly eligible people and their お知らせ postcards)

Three tables of ``app.notices``: ``notice_detection`` (one per applied import
run looked at), ``notice_newly_eligible`` (the people who became 事業対象者
with it, and the reason) and ``notice_run`` (one postcard PDF and its list).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notice_detection",
        sa.Column("import_run_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("previous_as_of", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_run.id"]),
        sa.PrimaryKeyConstraint("import_run_id"),
    )
    op.create_table(
        "notice_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("only_unsent", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("output_dir", sa.String(length=500), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_run.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice_run", schema=None) as batch_op:
        batch_op.create_index("ix_notice_run_status", ["status"], unique=False)
    op.create_table(
        "notice_newly_eligible",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("notice_run_id", sa.Integer(), nullable=True),
        sa.Column("notice_state", sa.String(length=10), nullable=False),
        sa.Column("skip_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_run.id"]),
        sa.ForeignKeyConstraint(["notice_run_id"], ["notice_run.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("import_run_id", "resident_id", name="uq_notice_newly_eligible_run"),
    )
    with op.batch_alter_table("notice_newly_eligible", schema=None) as batch_op:
        batch_op.create_index("ix_notice_newly_eligible_detected_on", ["detected_on"], unique=False)
        batch_op.create_index("ix_notice_newly_eligible_resident", ["resident_id"], unique=False)


def downgrade():
    with op.batch_alter_table("notice_newly_eligible", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_newly_eligible_resident")
        batch_op.drop_index("ix_notice_newly_eligible_detected_on")
    op.drop_table("notice_newly_eligible")
    with op.batch_alter_table("notice_run", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_run_status")
    op.drop_table("notice_run")
    op.drop_table("notice_detection")
