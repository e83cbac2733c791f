"""access log: no replacement of a row, no shortening of the retention period

Revision ID: 0008
Revises: 0007

Closes two gaps in what migration 0004 enforces (issue 11, item 1):

* On SQLite ``INSERT OR REPLACE INTO access_log (id, …)`` or ``REPLACE INTO``
  with an existing id deletes the old row during conflict resolution without
  firing the DELETE trigger (unless recursive triggers are on), so a row could
  be rewritten.  A BEFORE INSERT trigger now refuses an id that already exists,
  as 0007 does for ``ledger_erasure``; the same for the policy row, which could
  otherwise be replaced with a shorter period.  PostgreSQL has no REPLACE, and
  its ``INSERT … ON CONFLICT DO UPDATE`` fires the UPDATE trigger, refused.
* The retention period the DELETE trigger reads from ``access_log_policy`` could
  be ``UPDATE``d to 1 year, which made younger rows deletable.  An UPDATE may
  now only keep or raise it (``flask audit purge --years N`` raises it); a
  lower value is refused on both engines.

What a database superuser (or, on SQLite, whoever can write the file) can
still do is in docs/security.md.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SHORTENED = "access_log_policy: the retention period cannot be shortened"

SQLITE_TRIGGERS = {
    "access_log_no_replace": """
    CREATE TRIGGER access_log_no_replace BEFORE INSERT ON access_log
    WHEN EXISTS (SELECT 1 FROM access_log WHERE id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'access_log is append-only: rows cannot be replaced');
    END
    """,
    "access_log_policy_no_replace": """
    CREATE TRIGGER access_log_policy_no_replace BEFORE INSERT ON access_log_policy
    WHEN EXISTS (SELECT 1 FROM access_log_policy WHERE id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'access_log_policy cannot be replaced');
    END
    """,
    "access_log_policy_no_shortening": f"""
    CREATE TRIGGER access_log_policy_no_shortening BEFORE UPDATE ON access_log_policy
    WHEN NEW.retention_years IS NULL OR NEW.retention_years < OLD.retention_years
        OR NEW.id IS NOT OLD.id
    BEGIN
        SELECT RAISE(ABORT, '{SHORTENED}');
    END
    """,
}

PG_STATEMENTS = [
    f"""
    CREATE FUNCTION access_log_policy_no_shortening() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.retention_years IS NULL OR NEW.retention_years < OLD.retention_years
                OR NEW.id IS DISTINCT FROM OLD.id THEN
            RAISE EXCEPTION '{SHORTENED}';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER access_log_policy_no_shortening BEFORE UPDATE ON access_log_policy
    FOR EACH ROW EXECUTE FUNCTION access_log_policy_no_shortening()
    """,
]


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in PG_STATEMENTS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_policy_no_shortening ON access_log_policy")
        op.execute("DROP FUNCTION IF EXISTS access_log_policy_no_shortening()")
