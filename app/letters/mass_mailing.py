"""一斉発送: every March, next year's pass to everyone who had one and is still eligible.

A run goes through two steps, each safe to repeat:

1. **Issue** — in ONE transaction: choose the people, allocate a block of
   整理番号 in postal-code order, create their passes (更新, 郵送, office HQ), the
   history rows and the run's letter list (:class:`MassMailingItem`), and set
   ``run.issued_at``.  People who already have a pass for the year are
   skipped, so a second run issues nothing twice; a crash before the commit
   leaves nothing behind.
2. **Print** — the letters, in postal-code order, in files of
   ``MASS_MAILING_BATCH_SIZE`` letters, rendered by ``MASS_MAILING_WORKERS``
   processes.  Each finished file is a checkpoint in ``run.files``, so a run
   that stopped resumes at the first unfinished file.

Speed: the part of the letter that is the same for everyone (title, text,
rules, contact) is rendered once; per letter only the address window and the
number are rendered, and the shared part is drawn under every page as one
PDF form object (see :func:`app.letters.pdf.stamp_background`).  Both layers
come from the one template ``pdf/cover_letter.html``.
"""

import csv
import logging
import math
import multiprocessing
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from datetime import date, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from app import clock
from app.audit import writer as audit
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.history.models import ChangeLog
from app.letters import covers
from app.letters.models import (
    RUN_DONE,
    RUN_FAILED,
    RUN_QUEUED,
    RUN_RUNNING,
    MassMailingItem,
    MassMailingRun,
)
from app.letters.pdf import (
    html_to_pdf,
    prepare_context,
    render_batch,
    settings_from_config,
    write_atomically,
)
from app.letters.printing import fit_line
from app.offices.models import Office
from app.passes.issuance import allocate_control_numbers
from app.passes.models import STATUS_VALID, Issuance
from app.passes.rows import HISTORY_FIELDS, mailing_destination
from app.residents.models import STATUS_EXCLUDED, Resident
from app.text.wareki import format_fiscal_year, format_wareki

log = logging.getLogger(__name__)

LIST_ROWS_PER_PAGE = 50
SKIP_REASONS = ("already_issued", "excluded", "excluded_after_cutoff", "no_address")
CATEGORIES = ("elderly", "disabled", "child_allowance")
# Batches a rendering process does before it is replaced by a fresh one.
WORKER_BATCHES = 8
# Rows written per INSERT statement when issuing (bounds the memory it takes).
INSERT_CHUNK = 2000
# A running run whose process has not reported for this long is taken over.
STALE_AFTER = timedelta(minutes=10)


def default_cutoff(fiscal_year):
    """The last day of February before ``fiscal_year`` begins."""
    return date(fiscal_year, 3, 1) - timedelta(days=1)


def _reason_labels():
    return {
        "already_issued": _("Already has a pass for the year"),
        "excluded": _("Excluded on or before the cut-off date"),
        "excluded_after_cutoff": _("Excluded after the cut-off date"),
        "no_address": _("No mailing address"),
    }


def reason_label(code):
    return _reason_labels().get(code, code)


def _sort_key(person):
    dest = person["destination"]
    return (
        dest["postal_code"] or "",
        dest["address"] or "",
        dest["address2"] or "",
        person["resident_no"],
    )


