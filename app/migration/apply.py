"""Reading the database for a plan and writing a plan, in the caller's one
transaction (:func:`app.migration.runs.import_ledger` commits or rolls back).

Rows are written set-wise through :mod:`app.db.bulk` (COPY on PostgreSQL):
90,000 people and 130,000 passes in one go.  Ids are reserved first so that a
pass, its history, its provenance row and the reissue replacing it can be
written together.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.db.bulk import bulk_insert, bulk_insert_dicts, bulk_update_by_id, reserve_ids
from app.history.models import ChangeLog
from app.history.services import history_row
from app.ledger import PassRow, PersonRow
from app.migration.models import MigratedPass
from app.migration.plan import KnownPass, KnownResident, NewPass, Plan, Snapshot
from app.offices.models import Office
from app.passes import rows as pass_rows
from app.passes.models import STATUS_SUPERSEDED, ControlNumberCounter, Issuance
from app.residents.grams import search_values
from app.residents.models import STATUS_EXCLUDED, Resident
from app.text.kana import has_gaiji

log = logging.getLogger(__name__)

RESIDENT = Resident.__table__
ISSUANCE = Issuance.__table__
HISTORY = ChangeLog.__table__
# Passes built and written per round: their dicts, not the workbook, would
# otherwise be the import's largest use of memory.
CHUNK = 5000
NOT_EXTRACTED = "not_extracted"
# The resident columns the plan reads (and compares).
_KNOWN_COLUMNS = (
    "id",
    "resident_no",
    "name",
    "birth_date",
    "mail_name",
    "mail_postal_code",
    "mail_address",
    "mail_reason",
    "note",
    "status",
)


def lock_tables(session: Session) -> None:
    """Keep others from writing people and passes until the import commits.

    PostgreSQL: table locks that let readers in and make a counter issue wait
    (seconds).  SQLite: its write lock, taken by a first write; the run's own
    row is written for that.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE resident, issuance IN SHARE ROW EXCLUSIVE MODE"))


def load_snapshot(session: Session, fiscal_years: Iterable[int]) -> Snapshot:
    """The residents, the passes of ``fiscal_years`` and the offices."""
    columns = [RESIDENT.c[name] for name in _KNOWN_COLUMNS]
    residents = {row.resident_no: KnownResident(*row) for row in session.execute(select(*columns))}
    migrated = select(MigratedPass.issuance_id)
    statement = select(
        ISSUANCE.c.id,
        ISSUANCE.c.fiscal_year,
        ISSUANCE.c.control_no,
        ISSUANCE.c.resident_id,
        ISSUANCE.c.status,
        ISSUANCE.c.kind,
        ISSUANCE.c.issued_on,
        ISSUANCE.c.id.in_(migrated),
    ).where(ISSUANCE.c.fiscal_year.in_(list(fiscal_years)))
    passes = [KnownPass(*row) for row in session.execute(statement)]
    offices = dict(session.execute(select(Office.code, Office.id)).tuples().all())
    return Snapshot(residents=residents, passes=passes, offices=offices)


