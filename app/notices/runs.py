"""お知らせ runs: who is sent a postcard, the PDF and its list, the records.

A run is created (:func:`queue_run`) for the people detected with one import
run or in a period, and produced (:func:`execute_run`) — at once on the screen
and the command line, by the scheduler after an import or once a month.  The
one place that decides who is sent a postcard is :func:`select`: the newly
eligible people of the run's scope, less those who already have a pass for
the current fiscal year, whose mailing is stopped (送付停止), who are no longer
eligible, or who have no address.
"""

import logging
from collections import Counter
from pathlib import Path

from flask import current_app
from sqlalchemy import func, update
from sqlalchemy import select as sql_select

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import DomainError, NotFound
from app.extensions import db
from app.letters.pdf import write_atomically
from app.mailing.stops import active_stop_ids
from app.notices import lists, messages, postcard
from app.notices.models import (
    NOTICE_SENT,
    NOTICE_SKIPPED,
    REASONS,
    RUN_DONE,
    RUN_FAILED,
    RUN_QUEUED,
    NewlyEligible,
    NoticeRun,
)
from app.passes.models import STATUS_VALID, Issuance
from app.residents.models import STATUS_ACTIVE, Resident
from app.text.wareki import fiscal_year_of

log = logging.getLogger(__name__)

PDF_NAME = "postcards.pdf"
LIST_NAME = "list.xlsx"


def get_run(run_id):
    """:raises NotFound: no such notice run."""
    run = db.session.get(NoticeRun, run_id)
    if run is None:
        raise NotFound(messages.notice_run_not_found(run_id))
    return run


def check_period(start, end):
    """:raises DomainError: start after end, or an end after today."""
    if start is not None and end is not None and start > end:
        raise DomainError(messages.bad_period())
    if end is not None and end > clock.today():
        raise DomainError(messages.future_period())


def queue_run(trigger, *, import_run_id=None, start=None, end=None, only_unsent=True, user=None,
              output_dir=None):  # fmt: skip
    """Record a run waiting to be produced.

    :param import_run_id: the people detected with this import run; else
        those detected (基準日) from ``start`` to ``end`` (either may be open).
    :param only_unsent: leave out people already sent a postcard.
    :param output_dir: where its files go (the command line's ``--out``).
    """
    check_period(start, end)
    with transaction():
        run = NoticeRun(
            trigger=trigger,
            status=RUN_QUEUED,
            import_run_id=import_run_id,
            period_start=start,
            period_end=end,
            only_unsent=only_unsent,
            output_dir=str(output_dir) if output_dir else None,
            requested_by_id=getattr(user, "id", None),
            created_at=clock.now(),
            files={},
            summary={},
        )
        db.session.add(run)
    return run


def scope_count(start=None, end=None, only_unsent=True):
    """How many detections a run of that period would look at (sent or not)."""
    probe = NoticeRun(period_start=start, period_end=end, only_unsent=only_unsent)
    query = _scope(probe).order_by(None).with_only_columns(func.count(NewlyEligible.id))
    return db.session.execute(query).scalar_one()


def _scope(run):
    query = (
        sql_select(NewlyEligible, Resident)
        .join(Resident, Resident.id == NewlyEligible.resident_id)
        .order_by(NewlyEligible.detected_on, NewlyEligible.id)
    )
    if run.import_run_id is not None:
        query = query.where(NewlyEligible.import_run_id == run.import_run_id)
    if run.period_start is not None:
        query = query.where(NewlyEligible.detected_on >= run.period_start)
    if run.period_end is not None:
        query = query.where(NewlyEligible.detected_on <= run.period_end)
    if run.only_unsent:
        query = query.where(NewlyEligible.notice_state != NOTICE_SENT)
    return query


def _stopped_ids():
    """The people whose mailing is stopped (送付停止, :mod:`app.mailing.stops`)."""
    return set(db.session.execute(active_stop_ids()).scalars())


def _holders(fiscal_year, ids):
    if not ids:
        return set()
    query = sql_select(Issuance.resident_id).where(
        Issuance.fiscal_year == fiscal_year,
        Issuance.status == STATUS_VALID,
        Issuance.resident_id.in_(ids),
    )
    return set(db.session.execute(query).scalars())


def skip_reason(resident, destination, holders, stopped):
    """Why ``resident`` is not sent a postcard, or ``None`` when they are."""
    if resident.id in holders:
        return "has_pass"
    if resident.id in stopped:
        return "mail_stopped"
    if resident.status != STATUS_ACTIVE:
        return "excluded"
    if not postcard.has_address(destination):
        return "no_address"
    return None


def select(run):
    """Who in ``run``'s scope is sent a postcard, and who is not.

    :returns: ``(sent, skipped)``; each a list of dicts ``entry`` (the
        :class:`NewlyEligible`), ``resident``, ``destination``, ``skip``.
        One person appears once (their latest detection); the sent are in
        postal-code order.
    """
    latest = {}
    for entry, resident in db.session.execute(_scope(run)).tuples():
        latest[resident.id] = (entry, resident)
    holders = _holders(fiscal_year_of(clock.today()), list(latest))
    stopped = _stopped_ids()
    sent, skipped = [], []
    for entry, resident in latest.values():
        destination = postcard.destination_of(resident)
        reason = skip_reason(resident, destination, holders, stopped)
        item = {"entry": entry, "resident": resident, "destination": destination, "skip": reason}
        (skipped if reason else sent).append(item)
    sent.sort(key=lambda i: (i["destination"]["postal_code"] or "", i["resident"].resident_no))
    skipped.sort(key=lambda i: (i["skip"], i["resident"].resident_no))
    return sent, skipped