def select_people(fiscal_year, cutoff):
    """Who gets a pass for ``fiscal_year`` in the mass mailing.

    Everyone with a valid pass in the year before who was still active on
    ``cutoff`` and has no pass for ``fiscal_year`` yet.  People excluded since
    the cut-off are not sent a pass (no pass can be issued to them) and are
    counted apart.

    :returns: ``(people, skipped)`` — people in mailing order (postal code),
        each ``{resident_id, resident_no, categories, destination}``;
        ``skipped`` is a list of ``{resident_no, reason}``.
    """
    has_pass = set(
        db.session.execute(
            select(Issuance.resident_id).where(Issuance.fiscal_year == fiscal_year)
        ).scalars()
    )
    rows = db.session.execute(
        select(
            Resident.id,
            Resident.resident_no,
            Resident.name,
            Resident.postal_code,
            Resident.address,
            Resident.address2,
            Resident.mail_name,
            Resident.mail_postal_code,
            Resident.mail_address,
            Resident.mail_reason,
            Resident.status,
            Resident.excluded_on,
            Resident.is_elderly,
            Resident.is_disabled,
            Resident.is_child_allowance,
        )
        .join(Issuance, Issuance.resident_id == Resident.id)
        .where(Issuance.fiscal_year == fiscal_year - 1, Issuance.status == STATUS_VALID)
    ).all()
    people, skipped = [], []
    for row in rows:
        reason = None
        if row.id in has_pass:
            reason = "already_issued"
        elif row.status == STATUS_EXCLUDED:
            late = row.excluded_on is not None and row.excluded_on > cutoff
            reason = "excluded_after_cutoff" if late else "excluded"
        dest = mailing_destination(row)
        if reason is None and not ((dest["address"] or "").strip() and dest["postal_code"]):
            reason = "no_address"
        if reason:
            skipped.append({"resident_no": row.resident_no, "reason": reason})
            continue
        people.append(
            {
                "resident_id": row.id,
                "resident_no": row.resident_no,
                "categories": [
                    c
                    for c, flag in zip(
                        CATEGORIES,
                        (row.is_elderly, row.is_disabled, row.is_child_allowance),
                        strict=True,
                    )
                    if flag
                ],
                "destination": dest,
            }
        )
    people.sort(key=_sort_key)
    skipped.sort(key=lambda s: (s["reason"], s["resident_no"]))
    return people, skipped


def summarize(people, skipped):
    by_category = Counter(c for p in people for c in p["categories"])
    return {
        "letters": len(people),
        "by_category": {c: by_category.get(c, 0) for c in CATEGORIES},
        "skipped": dict(sorted(Counter(s["reason"] for s in skipped).items())),
    }


def preview(fiscal_year, cutoff):
    """How many people a run would issue to, by category, and who is skipped."""
    people, skipped = select_people(fiscal_year, cutoff)
    return {"fiscal_year": fiscal_year, "cutoff": cutoff, **summarize(people, skipped)}


def check_request(fiscal_year, cutoff, mailing_date, today=None):
    """Refuse an impossible run.

    :raises DomainError: with a message for the screen.
    """
    today = today or clock.today()
    if not 2000 <= fiscal_year <= today.year + 1:
        raise DomainError(_("Choose a fiscal year."), field="fiscal_year")
    if cutoff is None:
        raise DomainError(_("Enter the cut-off date."), field="cutoff")
    if cutoff > today:
        raise DomainError(_("The cut-off date cannot be in the future."), field="cutoff")
    if mailing_date is None:
        raise DomainError(_("Enter the mailing date."), field="mailing_date")
    if mailing_date < cutoff:
        raise DomainError(
            _("The mailing date cannot be before the cut-off date."), field="mailing_date"
        )
    if mailing_date > today + timedelta(days=60):
        raise DomainError(
            _("The mailing date must be within 60 days from today."), field="mailing_date"
        )


def queue_run(fiscal_year, cutoff, mailing_date, user, output_dir=None):
    """Record a run for the scheduler to pick up.

    :raises Conflict: when a run for the same year is queued or running.
    """
    check_request(fiscal_year, cutoff, mailing_date)
    busy = db.session.execute(
        select(MassMailingRun.id).where(
            MassMailingRun.fiscal_year == fiscal_year,
            MassMailingRun.status.in_((RUN_QUEUED, RUN_RUNNING)),
        )
    ).first()
    if busy:
        raise Conflict(
            _("A mass mailing for this fiscal year is already under way (run %(id)s).")
            % {"id": busy[0]}
        )
    run = MassMailingRun(
        fiscal_year=fiscal_year,
        cutoff_date=cutoff,
        mailing_date=mailing_date,
        status=RUN_QUEUED,
        total=0,
        done=0,
        batch_size=int(current_app.config["MASS_MAILING_BATCH_SIZE"]),
        files=[],
        summary={},
        output_dir=str(output_dir) if output_dir else None,
        requested_by_id=getattr(user, "id", None),
        created_at=clock.now(),
    )
    db.session.add(run)
    db.session.flush()
    audit.record(
        "mass_mailing.run",
        target=f"mass_mailing:{run.id}",
        detail={"fiscal_year": fiscal_year, "cutoff": cutoff.isoformat(), "step": "queued"},
        user=user,
    )
    db.session.commit()
    log.info("mass mailing %s queued for fiscal year %s", run.id, fiscal_year)
    return run


