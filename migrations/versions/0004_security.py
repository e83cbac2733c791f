"""security: sign-in attempts, server-side sessions, append-only access log

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23

The access log is protected by the database itself: a trigger refuses every
UPDATE of a row and every DELETE of a row younger than the retention period
read from the one-row ``access_log_policy`` table (default 5 years).  On
PostgreSQL a statement trigger also refuses TRUNCATE, which row triggers do
not see.  Row times are local (Asia/Tokyo) and compared with the database's
UTC clock, which errs on the side of keeping a row a few hours longer.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

DEFAULT_RETENTION_YEARS = 5

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
    BEGIN
        SELECT RAISE(ABORT, 'access_log is append-only: rows cannot be changed');
    END
    """,
    f"""
    CREATE TRIGGER access_log_keep_retention BEFORE DELETE ON access_log
    WHEN OLD.at > datetime('now', '-' || COALESCE(
        (SELECT retention_years FROM access_log_policy WHERE id = 1),
        {DEFAULT_RETENTION_YEARS}) || ' years')
    BEGIN
        SELECT RAISE(ABORT, 'access_log rows inside the retention period cannot be deleted');
    END
    """,
    """
    CREATE TRIGGER access_log_policy_no_delete BEFORE DELETE ON access_log_policy
    BEGIN
        SELECT RAISE(ABORT, 'access_log_policy cannot be deleted');
    END
    """,
]

PG_STATEMENTS = [
    f"""
    CREATE FUNCTION access_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'access_log is append-only: rows cannot be changed';
        END IF;
        IF OLD.at > (now() AT TIME ZONE 'UTC') - make_interval(years => COALESCE(
                (SELECT retention_years FROM access_log_policy WHERE id = 1),
                {DEFAULT_RETENTION_YEARS})) THEN
            RAISE EXCEPTION 'access_log rows inside the retention period cannot be deleted';
        END IF;
        RETURN OLD;
    END
    $$
    """,
    """
    CREATE TRIGGER access_log_guard BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_guard()
    """,
    """
    CREATE FUNCTION access_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'access_log and its policy cannot be truncated';
    END
    $$
    """,
    """
    CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_no_truncate()
    """,
    """
    CREATE FUNCTION access_log_policy_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'access_log_policy cannot be deleted';
    END
    $$
    """,
    """
    CREATE TRIGGER access_log_policy_no_delete BEFORE DELETE ON access_log_policy
    FOR EACH ROW EXECUTE FUNCTION access_log_policy_no_delete()
    """,
    """
    CREATE TRIGGER access_log_policy_no_truncate BEFORE TRUNCATE ON access_log_policy
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_no_truncate()
    """,
]


def upgrade():
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_at", ["at"], unique=False)
        batch_op.create_index("ix_login_attempt_ip_at", ["ip", "at"], unique=False)

    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index("ix_user_session_user", ["user_id", "ended_at"], unique=False)

    op.create_table(
        "access_log_policy",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_access_log_policy_one_row"),
        sa.CheckConstraint("retention_years >= 1", name="ck_access_log_policy_years"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        sa.text(
            "INSERT INTO access_log_policy (id, retention_years) VALUES (1, :years)"
        ).bindparams(years=DEFAULT_RETENTION_YEARS)
    )

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in PG_STATEMENTS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in (
            "access_log_no_update",
            "access_log_keep_retention",
            "access_log_policy_no_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_guard ON access_log")
        op.execute("DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log")
        op.execute("DROP TRIGGER IF EXISTS access_log_policy_no_delete ON access_log_policy")
        op.execute("DROP TRIGGER IF EXISTS access_log_policy_no_truncate ON access_log_policy")
        op.execute("DROP FUNCTION IF EXISTS access_log_guard()")
        op.execute("DROP FUNCTION IF EXISTS access_log_no_truncate()")
        op.execute("DROP FUNCTION IF EXISTS access_log_policy_no_delete()")
    op.drop_table("access_log_policy")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index("ix_user_session_user")
    op.drop_table("user_session")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_ip_at")
        batch_op.drop_index("ix_login_attempt_at")
    op.drop_table("login_attempt")
