"""access log: the people a list showed (access_log_person)

Revision ID: 0010
Revises: 0009

An access-log row of a list (a search page, the pass list, returns, a
checklist, a mass-mailing file, a host-link run's or a ledger run's people)
names every person it showed in ``access_log_person`` (issue 11, item 9), so
that the search by 住民番号 finds the lists as well as the single reads.

The table is as append-only as the log: an UPDATE is refused, and a DELETE
only once the log row it belongs to is gone — which the log's own retention
trigger allows only past the retention period — so a person cannot be taken
out of a list that is still kept.  On PostgreSQL TRUNCATE is refused too.  On
SQLite ``INSERT OR REPLACE`` can only put back the same pair (the key is the
whole row), so it changes nothing.  What a database superuser can still do is
in docs/security.md.

Rows the log already holds that named several people in their detail (the
REST API's ``resident_nos``, the ledger run page's ``people_shown``) are
copied into the table.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KEPT = "access_log_person rows of a kept access_log row cannot be deleted"
CHANGED = "access_log_person is append-only: rows cannot be changed"

SQLITE_TRIGGERS = {
    "access_log_person_no_update": f"""
    CREATE TRIGGER access_log_person_no_update BEFORE UPDATE ON access_log_person
    BEGIN
        SELECT RAISE(ABORT, '{CHANGED}');
    END
    """,
    "access_log_person_keep": f"""
    CREATE TRIGGER access_log_person_keep BEFORE DELETE ON access_log_person
    WHEN EXISTS (SELECT 1 FROM access_log WHERE id = OLD.log_id)
    BEGIN
        SELECT RAISE(ABORT, '{KEPT}');
    END
    """,
}

PG_STATEMENTS = [
    f"""
    CREATE FUNCTION access_log_person_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '{CHANGED}';
        END IF;
        IF EXISTS (SELECT 1 FROM access_log WHERE id = OLD.log_id) THEN
            RAISE EXCEPTION '{KEPT}';
        END IF;
        RETURN OLD;
    END
    $$
    """,
    """
    CREATE TRIGGER access_log_person_guard BEFORE UPDATE OR DELETE ON access_log_person
    FOR EACH ROW EXECUTE FUNCTION access_log_person_guard()
    """,
    # access_log_no_truncate() (migration 0004) only raises: shared.
    """
    CREATE TRIGGER access_log_person_no_truncate BEFORE TRUNCATE ON access_log_person
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_no_truncate()
    """,
]

# Details of rows written before this table existed that name several people.
DETAIL_LISTS = {"api.read": "resident_nos", "ledger.view": "people_shown"}
BATCH = 1000


def _numbers(detail, key):
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return set()
    values = detail.get(key) if isinstance(detail, dict) else None
    if not isinstance(values, list):
        return set()
    return {str(v) for v in values if str(v).isdigit() and len(str(v)) <= 10}


def _copy_named_people(bind, people):
    log = sa.table(
        "access_log", sa.column("id"), sa.column("action"), sa.column("detail", sa.JSON)
    )
    rows = bind.execute(
        sa.select(log.c.id, log.c.action, log.c.detail).where(log.c.action.in_(DETAIL_LISTS))
    )
    batch = []
    for log_id, action, detail in rows:
        batch += [
            {"log_id": log_id, "resident_no": n} for n in _numbers(detail, DETAIL_LISTS[action])
        ]
        if len(batch) >= BATCH:
            op.bulk_insert(people, batch)
            batch = []
    if batch:
        op.bulk_insert(people, batch)


def upgrade():
    people = op.create_table(
        "access_log_person",
        sa.Column("log_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("resident_no", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("log_id", "resident_no", name="pk_access_log_person"),
    )
    with op.batch_alter_table("access_log_person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_log_person_resident", ["resident_no", "log_id"], unique=False
        )
    bind = op.get_bind()
    _copy_named_people(bind, people)
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        for statement in PG_STATEMENTS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_person_no_truncate ON access_log_person")
        op.execute("DROP TRIGGER IF EXISTS access_log_person_guard ON access_log_person")
        op.execute("DROP FUNCTION IF EXISTS access_log_person_guard()")
    with op.batch_alter_table("access_log_person", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_person_resident")
    op.drop_table("access_log_person")