def resume_run(run, user):
    """Queue a failed run again; it continues where it stopped."""
    if run.status != RUN_FAILED:
        raise Conflict(_("Only a failed run can be resumed."))
    run.status = RUN_QUEUED
    run.error = None
    audit.record(
        "mass_mailing.run",
        target=f"mass_mailing:{run.id}",
        detail={"fiscal_year": run.fiscal_year, "step": "resumed"},
        user=user,
    )
    db.session.commit()
    return run


def claim_next_run():
    """Take the oldest queued run (or a running one whose process died).

    The conditional UPDATE is the lock: of two processes claiming at once,
    only one changes the row.
    """
    now = clock.now()
    candidates = db.session.execute(
        select(MassMailingRun.id)
        .where(
            (MassMailingRun.status == RUN_QUEUED)
            | (
                (MassMailingRun.status == RUN_RUNNING)
                & (MassMailingRun.heartbeat_at < now - STALE_AFTER)
            )
        )
        .order_by(MassMailingRun.id)
    ).scalars()
    for run_id in list(candidates):
        claimed = db.session.execute(
            update(MassMailingRun)
            .where(
                MassMailingRun.id == run_id,
                (MassMailingRun.status == RUN_QUEUED)
                | (MassMailingRun.heartbeat_at < now - STALE_AFTER),
            )
            .values(status=RUN_RUNNING, heartbeat_at=now, started_at=now)
        ).rowcount
        db.session.commit()
        if claimed:
            return db.session.get(MassMailingRun, run_id)
    return None


# ── step 1: issue ──────────────────────────────────────────────────────────


def _headquarters():
    office = db.session.execute(select(Office).where(Office.is_headquarters.is_(True))).scalar()
    if office is None:
        raise DomainError(_("The main office is not set up."))
    return office


def _pass_values(run, person, number, office, now):
    dest = person["destination"]
    return {
        "resident_id": person["resident_id"],
        "fiscal_year": run.fiscal_year,
        "control_no": number,
        "kind": "renewal",
        "reissue_reason": None,
        "applied_on": run.mailing_date,
        "issued_on": run.mailing_date,
        "office_id": office.id,
        "method": "mail",
        "status": STATUS_VALID,
        "mail_to_name": dest["name"],
        "mail_to_postal_code": dest["postal_code"],
        "mail_to_address": dest["address"],
        "mail_to_address2": dest["address2"],
        "mail_to_care_of": dest["care_of"],
        "created_by_id": run.requested_by_id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _insert_passes(run, values, source, now, first_seq):
    """Insert one chunk of passes with their history rows and letter items."""
    table = Issuance.__table__
    ids = (
        db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), values
        )
        .scalars()
        .all()
    )
    history = []
    for issuance_id, row in zip(ids, values, strict=True):
        changes = {
            f: [None, row[f].isoformat() if isinstance(row[f], date) else row[f]]
            for f in HISTORY_FIELDS
            if row.get(f)
        }
        history.append(
            {
                "entity": "issuance",
                "entity_id": issuance_id,
                "resident_id": row["resident_id"],
                "action": "create",
                "changes": changes,
                "user_id": run.requested_by_id,
                "source": source,
                "changed_at": now,
            }
        )
    db.session.execute(insert(ChangeLog.__table__), history)
    db.session.execute(
        insert(MassMailingItem.__table__),
        [
            {"run_id": run.id, "seq": seq, "issuance_id": issuance_id}
            for seq, issuance_id in enumerate(ids, start=first_seq)
        ],
    )
    return ids


