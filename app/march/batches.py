"""The daily batch of 順次発送 letters: the next-year passes sent by mail
that no batch has sent yet, in 整理番号 order (the order of application).

A batch is made by the scheduler's daily job (``MARCH_BATCH_CRON``), from the
batches screen or by ``flask march batch``: in ONE transaction it records the
batch and its letters and writes its two files — the cover letters (the
mass mailing's letter, :func:`app.letters.covers.print_cover_letters`, which
logs who was printed) and the mailing list (the mass mailing's
``pdf/mailing_list.html``).  A pass is in one batch at most (a unique key), so
two batches made at the same moment cannot send a letter twice.
"""

import logging
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import NotFound
from app.extensions import db
from app.letters import covers, mass_mailing
from app.letters.pdf import render_pdf, settings_from_config, write_atomically
from app.march.models import MarchBatch, MarchBatchItem
from app.march.numbers import series_start
from app.passes.models import STATUS_VALID, Issuance
from app.residents.models import STATUS_EXCLUDED, Resident
from app.text.wareki import format_fiscal_year, format_wareki

log = logging.getLogger(__name__)

__all__ = [
    "LETTERS_FILE",
    "LIST_FILE",
    "batch_items",
    "create_batch",
    "file_path",
    "pending",
    "people_of",
    "recent_batches",
]

LETTERS_FILE = "送付状.pdf"
LIST_FILE = "送付リスト.pdf"
FILES = (LETTERS_FILE, LIST_FILE)
LIST_ROWS_PER_PAGE = mass_mailing.LIST_ROWS_PER_PAGE


def _pending_query(day: date) -> Any:
    sent = select(MarchBatchItem.issuance_id)
    return (
        select(Issuance)
        .join(Resident, Resident.id == Issuance.resident_id)
        .where(
            Issuance.control_no >= series_start(),
            Issuance.method == "mail",
            Issuance.status == STATUS_VALID,
            Issuance.issued_on <= day,
            Issuance.id.not_in(sent),
            Resident.status != STATUS_EXCLUDED,
        )
    )


def pending(day: date) -> list[Issuance]:
    """The 順次発送 passes issued on or before ``day`` by mail and not sent
    yet, in (fiscal year, 整理番号) order.  People excluded since they applied
    (moved out, died) are not sent their letter."""
    query = _pending_query(day).order_by(Issuance.fiscal_year, Issuance.control_no)
    return list(db.session.execute(query).scalars())


def pending_count(day: date) -> int:
    """How many letters a batch made on ``day`` would send."""
    query = _pending_query(day).with_only_columns(func.count(Issuance.id))
    return int(db.session.execute(query).scalar_one())


def _folder(batch: MarchBatch) -> Path:
    if batch.output_dir:
        return Path(batch.output_dir)
    return Path(current_app.config["OUTPUT_DIR"]) / "march" / f"batch-{batch.id:04d}"


def _list_pdf(batch: MarchBatch, passes: list[Issuance]) -> bytes:
    settings = settings_from_config(current_app.config)
    items = [(seq, i, i.resident.resident_no) for seq, i in enumerate(passes, start=1)]
    rows = mass_mailing.mailing_list_rows(settings, items)
    pages = [rows[i : i + LIST_ROWS_PER_PAGE] for i in range(0, len(rows), LIST_ROWS_PER_PAGE)]
    return render_pdf(
        "pdf/mailing_list.html",
        {
            "pages": pages,
            "page_total": len(pages),
            "file_name": LETTERS_FILE,
            "title": _("Mailing list of March applications"),
            "fiscal_year": format_fiscal_year(batch.fiscal_year),
            "mailing_date": format_wareki(batch.batch_date),
        },
    )


def _write_files(batch: MarchBatch, passes: list[Issuance], user: Any, username: Any) -> None:
    letters = covers.print_cover_letters(
        passes, user=user, letter_date=batch.batch_date, username=username
    )
    folder = _folder(batch)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / LETTERS_FILE, letters)
    write_atomically(folder / LIST_FILE, _list_pdf(batch, passes))
    batch.files = list(FILES)