def summarize(sent, skipped):
    """The counts of a run: people, by reason, postcards, skipped by reason."""
    reasons = Counter(i["entry"].reason for i in [*sent, *skipped])
    return {
        "count": len(sent) + len(skipped),
        "by_reason": {r: reasons.get(r, 0) for r in REASONS},
        "postcards": len(sent),
        "skipped": dict(sorted(Counter(i["skip"] for i in skipped).items())),
    }


def output_dir(run):
    """The folder of ``run``'s files (``--out``, or under ``OUTPUT_DIR``)."""
    if run.output_dir:
        return Path(run.output_dir)
    return Path(current_app.config["OUTPUT_DIR"]) / "notices" / f"run-{run.id:04d}"


def _mark(run, sent, skipped):
    table = NewlyEligible.__table__
    sent_ids = [i["entry"].id for i in sent]
    if sent_ids:
        db.session.execute(
            update(table)
            .where(table.c.id.in_(sent_ids))
            .values(notice_state=NOTICE_SENT, notice_run_id=run.id, skip_reason=None)
        )
    for reason in {i["skip"] for i in skipped}:
        ids = [i["entry"].id for i in skipped if i["skip"] == reason]
        db.session.execute(
            update(table)
            .where(table.c.id.in_(ids), table.c.notice_state != NOTICE_SENT)
            .values(notice_state=NOTICE_SKIPPED, skip_reason=reason)
        )


def _write_files(run, sent, skipped):
    folder = output_dir(run)
    files = {}
    if sent:
        pdf = postcard.render_postcards([i["destination"] for i in sent])
        write_atomically(folder / PDF_NAME, pdf)
        files["pdf"] = PDF_NAME
    write_atomically(folder / LIST_NAME, lists.list_xlsx(run, sent, skipped))
    files["list"] = LIST_NAME
    return files


def execute_run(run, user=None, username=None):
    """Produce a queued run: select, write the PDF and the list, record who
    was sent a postcard and who was not, in one transaction after the files.

    :returns: the run (``done``, or ``failed`` with the error recorded).
    """
    sent, skipped = select(run)
    try:
        files = _write_files(run, sent, skipped)
    except Exception as exc:  # the run's record says it failed; the log says why
        log.exception("notice run %s failed", run.id)
        db.session.rollback()
        with transaction():
            run = get_run(run.id)
            run.status = RUN_FAILED
            run.error = f"{type(exc).__name__}: {exc}"[:500]
            run.finished_at = clock.now()
        return run
    with transaction():
        _mark(run, sent, skipped)
        run.status = RUN_DONE
        run.total = len(sent)
        run.files = files
        run.summary = {
            **summarize(sent, skipped),
            "entries": {
                "sent": [i["entry"].id for i in sent],
                "skipped": [[i["entry"].id, i["skip"]] for i in skipped],
            },
        }
        run.finished_at = clock.now()
        audit.record(
            "notice.run",
            target=f"notice_run:{run.id}",
            detail={"letters": len(sent), "count": len(sent) + len(skipped)},
            people=[i["resident"].resident_no for i in sent],
            user=user if user is not None else False,
            username=username,
        )
    log.info("notice run %s: %d postcards, %d not sent", run.id, len(sent), len(skipped))
    return run


def claim_next_run():
    """The oldest queued run, or ``None``."""
    return db.session.execute(
        sql_select(NoticeRun).where(NoticeRun.status == RUN_QUEUED).order_by(NoticeRun.id).limit(1)
    ).scalar()


def recent_runs(limit=50):
    return list(
        db.session.execute(
            sql_select(NoticeRun).order_by(NoticeRun.id.desc()).limit(limit)
        ).scalars()
    )


def file_path(run, kind):
    """The path of the run's ``pdf`` or ``list`` file.  :raises NotFound: none."""
    name = (run.files or {}).get(kind)
    path = output_dir(run) / name if name else None
    if path is None or not path.is_file():
        raise NotFound(messages.notice_run_not_found(run.id))
    return path


def _entries(ids):
    found = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        query = (
            sql_select(NewlyEligible, Resident)
            .join(Resident, Resident.id == NewlyEligible.resident_id)
            .where(NewlyEligible.id.in_(ids[start : start + 500]))
        )
        found.update((entry.id, (entry, resident)) for entry, resident in db.session.execute(query))
    return found


def shown_people(run):
    """The people of a finished run, as its list has them.

    :returns: ``(sent, skipped)``: ``[(NewlyEligible, Resident)]`` in the
        PDF's order and ``[(NewlyEligible, Resident, skip reason)]``.
    """
    recorded = (run.summary or {}).get("entries") or {}
    sent_ids = list(recorded.get("sent") or [])
    skipped_pairs = [tuple(pair) for pair in recorded.get("skipped") or []]
    found = _entries([*sent_ids, *(entry_id for entry_id, _reason in skipped_pairs)])
    sent = [found[i] for i in sent_ids if i in found]
    skipped = [(*found[i], reason) for i, reason in skipped_pairs if i in found]
    return sent, skipped


def people_in_file(run, kind):
    """The 住民番号 a run's file names (for the access log): the postcards'
    people for the PDF, everyone of the list for the list."""
    sent, skipped = shown_people(run)
    people = sent if kind == "pdf" else [*sent, *skipped]
    return [item[1].resident_no for item in people]