def issue_passes(run):
    """Create the passes of ``run`` in one transaction (nothing if already done)."""
    if run.issued_at is not None:
        return
    started = time.monotonic()
    people, skipped = select_people(run.fiscal_year, run.cutoff_date)
    office = _headquarters()
    now = clock.now()
    source = f"mass_mailing:{run.id}"
    try:
        numbers = allocate_control_numbers(run.fiscal_year, len(people)) if people else []
        ids = []
        for first in range(0, len(people), INSERT_CHUNK):
            chunk = zip(
                people[first : first + INSERT_CHUNK],
                numbers[first : first + INSERT_CHUNK],
                strict=True,
            )
            values = [_pass_values(run, person, number, office, now) for person, number in chunk]
            ids.extend(_insert_passes(run, values, source, now, first_seq=len(ids) + 1))
        run.total = len(ids)
        run.summary = {
            **summarize(people, skipped),
            "first_no": numbers[0] if numbers else None,
            "last_no": numbers[-1] if numbers else None,
            "skipped_people": skipped,
        }
        run.issued_at = now
        run.heartbeat_at = now
        audit.record(
            "mass_mailing.run",
            target=f"mass_mailing:{run.id}",
            detail={
                "fiscal_year": run.fiscal_year,
                "step": "issued",
                "passes": len(ids),
                "skipped": run.summary["skipped"],
            },
            user=run.requested_by,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info(
        "mass mailing %s: %d passes issued, %d skipped (%.1fs)",
        run.id,
        len(ids),
        len(skipped),
        time.monotonic() - started,
    )


# ── step 2: print ──────────────────────────────────────────────────────────


def output_dir(run):
    if run.output_dir:
        return Path(run.output_dir)
    return Path(current_app.config["OUTPUT_DIR"]) / "mass_mailing" / f"run-{run.id:04d}"


def batch_count(run):
    return math.ceil(run.total / run.batch_size) if run.total else 0


def _letters_name(index):
    return f"letters-{index + 1:03d}.pdf"


def _list_name(index):
    return f"list-{index + 1:03d}.pdf"


def load_batch(run, index):
    """The passes of batch ``index`` of ``run``, in mailing order."""
    first = index * run.batch_size + 1
    last = first + run.batch_size - 1
    return (
        db.session.execute(
            select(MassMailingItem.seq, Issuance, Resident.resident_no)
            .join(Issuance, Issuance.id == MassMailingItem.issuance_id)
            .join(Resident, Resident.id == Issuance.resident_id)
            .where(MassMailingItem.run_id == run.id, MassMailingItem.seq.between(first, last))
            .order_by(MassMailingItem.seq)
        )
        .tuples()
        .all()
    )


def _letter(settings, run, issuance, office):
    return covers.build_letter(
        settings,
        kind="renewal",
        fiscal_year=run.fiscal_year,
        control_no=issuance.control_no,
        letter_date=run.mailing_date,
        destination=covers.destination_of(issuance),
        office=office,
    )


LIST_PT = 8.5
# Width in mm of the name and address columns of the mailing list (keep in
# step with pdf/mailing_list.html).
LIST_NAME_MM = 46
LIST_ADDRESS_MM = 100


def _list_rows(settings, rows):
    """The lines of the mailing list: 整理番号, name, postal code and address,
    each cut to one line of its column."""
    gothic = settings.gothic
    out = []
    for _seq, issuance, _resident_no in rows:
        address = " ".join(
            x for x in (issuance.mail_to_address, issuance.mail_to_address2) if x
        ).strip()
        out.append(
            {
                "control_no": str(issuance.control_no),
                "name": fit_line(
                    settings.printable(issuance.mail_to_name), gothic, LIST_PT, LIST_NAME_MM
                ),
                "postal_code": covers.format_postal_code(issuance.mail_to_postal_code),
                "address": fit_line(settings.printable(address), gothic, LIST_PT, LIST_ADDRESS_MM),
            }
        )
    return out


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def prepare_batch(run, index, settings, background, office):
    """Everything a worker needs to render batch ``index`` (plain data only)."""
    rows = load_batch(run, index)
    letters = [_letter(settings, run, issuance, office) for _seq, issuance, _no in rows]
    folder = output_dir(run)
    list_rows = _list_rows(settings, rows)
    pages = _chunks(list_rows, LIST_ROWS_PER_PAGE)
    return {
        "settings": settings,
        "letters_html": render_template(
            covers.TEMPLATE, letters=prepare_context(letters, settings), layer="variable"
        ),
        "background": background,
        "letters_path": str(folder / _letters_name(index)),
        "expected_pages": len(letters),
        "list_html": render_template(
            "pdf/mailing_list.html",
            pages=pages,
            page_total=len(pages),
            file_name=_letters_name(index),
            title=_("Mailing list"),
            fiscal_year=format_fiscal_year(run.fiscal_year),
            mailing_date=format_wareki(run.mailing_date),
        ),
        "list_path": str(folder / _list_name(index)),
        "meta": {
            "batch": index,
            "file": _letters_name(index),
            "list": _list_name(index),
            "letters": len(letters),
            "first_no": rows[0][1].control_no if rows else None,
            "last_no": rows[-1][1].control_no if rows else None,
            "first_postal": covers.format_postal_code(rows[0][1].mail_to_postal_code)
            if rows
            else None,
            "last_postal": covers.format_postal_code(rows[-1][1].mail_to_postal_code)
            if rows
            else None,
        },
    }


def _render_background(run, settings, office):
    sample = {
        "name": "",
        "postal_code": "",
        "address": "",
        "address2": "",
        "care_of": None,
    }
    letter = covers.build_letter(
        settings,
        kind="renewal",
        fiscal_year=run.fiscal_year,
        control_no=0,
        letter_date=run.mailing_date,
        destination=sample,
        office=office,
    )
    html = render_template(
        covers.TEMPLATE, letters=prepare_context([letter], settings), layer="static"
    )
    return html_to_pdf(html, settings)


def _done_batches(run):
    folder = output_dir(run)
    return {f["batch"] for f in run.files if (folder / f["file"]).is_file()}


def _checkpoint(run, meta):
    files = [f for f in run.files if f["batch"] != meta["batch"]] + [meta]
    files.sort(key=lambda f: f["batch"])
    run.files = files
    run.done = sum(f["letters"] for f in files)
    run.heartbeat_at = clock.now()
    db.session.commit()


def _heartbeat(run):
    run.heartbeat_at = clock.now()
    db.session.commit()


def print_letters(run, workers=None, on_progress=None):
    """Render every unfinished batch of ``run``; each finished one is committed."""
    settings = settings_from_config(current_app.config)
    workers = int(current_app.config["MASS_MAILING_WORKERS"] if workers is None else workers)
    office = covers.office_of(_headquarters())
    output_dir(run).mkdir(parents=True, exist_ok=True)
    pending = [i for i in range(batch_count(run)) if i not in _done_batches(run)]
    if not pending:
        return
    background = _render_background(run, settings, office)
    if workers <= 1:
        for index in pending:
            job = prepare_batch(run, index, settings, background, office)
            render_batch(job)
            _checkpoint(run, job["meta"])
            if on_progress:
                on_progress(run)
        return
    context = multiprocessing.get_context("spawn")
    # A worker's memory grows with each document it lays out and is not given
    # back to the system: a fresh process every few batches keeps it bounded.
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, max_tasks_per_child=WORKER_BATCHES
    ) as pool:
        in_flight = {}
        queue = list(pending)
        while queue or in_flight:
            # Keep each worker busy with one batch and one waiting, no more:
            # the HTML of every batch at once would be a lot of memory.
            while queue and len(in_flight) < workers + 1:
                job = prepare_batch(run, queue.pop(0), settings, background, office)
                in_flight[pool.submit(render_batch, job)] = job["meta"]
            finished, _running = wait(in_flight, timeout=20, return_when=FIRST_COMPLETED)
            if not finished:
                _heartbeat(run)
                continue
            for future in finished:
                meta = in_flight.pop(future)
                future.result()
                _checkpoint(run, meta)
                if on_progress:
                    on_progress(run)


