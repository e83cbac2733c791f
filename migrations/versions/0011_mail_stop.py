"""mail stop — issue 12 (送付停止, returned mail, mass-mailing selection)

Revision ID: 0011
Revises: 0010

``mail_stop``: 送付停止 of a person (reason, since, who), lifted rather than
deleted; a partial unique index keeps one active stop per person.
``return_clearance``: a clerk's clearing of a returned letter (返戻未解決の解除)
with its reason.  The pass status ``handed_back`` (返還) needs no schema
change: the one-valid-pass index counts only ``status = 'valid'``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ACTIVE = "lifted_at IS NULL"


def upgrade():
    op.create_table(
        "mail_stop",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("issuance_id", sa.Integer(), sa.ForeignKey("issuance.id"), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("ab_user.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), sa.ForeignKey("ab_user.id"), nullable=True),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_mail_stop_resident_id", "mail_stop", ["resident_id"])
    op.create_index(
        "uq_mail_stop_active",
        "mail_stop",
        ["resident_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )
    op.create_table(
        "return_clearance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issuance_id", sa.Integer(), sa.ForeignKey("issuance.id"), nullable=False),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=False),
        sa.Column("cleared_by_id", sa.Integer(), sa.ForeignKey("ab_user.id"), nullable=True),
        sa.Column("cleared_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_return_clearance_issuance_id", "return_clearance", ["issuance_id"])


def downgrade():
    op.drop_index("ix_return_clearance_issuance_id", table_name="return_clearance")
    op.drop_table("return_clearance")
    op.drop_index("uq_mail_stop_active", table_name="mail_stop")
    op.drop_index("ix_mail_stop_resident_id", table_name="mail_stop")
    op.drop_table("mail_stop")