def create_batch(
    day: date | None = None,
    *,
    user: Any = None,
    trigger: str = "screen",
    output_dir: Path | str | None = None,
) -> MarchBatch | None:
    """Make the batch of ``day`` (today by default) from every pending letter.

    :param user: the staff member who asked (None for the scheduler and the
        command line, named by ``trigger``).
    :param trigger: ``screen``, ``scheduler`` or ``cli:<login>``.
    :param output_dir: where its files go (default ``OUTPUT_DIR/march/batch-NNNN``).
    :returns: the batch, or None when there was nothing to send.
    :raises Conflict: when another batch took the same letters at the same moment.
    """
    day = day or clock.today()
    passes = pending(day)
    if not passes:
        log.info("March batch of %s: nothing to send", day)
        return None
    username = None if user is not None else trigger
    with transaction(
        conflict=_("Another batch was made at the same moment. Reload the page and look at it.")
    ):
        batch = MarchBatch(
            fiscal_year=max(p.fiscal_year for p in passes),
            batch_date=day,
            letters=len(passes),
            first_no=passes[0].control_no,
            last_no=passes[-1].control_no,
            files=[],
            output_dir=str(output_dir) if output_dir else None,
            trigger=trigger[:40],
            created_by_id=getattr(user, "id", None),
            created_at=clock.now(),
        )
        db.session.add(batch)
        db.session.flush()
        db.session.add_all(
            MarchBatchItem(batch_id=batch.id, seq=seq, issuance_id=p.id)
            for seq, p in enumerate(passes, start=1)
        )
        db.session.flush()
        _write_files(batch, passes, user if user is not None else False, username)
    log.info("March batch %s of %s: %d letters", batch.id, day, batch.letters)
    return batch


def recent_batches(limit: int = 50) -> list[MarchBatch]:
    """The latest batches, newest first."""
    query = select(MarchBatch).order_by(MarchBatch.id.desc()).limit(limit)
    return list(db.session.execute(query).scalars())


def get(batch_id: int) -> MarchBatch:
    """:raises NotFound: for an unknown batch."""
    batch = db.session.get(MarchBatch, batch_id)
    if batch is None:
        raise NotFound(_("No such batch."))
    return batch


def batch_items(batch: MarchBatch) -> list[Issuance]:
    """The passes of ``batch``, in its order."""
    query = (
        select(Issuance)
        .join(MarchBatchItem, MarchBatchItem.issuance_id == Issuance.id)
        .where(MarchBatchItem.batch_id == batch.id)
        .order_by(MarchBatchItem.seq)
    )
    return list(db.session.execute(query).scalars())


def people_of(batch: MarchBatch) -> list[str]:
    """The 住民番号 of everyone ``batch`` sends a letter to (for the access log)."""
    query = (
        select(Resident.resident_no)
        .join(Issuance, Issuance.resident_id == Resident.id)
        .join(MarchBatchItem, MarchBatchItem.issuance_id == Issuance.id)
        .where(MarchBatchItem.batch_id == batch.id)
        .order_by(MarchBatchItem.seq)
    )
    return list(db.session.execute(query).scalars())


def file_path(batch: MarchBatch, name: str) -> Path:
    """The path of file ``name`` of ``batch``.

    :raises NotFound: for another name, or a file that is not there.
    """
    path = _folder(batch) / name
    if name not in (batch.files or []) or not path.is_file():
        raise NotFound(_("No such file."))
    return path


def log_download(batch: MarchBatch, name: str, user: Any = None) -> None:
    """One access-log row for a download of a batch's file, naming its people."""
    audit.record(
        "letter.print",
        detail={"letters": batch.letters, "date": batch.batch_date.isoformat(), "file": name},
        people=people_of(batch),
        user=user,
        commit=True,
    )