def write_outputs(run):
    """The mailing list as CSV (every letter) and the totals page."""
    settings = settings_from_config(current_app.config)
    folder = output_dir(run)
    rows = (
        db.session.execute(
            select(MassMailingItem.seq, Issuance, Resident.resident_no)
            .join(Issuance, Issuance.id == MassMailingItem.issuance_id)
            .join(Resident, Resident.id == Issuance.resident_id)
            .where(MassMailingItem.run_id == run.id)
            .order_by(MassMailingItem.seq)
        )
        .tuples()
        .all()
    )
    tmp = folder / "mailing-list.csv.part"
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                _("No."),
                _("Control No."),
                _("Resident No."),
                _("Name"),
                _("Care of"),
                _("Postal code"),
                _("Address"),
                _("Address line 2"),
                _("File"),
            ]
        )
        for seq, issuance, resident_no in rows:
            writer.writerow(
                [
                    seq,
                    issuance.control_no,
                    resident_no,
                    issuance.mail_to_name,
                    issuance.mail_to_care_of or "",
                    issuance.mail_to_postal_code,
                    issuance.mail_to_address,
                    issuance.mail_to_address2 or "",
                    _letters_name((seq - 1) // run.batch_size),
                ]
            )
    tmp.replace(folder / "mailing-list.csv")
    summary = run.summary or {}
    context = {
        "title": _("Mass mailing totals"),
        "fiscal_year": format_fiscal_year(run.fiscal_year),
        "cutoff": format_wareki(run.cutoff_date),
        "mailing_date": format_wareki(run.mailing_date),
        "letters": run.total,
        "first_no": summary.get("first_no"),
        "last_no": summary.get("last_no"),
        "by_category": [
            (str(_category_label(c)), n) for c, n in summary.get("by_category", {}).items()
        ],
        "skipped": [(reason_label(r), n) for r, n in summary.get("skipped", {}).items()],
        "files": run.files,
    }
    html = render_template("pdf/mass_mailing_totals.html", **prepare_context(context, settings))
    write_atomically(folder / "totals.pdf", html_to_pdf(html, settings))


def _category_label(code):
    from app.web import labels

    return labels.label(labels.CATEGORIES, code)


def execute_run(run, workers=None, on_progress=None):
    """Issue and print ``run`` to the end, resuming where it stopped.

    :returns: the run, ``done`` or ``failed`` (with ``error``).
    """
    run.status = RUN_RUNNING
    run.started_at = run.started_at or clock.now()
    run.heartbeat_at = clock.now()
    db.session.commit()
    try:
        issue_passes(run)
        print_letters(run, workers=workers, on_progress=on_progress)
        write_outputs(run)
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(MassMailingRun, run.id)
        run.status = RUN_FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.heartbeat_at = clock.now()
        db.session.commit()
        log.exception("mass mailing %s failed", run.id)
        return run
    run.status = RUN_DONE
    run.finished_at = clock.now()
    db.session.commit()
    log.info("mass mailing %s done: %d letters in %d files", run.id, run.total, len(run.files))
    return run


def output_files(run):
    """The files of a finished run that can be downloaded: ``[(name, bytes)]``."""
    folder = output_dir(run)
    if not folder.is_dir():
        return []
    return [
        (p.name, p.stat().st_size)
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(".part")
    ]


def output_path(run, name):
    """The path of file ``name`` of ``run``, only if it is one of its files."""
    for file_name, _size in output_files(run):
        if file_name == name:
            return output_dir(run) / file_name
    raise NotFound(_("No such file."))


def progress(run):
    """Figures for the progress bar: done, total, percent, seconds left."""
    total, done = run.total or 0, run.done or 0
    percent = 100 if run.status == RUN_DONE else (int(done * 100 / total) if total else 0)
    seconds_left = None
    if run.status == RUN_RUNNING and done and total and run.issued_at:
        elapsed = (clock.now() - run.issued_at).total_seconds()
        seconds_left = max(0, int(elapsed / done * (total - done)))
    return {
        "id": run.id,
        "status": run.status,
        "done": done,
        "total": total,
        "percent": percent,
        "seconds_left": seconds_left,
        "files": len(run.files or []),
        "error": run.error,
    }


def recent_runs(limit=20):
    return (
        db.session.execute(select(MassMailingRun).order_by(MassMailingRun.id.desc()).limit(limit))
        .scalars()
        .all()
    )


def count_items(run):
    return db.session.execute(
        select(func.count()).select_from(MassMailingItem).where(MassMailingItem.run_id == run.id)
    ).scalar_one()