def _person_values(person: PersonRow, migration_day: date, now: datetime) -> dict[str, Any]:
    return {
        "resident_no": person.resident_no,
        "name": person.name,
        "kana": person.kana,
        **search_values(person.name, person.kana),
        "sex": person.sex or 0,
        "birth_date": person.birth_date,
        "postal_code": person.postal_code,
        "address": person.address,
        "address2": person.address2,
        "phone": person.phone,
        "is_elderly": "elderly" in person.categories,
        "is_disabled": "disabled" in person.categories,
        "is_child_allowance": "child_allowance" in person.categories,
        "status": STATUS_EXCLUDED,
        "excluded_on": person.excluded_on or migration_day,
        "exclusion_reason": person.exclusion_reason or NOT_EXTRACTED,
        "needs_review": False,
        "has_gaiji": has_gaiji(person.name),
        "mail_name": person.mail_name,
        "mail_postal_code": person.mail_postal_code,
        "mail_address": person.mail_address,
        "mail_reason": (person.mail_reason or "other") if person.mail_address else None,
        "note": person.combined_note(),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _history(
    entity: str, entity_id: int, resident_id: int, action: str, changes: dict[str, Any], ctx: dict
) -> dict[str, Any]:
    return history_row(
        entity, entity_id, resident_id, action, changes, ctx["now"], ctx["user_id"], ctx["source"]
    )


def _write_people(conn: Any, plan: Plan, ids_by_no: dict[str, int], ctx: dict) -> list[dict]:
    """Insert the unknown people (excluded); return their history rows."""
    ids = reserve_ids(conn, RESIDENT, len(plan.new_people))
    rows = []
    history = []
    for resident_id, person in zip(ids, plan.new_people, strict=True):
        values = {"id": resident_id, **_person_values(person, ctx["today"], ctx["now"])}
        rows.append(values)
        ids_by_no[person.resident_no] = resident_id
        changes = {
            "status": [None, STATUS_EXCLUDED],
            "excluded_on": [None, values["excluded_on"].isoformat()],
            "exclusion_reason": [None, values["exclusion_reason"]],
        }
        history.append(_history("resident", resident_id, resident_id, "migrate", changes, ctx))
    bulk_insert_dicts(conn, RESIDENT, rows)
    return history


def _write_updates(conn: Any, plan: Plan, ctx: dict) -> list[dict]:
    """Take in the ledger's 送付先 and 備考 for matched people."""
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    history = []
    for known, changes in plan.updates:
        names = (*sorted(changes), "updated_at")
        values = (*(changes[n] for n in sorted(changes)), ctx["now"], known.id)
        by_columns.setdefault(names, []).append(values)
        before_after = {n: [getattr(known, n), changes[n]] for n in sorted(changes)}
        history.append(
            _history("resident", known.id, known.id, "migrate_update", before_after, ctx)
        )
    for names, rows in by_columns.items():
        bulk_update_by_id(conn, RESIDENT, names, rows)
    return history


def _pass_values(new: NewPass, pass_id: int, resident_id: int, ctx: dict) -> dict[str, Any]:
    row: PassRow = new.row
    return pass_rows.pass_values(
        resident_id=resident_id,
        fiscal_year=row.fiscal_year,
        control_no=row.control_no,
        kind=row.kind,
        applied_on=row.applied_on,
        issued_on=row.issued_on,
        office_id=ctx["offices"][row.office],
        method=row.method,
        created_by_id=ctx["user_id"],
        now=ctx["now"],
        id=pass_id,
        reissue_reason=row.reissue_reason,
        status="valid" if new.valid else STATUS_SUPERSEDED,
        returned_on=row.returned_on,
        resent_on=row.resent_on,
        note=row.combined_note(),
    )


def _write_pass_chunk(
    conn: Any, chunk: list[NewPass], ids: list[int], ids_by_no: dict[str, int], ctx: dict
) -> None:
    """Insert some of the passes with their provenance and history rows."""
    values = []
    provenance = []
    history = []
    for pass_id, new in zip(ids, chunk, strict=True):
        row = _pass_values(new, pass_id, ids_by_no[new.row.resident_no], ctx)
        values.append(row)
        provenance.append((pass_id, ctx["run_id"], new.row.sheet[:100], new.row.row))
        changes = pass_rows.creation_changes(row)
        history.append(_history("issuance", pass_id, row["resident_id"], "migrate", changes, ctx))
    bulk_insert_dicts(conn, ISSUANCE, values)
    bulk_insert(conn, MigratedPass.__table__, ("issuance_id", "run_id", "sheet", "row"), provenance)
    bulk_insert_dicts(conn, HISTORY, history)


def _write_passes(
    conn: Any, plan: Plan, ids: list[int], ids_by_no: dict[str, int], ctx: dict
) -> list[dict]:
    """Insert the passes (ids reserved) in chunks, with their provenance and
    history rows (bounded memory), then link the replaced ones."""
    for first in range(0, len(ids), CHUNK):
        _write_pass_chunk(conn, plan.new_passes[first : first + CHUNK], ids[first : first + CHUNK],
                          ids_by_no, ctx)  # fmt: skip
    # Links after the inserts: SQLite checks a foreign key at each row's statement.
    links = [
        (
            ids[new.superseded_by] if new.superseded_by is not None else new.superseded_by_existing,
            ids[i],
        )
        for i, new in enumerate(plan.new_passes)
        if not new.valid
    ]
    links += [(ids[index], existing_id) for existing_id, index in plan.superseded_existing.items()]
    if links:
        bulk_update_by_id(conn, ISSUANCE, ("superseded_by_id",), links)
    return []


def _supersede_existing(conn: Any, plan: Plan, snapshot: Snapshot, ctx: dict) -> list[dict]:
    """Application passes replaced by a later reissue from the ledger: no
    longer valid before the new pass is inserted (one valid pass per year, a
    unique index); linked to it afterwards (:func:`_write_passes`)."""
    rows = []
    history = []
    by_id = {p.id: p for p in snapshot.passes}
    for existing_id in plan.superseded_existing:
        rows.append((STATUS_SUPERSEDED, ctx["now"], existing_id))
        changes = {"status": ["valid", STATUS_SUPERSEDED]}
        resident_id = by_id[existing_id].resident_id
        history.append(_history("issuance", existing_id, resident_id, "supersede", changes, ctx))
    bulk_update_by_id(conn, ISSUANCE, ("status", "updated_at"), rows)
    return history


def _advance_counters(conn: Any, years: Iterable[int]) -> None:
    """Each year's 整理番号 counter continues after the highest number used
    (one grouped query; a counter already further on is kept)."""
    table = ControlNumberCounter.__table__
    highest = conn.execute(
        select(ISSUANCE.c.fiscal_year, func.max(ISSUANCE.c.control_no))
        .where(ISSUANCE.c.fiscal_year.in_(sorted(set(years))))
        .group_by(ISSUANCE.c.fiscal_year)
    ).all()
    postgres = conn.dialect.name == "postgresql"
    dialect_insert, larger = (pg_insert, func.greatest) if postgres else (sqlite_insert, func.max)
    for year, last_no in highest:
        statement = dialect_insert(table).values(fiscal_year=year, last_no=last_no)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["fiscal_year"],
                set_={"last_no": larger(table.c.last_no, statement.excluded.last_no)},
            )
        )


def write_plan(
    session: Session,
    plan: Plan,
    snapshot: Snapshot,
    *,
    run_id: int,
    user_id: int | None,
    today: date,
    now: datetime,
) -> None:
    """Write ``plan`` in the session's transaction (the caller commits)."""
    conn = session.connection()
    ctx = {
        "run_id": run_id,
        "user_id": user_id,
        "source": f"ledger:{run_id}",
        "today": today,
        "now": now,
        "offices": snapshot.offices,
    }
    ids_by_no = {no: known.id for no, known in snapshot.residents.items()}
    history = _write_people(conn, plan, ids_by_no, ctx)
    history += _write_updates(conn, plan, ctx)
    if plan.superseded_existing:
        history += _supersede_existing(conn, plan, snapshot, ctx)
    pass_ids = reserve_ids(conn, ISSUANCE, len(plan.new_passes))
    history += _write_passes(conn, plan, pass_ids, ids_by_no, ctx)
    bulk_insert_dicts(conn, HISTORY, history)
    _advance_counters(conn, {p.row.fiscal_year for p in plan.new_passes})
    log.info(
        "ledger run %s: %d people created, %d updated, %d passes",
        run_id,
        len(plan.new_people),
        len(plan.updates),
        len(plan.new_passes),
    )
