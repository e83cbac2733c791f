"""Step 1 of a run: create its passes, their history and its letter list in
ONE transaction (:func:`issue_passes`).

The passes are built by the one pass builder, :mod:`app.passes.rows`; the
整理番号 are a block from :func:`~app.passes.numbers.allocate_control_numbers`,
handed out in mailing (postal-code) order.
"""

import logging
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import DomainError
from app.extensions import db
from app.letters.mass_mailing.selection import Person, Skipped, select_people, summarize
from app.letters.models import MassMailingItem, MassMailingRun
from app.offices.models import Office
from app.passes import rows
from app.passes.numbers import allocate_control_numbers

log = logging.getLogger(__name__)

# Rows written per INSERT statement when issuing (bounds the memory it takes).
INSERT_CHUNK = 2000


def headquarters() -> Office:
    """The main office: it issues the passes and signs the letters.

    :raises DomainError: when no office is marked as the main one.
    """
    office = db.session.execute(select(Office).where(Office.is_headquarters.is_(True))).scalar()
    if office is None:
        raise DomainError(_("The main office is not set up."))
    return office


def audit_step(run: MassMailingRun, user: Any, detail: dict[str, Any]) -> None:
    """Log a step of ``run`` (queued, resumed, issued) as ``mass_mailing.run``."""
    audit.record("mass_mailing.run", target=f"mass_mailing:{run.id}", detail=detail, user=user)


def _pass_values(
    run: MassMailingRun, person: Person, number: int, office: Office, now: datetime
) -> dict[str, Any]:
    return rows.pass_values(
        resident_id=person["resident_id"],
        fiscal_year=run.fiscal_year,
        control_no=number,
        kind="renewal",
        applied_on=run.mailing_date,
        issued_on=run.mailing_date,
        office_id=office.id,
        method="mail",
        created_by_id=run.requested_by_id,
        now=now,
        destination=person["destination"],
    )


def _insert_passes(
    run: MassMailingRun,
    values: Sequence[dict[str, Any]],
    source: str,
    now: datetime,
    first_seq: int,
) -> list[int]:
    """Insert one chunk of passes with their history rows and letter items."""
    ids = rows.insert_passes(values, user_id=run.requested_by_id, source=source, now=now)
    db.session.execute(
        insert(MassMailingItem.__table__),
        [
            {"run_id": run.id, "seq": seq, "issuance_id": issuance_id}
            for seq, issuance_id in enumerate(ids, start=first_seq)
        ],
    )
    return ids


def _create_passes(
    run: MassMailingRun,
    people: list[Person],
    numbers: Sequence[int],
    office: Office,
    now: datetime,
) -> list[int]:
    """The passes of ``people``, numbered ``numbers``, in chunks of
    :data:`INSERT_CHUNK`."""
    source = f"mass_mailing:{run.id}"
    ids: list[int] = []
    for first in range(0, len(people), INSERT_CHUNK):
        chunk = zip(
            people[first : first + INSERT_CHUNK],
            numbers[first : first + INSERT_CHUNK],
            strict=True,
        )
        values = [_pass_values(run, person, number, office, now) for person, number in chunk]
        ids.extend(_insert_passes(run, values, source, now, first_seq=len(ids) + 1))
    return ids


def _record_issued(
    run: MassMailingRun,
    people: list[Person],
    skipped: list[Skipped],
    numbers: Sequence[int],
    ids: list[int],
    now: datetime,
) -> None:
    """Mark ``run`` as issued, with the figures of its selection."""
    run.total = len(ids)
    run.summary = {
        **summarize(people, skipped),
        "first_no": numbers[0] if numbers else None,
        "last_no": numbers[-1] if numbers else None,
        "skipped_people": skipped,
    }
    run.issued_at = now
    run.heartbeat_at = now
    detail = {
        "fiscal_year": run.fiscal_year,
        "step": "issued",
        "passes": len(ids),
        "skipped": run.summary["skipped"],
    }
    audit_step(run, run.requested_by, detail)


def issue_passes(run: MassMailingRun) -> None:
    """Create the passes of ``run`` in one transaction (nothing if already done).

    People who already have a pass for the year are not selected, so a second
    run issues nothing twice; a crash before the commit leaves nothing behind.
    """
    if run.issued_at is not None:
        return
    started = time.monotonic()
    people, skipped = select_people(run.fiscal_year, run.cutoff_date)
    office = headquarters()
    now = clock.now()
    with transaction():
        numbers = allocate_control_numbers(run.fiscal_year, len(people)) if people else []
        ids = _create_passes(run, people, numbers, office, now)
        _record_issued(run, people, skipped, numbers, ids, now)
    log.info(
        "mass mailing %s: %d passes issued, %d skipped (%.1fs)",
        run.id,
        len(ids),
        len(skipped),
        time.monotonic() - started,
    )
