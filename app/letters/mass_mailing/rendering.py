"""Step 2 of a run: the letters and their mailing lists, in files of
``MASS_MAILING_BATCH_SIZE`` letters rendered by ``MASS_MAILING_WORKERS``
processes (:func:`print_letters`).

Each finished file is a checkpoint committed in ``run.files``, so a run that
stopped resumes at the first unfinished file.  The part of the letter that is
the same for everyone is rendered once (:func:`_render_background`) and drawn
under every page; per letter only the address window and the number are
rendered.
"""

import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _

from app import clock
from app.db.transaction import transaction
from app.letters import barcodes, covers
from app.letters.mass_mailing import postal
from app.letters.mass_mailing.issuing import headquarters
from app.letters.mass_mailing.outputs import (
    Item,
    batch_count,
    letters_name,
    list_name,
    output_dir,
    run_items,
)
from app.letters.models import MassMailingRun
from app.letters.pdf import (
    PdfSettings,
    html_to_pdf,
    prepare_context,
    render_batch,
    settings_from_config,
)
from app.letters.printing import fit_line
from app.passes.models import Issuance
from app.text.wareki import format_fiscal_year, format_wareki

log = logging.getLogger(__name__)

LIST_ROWS_PER_PAGE = 50
# Batches a rendering process does before it is replaced by a fresh one.
WORKER_BATCHES = 8
LIST_PT = 8.5
# Width in mm of the text of the name, care-of and address columns of the
# mailing list (keep in step with pdf/mailing_list.html).
LIST_NAME_MM = 33
LIST_CARE_OF_MM = 49
LIST_ADDRESS_MM = 64

Progress = Callable[[MassMailingRun], object] | None


def load_batch(run: MassMailingRun, index: int) -> list[Item]:
    """The passes of batch ``index`` of ``run``, in mailing order."""
    first = index * run.batch_size + 1
    return run_items(run, first, first + run.batch_size - 1)


def _letter(
    settings: PdfSettings, run: MassMailingRun, issuance: Issuance, office: dict[str, Any]
) -> dict[str, Any]:
    return covers.build_letter(
        settings,
        kind="renewal",
        fiscal_year=run.fiscal_year,
        control_no=issuance.control_no,
        letter_date=run.mailing_date,
        destination=covers.destination_of(issuance),
        office=office,
    )


def mailing_list_rows(settings: PdfSettings, items: Sequence[Item]) -> list[dict[str, str]]:
    """The lines of the mailing list: 整理番号, name, the 気付 / 様方 line,
    postal code and address, each cut to one line of its column."""
    gothic = settings.gothic
    out = []
    for _seq, issuance, _resident_no in items:
        address = " ".join(
            x for x in (issuance.mail_to_address, issuance.mail_to_address2) if x
        ).strip()
        out.append(
            {
                "control_no": str(issuance.control_no),
                "name": fit_line(
                    settings.printable(issuance.mail_to_name), gothic, LIST_PT, LIST_NAME_MM
                ),
                "care_of": covers.care_of_with_contact_fitted(
                    settings,
                    issuance.mail_to_care_of,
                    issuance.mail_to_contact,
                    LIST_PT,
                    LIST_CARE_OF_MM,
                ),
                "postal_code": covers.format_postal_code(issuance.mail_to_postal_code),
                "address": fit_line(settings.printable(address), gothic, LIST_PT, LIST_ADDRESS_MM),
            }
        )
    return out


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _batch_meta(index: int, items: Sequence[Item]) -> dict[str, Any]:
    """What ``run.files`` records of a finished batch (its checkpoint)."""
    first = items[0][1] if items else None
    last = items[-1][1] if items else None
    return {
        "batch": index,
        "file": letters_name(index),
        "list": list_name(index),
        "letters": len(items),
        "first_no": first.control_no if first else None,
        "last_no": last.control_no if last else None,
        "first_postal": covers.format_postal_code(first.mail_to_postal_code) if first else None,
        "last_postal": covers.format_postal_code(last.mail_to_postal_code) if last else None,
    }


