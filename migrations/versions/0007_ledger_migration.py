"""ledger migration: runs, their report rows, migrated passes, erasure records

Revision ID: 0007
Revises: 0006

``ledger_erasure`` is append-only, enforced by the database as the access log
is: updates and deletes are refused (also TRUNCATE on PostgreSQL), and on
SQLite an INSERT that would replace an existing row (``INSERT OR REPLACE``,
``REPLACE``) is refused before SQLite's conflict resolution deletes it, which
it would do without firing a DELETE trigger.  A database superuser can still
drop the triggers; that is outside what the application can prevent.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APPLIED = "status = 'applied'"

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER ledger_erasure_no_update BEFORE UPDATE ON ledger_erasure
    BEGIN
        SELECT RAISE(ABORT, 'ledger_erasure is append-only: records cannot be changed');
    END
    """,
    """
    CREATE TRIGGER ledger_erasure_no_delete BEFORE DELETE ON ledger_erasure
    BEGIN
        SELECT RAISE(ABORT, 'ledger_erasure is append-only: records cannot be deleted');
    END
    """,
    """
    CREATE TRIGGER ledger_erasure_no_replace BEFORE INSERT ON ledger_erasure
    WHEN EXISTS (SELECT 1 FROM ledger_erasure WHERE id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'ledger_erasure is append-only: records cannot be replaced');
    END
    """,
]

POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION ledger_erasure_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger_erasure is append-only: records cannot be changed or deleted';
    END;
    $$
    """,
    """
    CREATE TRIGGER ledger_erasure_guard BEFORE UPDATE OR DELETE ON ledger_erasure
    FOR EACH ROW EXECUTE FUNCTION ledger_erasure_guard()
    """,
    """
    CREATE TRIGGER ledger_erasure_no_truncate BEFORE TRUNCATE ON ledger_erasure
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_erasure_guard()
    """,
]


def _create_runs():
    op.create_table(
        "ledger_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("trigger", sa.String(length=10), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("stored_path", sa.String(length=500), nullable=True),
        sa.Column("file_deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["applied_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_run_sha256", "ledger_run", ["sha256"])
    op.create_index(
        "uq_ledger_run_applied_sha256",
        "ledger_run",
        ["sha256"],
        unique=True,
        sqlite_where=sa.text(APPLIED),
        postgresql_where=sa.text(APPLIED),
    )
    op.create_table(
        "ledger_run_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("column", sa.String(length=60), nullable=False),
        sa.Column("resident_no", sa.String(length=20), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("app_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["ledger_run.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_run_item_run", "ledger_run_item", ["run_id", "kind", "id"])
    op.create_table(
        "ledger_pass",
        sa.Column("issuance_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["issuance_id"], ["issuance.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["ledger_run.id"]),
        sa.PrimaryKeyConstraint("issuance_id"),
    )
    op.create_index("ix_ledger_pass_run_id", "ledger_pass", ["run_id"])


def _create_erasures():
    op.create_table(
        "ledger_erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("erased_on", sa.Date(), nullable=False),
        sa.Column("erased_by_id", sa.Integer(), nullable=True),
        sa.Column("witness_id", sa.Integer(), nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["ledger_run.id"]),
        sa.ForeignKeyConstraint(["erased_by_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["witness_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["corrects_id"], ["ledger_erasure.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_erasure_run_id", "ledger_erasure", ["run_id"])
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade():
    _create_runs()
    _create_erasures()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE ledger_erasure")
        op.execute("DROP FUNCTION ledger_erasure_guard()")
    else:
        op.drop_table("ledger_erasure")
    op.drop_table("ledger_pass")
    op.drop_table("ledger_run_item")
    op.drop_table("ledger_run")
