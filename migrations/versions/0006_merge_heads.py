"""One head again: merges the feature branches 0002–0005.

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005

Until now each feature's migration revised 0001, which left four heads: a plain
``flask db upgrade`` (or ``flask db migrate``) refused to choose.  This merge
changes no table; new migrations revise it (or whatever is the head then).
"""

revision = "0006"
down_revision = ("0002", "0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