def _list_html(run: MassMailingRun, index: int, list_rows: list[dict[str, str]]) -> str:
    pages = _chunks(list_rows, LIST_ROWS_PER_PAGE)
    return render_template(
        "pdf/mailing_list.html",
        pages=pages,
        page_total=len(pages),
        file_name=letters_name(index),
        title=_("Mailing list"),
        fiscal_year=format_fiscal_year(run.fiscal_year),
        mailing_date=format_wareki(run.mailing_date),
    )


def prepare_batch(
    run: MassMailingRun,
    index: int,
    settings: PdfSettings,
    background: bytes,
    office: dict[str, Any],
) -> dict[str, Any]:
    """Everything a worker needs to render batch ``index`` (plain data only)."""
    items = load_batch(run, index)
    letters = [_letter(settings, run, issuance, office) for _seq, issuance, _no in items]
    folder = output_dir(run)
    return {
        "settings": settings,
        "letters_html": render_template(
            covers.TEMPLATE, letters=prepare_context(letters, settings), layer="variable"
        ),
        "background": background,
        "overlays": [barcodes.cover_letter_overlay(letter) for letter in letters],
        "letters_path": str(folder / letters_name(index)),
        "expected_pages": len(letters),
        "list_html": _list_html(run, index, mailing_list_rows(settings, items)),
        "list_path": str(folder / list_name(index)),
        # the customer barcodes of the file, for the totals page (issue 13)
        "meta": {
            **_batch_meta(index, items),
            **postal.batch_barcodes(letters, items, current_app.config["WARD_NAME"]),
        },
    }


def _render_background(run: MassMailingRun, settings: PdfSettings, office: dict[str, Any]) -> bytes:
    """The shared part of every letter of ``run``, rendered once."""
    sample = {"name": "", "postal_code": "", "address": "", "address2": "", "care_of": None}
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


def _done_batches(run: MassMailingRun) -> set[int]:
    folder = output_dir(run)
    return {f["batch"] for f in run.files if (folder / f["file"]).is_file()}


def _checkpoint(run: MassMailingRun, meta: dict[str, Any]) -> None:
    """Commit a finished batch in ``run.files``: a run resumes after it."""
    with transaction():
        files = [f for f in run.files if f["batch"] != meta["batch"]] + [meta]
        files.sort(key=lambda f: f["batch"])
        run.files = files
        run.done = sum(f["letters"] for f in files)
        run.heartbeat_at = clock.now()


def _heartbeat(run: MassMailingRun) -> None:
    """Tell other processes that ``run`` is alive (see ``runs.STALE_AFTER``)."""
    with transaction():
        run.heartbeat_at = clock.now()


def _finished(run: MassMailingRun, meta: dict[str, Any], on_progress: Progress) -> None:
    _checkpoint(run, meta)
    if on_progress:
        on_progress(run)


def _print_inline(run, pending, settings, background, office, on_progress) -> None:
    for index in pending:
        job = prepare_batch(run, index, settings, background, office)
        render_batch(job)
        _finished(run, job["meta"], on_progress)


def _print_in_pool(run, pending, workers, settings, background, office, on_progress) -> None:
    context = multiprocessing.get_context("spawn")
    # A worker's memory grows with each document it lays out and is not given
    # back to the system: a fresh process every few batches keeps it bounded.
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, max_tasks_per_child=WORKER_BATCHES
    ) as pool:
        in_flight: dict[Future[Any], dict[str, Any]] = {}
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
                _finished(run, meta, on_progress)


def print_letters(
    run: MassMailingRun, workers: int | None = None, on_progress: Progress = None
) -> None:
    """Render every unfinished batch of ``run``; each finished one is committed.

    :param workers: rendering processes (``MASS_MAILING_WORKERS`` by default;
        1 renders in this process).
    :param on_progress: called with the run after each finished batch.
    """
    settings = settings_from_config(current_app.config)
    workers = int(current_app.config["MASS_MAILING_WORKERS"] if workers is None else workers)
    office = covers.office_of(headquarters())
    output_dir(run).mkdir(parents=True, exist_ok=True)
    pending = [i for i in range(batch_count(run)) if i not in _done_batches(run)]
    if not pending:
        return
    background = _render_background(run, settings, office)
    if workers <= 1:
        _print_inline(run, pending, settings, background, office, on_progress)
    else:
        _print_in_pool(run, pending, workers, settings, background, office, on_progress)
