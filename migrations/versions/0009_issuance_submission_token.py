"""issuance: the submission token of the form that recorded a pass

Revision ID: 0009
Revises: 0008

The double-submission guard of the counter screen (issue 11, item 11): each
rendered application form carries a random token, stored on the pass it
records; a partial unique index lets one form record at most one pass, and a
resubmission of the same form is recognised by its token alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WHERE = "submission_token IS NOT NULL"


def upgrade():
    with op.batch_alter_table("issuance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_token", sa.String(length=43), nullable=True))
        batch_op.create_index(
            "uq_issuance_submission_token",
            ["submission_token"],
            unique=True,
            sqlite_where=sa.text(WHERE),
            postgresql_where=sa.text(WHERE),
        )


def downgrade():
    with op.batch_alter_table("issuance", schema=None) as batch_op:
        batch_op.drop_index("uq_issuance_submission_token")
        batch_op.drop_column("submission_token")
