"""Recording the newly eligible people of an applied host extract.

:func:`detect` looks at one applied import run once (a
:class:`~app.notices.models.NoticeDetection` says it was done) and records a
:class:`~app.notices.models.NewlyEligible` row for each person it added or
reinstated, with the reason (:mod:`app.notices.reasons`).  The people come
from the run's own plan when the import hands it over (right after its
transaction), else from the run's history rows (``source = hostlink:<id>``).

The first extract ever applied is the initial roster: it is recorded as looked
at, with nobody in it.
"""

import logging

from sqlalchemy import func, select

from app import clock
from app.db.bulk import bulk_insert
from app.db.transaction import transaction
from app.errors import DomainError, NotFound
from app.extensions import db
from app.history.models import ChangeLog
from app.hostlink.models import RUN_APPLIED, ImportRun
from app.notices import messages, reasons
from app.notices.models import NOTICE_PENDING, NewlyEligible, NoticeDetection
from app.residents.models import Resident

log = logging.getLogger(__name__)

_COLUMNS = ("resident_id", "import_run_id", "reason", "detected_on", "notice_state")
_CHUNK = 500


def applied_run(import_run_id):
    """The applied import run ``import_run_id``.

    :raises NotFound: no such run.
    :raises DomainError: the run was not applied.
    """
    run = db.session.get(ImportRun, import_run_id)
    if run is None:
        raise NotFound(messages.import_run_not_found(import_run_id))
    if run.status != RUN_APPLIED or run.as_of is None:
        raise DomainError(messages.import_run_not_applied(import_run_id))
    return run


def previous_as_of(run):
    """The 基準日 of the extract applied before ``run``, or ``None``."""
    return db.session.execute(
        select(func.max(ImportRun.as_of)).where(
            ImportRun.status == RUN_APPLIED, ImportRun.as_of < run.as_of
        )
    ).scalar()


def _ids_of(resident_numbers):
    numbers = list(resident_numbers)
    found = {}
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        rows = db.session.execute(
            select(Resident.resident_no, Resident.id).where(Resident.resident_no.in_(chunk))
        )
        found.update(rows.tuples().all())
    return [found[n] for n in numbers if n in found]


def candidates_from_plan(plan):
    """``[(resident_id, action, changes)]`` of a :class:`~app.hostlink.apply.Plan`
    just written: its new people and its reinstatements."""
    new_ids = _ids_of(row[0] for row in plan.inserts)
    found = [(resident_id, reasons.CREATED, {}) for resident_id in new_ids]
    found += [
        (resident_id, action, changes)
        for resident_id, action, changes in plan.history
        if action == reasons.REINSTATED
    ]
    return found


def candidates_from_history(import_run_id):
    """The same from the run's history rows (when no plan is at hand)."""
    rows = db.session.execute(
        select(ChangeLog.resident_id, ChangeLog.action, ChangeLog.changes).where(
            ChangeLog.source == f"hostlink:{import_run_id}",
            ChangeLog.action.in_((reasons.CREATED, reasons.REINSTATED)),
        )
    )
    return [(r.resident_id, r.action, r.changes or {}) for r in rows]


def _people(ids):
    """``{id: (birth_date, is_elderly)}`` of the residents ``ids``."""
    found = {}
    ids = list(ids)
    for start in range(0, len(ids), _CHUNK):
        rows = db.session.execute(
            select(Resident.id, Resident.birth_date, Resident.is_elderly).where(
                Resident.id.in_(ids[start : start + _CHUNK])
            )
        )
        found.update((r.id, (r.birth_date, bool(r.is_elderly))) for r in rows)
    return found


def classify(candidates, previous, as_of):
    """``[(resident_id, reason)]`` of the candidates, one per person."""
    people = _people({c[0] for c in candidates})
    chosen = {}
    for resident_id, action, changes in candidates:
        if resident_id not in people:
            continue
        birth_date, is_elderly = people[resident_id]
        chosen[resident_id] = reasons.reason_for(
            action, birth_date, is_elderly, previous, as_of, changes
        )
    return sorted(chosen.items())


def detect(import_run_id, plan=None):
    """Record the newly eligible people of an applied import run, once.

    :param plan: the run's :class:`~app.hostlink.apply.Plan`, when the import
        hands it over; otherwise the run's history is read.
    :returns: the run's :class:`NoticeDetection` (the existing one when it was
        looked at before).
    :raises NotFound: no such run.  :raises DomainError: not applied.
    """
    with transaction():
        existing = db.session.get(NoticeDetection, import_run_id)
        if existing is not None:
            return existing
        run = applied_run(import_run_id)
        previous = previous_as_of(run)
        found = []
        if previous is not None:
            candidates = (
                candidates_from_plan(plan)
                if plan is not None
                else candidates_from_history(import_run_id)
            )
            found = classify(candidates, previous, run.as_of)
        detection = NoticeDetection(
            import_run_id=run.id,
            as_of=run.as_of,
            previous_as_of=previous,
            count=len(found),
            detected_at=clock.now(),
        )
        db.session.add(detection)
        db.session.flush()
        rows = [
            (resident_id, run.id, reason, run.as_of, NOTICE_PENDING)
            for resident_id, reason in found
        ]
        bulk_insert(db.session.connection(), NewlyEligible.__table__, _COLUMNS, rows)
    log.info(
        "import run %s: %d newly eligible people (previous extract %s)",
        import_run_id,
        len(found),
        previous.isoformat() if previous else "none",
    )
    return detection


def detect_missing(since=None):
    """Look at every applied run (基準日 ``since`` or later) not looked at yet —
    one whose detection failed after its import, or applied before this
    feature existed.  :returns: the detections made."""
    query = (
        select(ImportRun.id)
        .outerjoin(NoticeDetection, NoticeDetection.import_run_id == ImportRun.id)
        .where(ImportRun.status == RUN_APPLIED, NoticeDetection.import_run_id.is_(None))
        .order_by(ImportRun.as_of)
    )
    if since is not None:
        query = query.where(ImportRun.as_of >= since)
    return [detect(run_id) for run_id in db.session.execute(query).scalars().all()]
