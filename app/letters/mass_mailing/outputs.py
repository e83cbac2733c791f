"""What a run leaves behind: its folder and file names, the mailing list
(CSV of every letter), the totals page, and the downloads."""

import logging
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.files import tables
from app.letters import covers
from app.letters.mass_mailing import postal
from app.letters.mass_mailing.selection import reason_label
from app.letters.models import MassMailingItem, MassMailingRun
from app.letters.pdf import html_to_pdf, prepare_context, settings_from_config, write_atomically
from app.passes.models import Issuance
from app.residents.models import Resident
from app.text.wareki import format_fiscal_year, format_wareki
from app.web import labels

log = logging.getLogger(__name__)

# ``(seq, pass, resident_no)`` of one letter of a run
Item = tuple[int, Issuance, str]


def output_dir(run: MassMailingRun) -> Path:
    """The folder of ``run``'s files (``--out`` or under ``OUTPUT_DIR``)."""
    if run.output_dir:
        return Path(run.output_dir)
    return Path(current_app.config["OUTPUT_DIR"]) / "mass_mailing" / f"run-{run.id:04d}"


def batch_count(run: MassMailingRun) -> int:
    """How many letters files ``run`` prints."""
    return math.ceil(run.total / run.batch_size) if run.total else 0


def letters_name(index: int) -> str:
    """The name of letters file ``index`` (from 0)."""
    return f"letters-{index + 1:03d}.pdf"


def list_name(index: int) -> str:
    """The name of the mailing list of letters file ``index`` (from 0)."""
    return f"list-{index + 1:03d}.pdf"


def run_items(run: MassMailingRun, first: int | None = None, last: int | None = None) -> list[Item]:
    """The letters of ``run`` in mailing order, those numbered ``first`` to
    ``last`` (inclusive) when given."""
    query = (
        select(MassMailingItem.seq, Issuance, Resident.resident_no)
        .join(Issuance, Issuance.id == MassMailingItem.issuance_id)
        .join(Resident, Resident.id == Issuance.resident_id)
        .where(MassMailingItem.run_id == run.id)
        .order_by(MassMailingItem.seq)
    )
    if first is not None:
        query = query.where(MassMailingItem.seq.between(first, last))
    return list(db.session.execute(query).tuples().all())


def _csv_header() -> list[str]:
    return [
        _("No."),
        _("Control No."),
        _("Resident No."),
        _("Name"),
        _("Care of"),
        _("Postal code"),
        _("Address"),
        _("Address line 2"),
        _("File"),
        _("Customer barcode"),
        _("Why without a barcode"),
    ]


def _mailing_rows(run: MassMailingRun) -> Iterator[list[object]]:
    no_barcode = postal.reasons_by_seq(run.files)
    for seq, issuance, resident_no in run_items(run):
        yield [
            seq,
            issuance.control_no,
            resident_no,
            issuance.mail_to_name,
            covers.care_of_with_contact(issuance.mail_to_care_of, issuance.mail_to_contact),
            issuance.mail_to_postal_code,
            issuance.mail_to_address,
            issuance.mail_to_address2,
            letters_name((seq - 1) // run.batch_size),
            _("Barcode: without") if seq in no_barcode else _("Barcode: with"),
            no_barcode.get(seq, ""),
        ]


def _write_mailing_list(run: MassMailingRun, folder: Path) -> None:
    tmp = folder / "mailing-list.csv.part"
    # utf-8-sig: the byte-order mark that makes Excel read the names as UTF-8.
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        tables.write_csv(fh, _csv_header(), _mailing_rows(run))
    tmp.replace(folder / "mailing-list.csv")


def _totals_context(run: MassMailingRun) -> dict[str, Any]:
    summary = run.summary or {}
    return {
        "title": _("Mass mailing totals"),
        "fiscal_year": format_fiscal_year(run.fiscal_year),
        "cutoff": format_wareki(run.cutoff_date),
        "mailing_date": format_wareki(run.mailing_date),
        "letters": run.total,
        "first_no": summary.get("first_no"),
        "last_no": summary.get("last_no"),
        "by_category": [
            (str(labels.label(labels.CATEGORIES, c)), n)
            for c, n in summary.get("by_category", {}).items()
        ],
        "skipped": [(reason_label(r), n) for r, n in summary.get("skipped", {}).items()],
        "files": run.files,
        "barcodes": postal.run_barcode_totals(run.files),
    }


def write_outputs(run: MassMailingRun) -> None:
    """The mailing list as CSV (every letter) and the totals page."""
    settings = settings_from_config(current_app.config)
    folder = output_dir(run)
    _write_mailing_list(run, folder)
    context = prepare_context(_totals_context(run), settings)
    html = render_template("pdf/mass_mailing_totals.html", **context)
    write_atomically(folder / "totals.pdf", html_to_pdf(html, settings))


def output_files(run: MassMailingRun) -> list[tuple[str, int]]:
    """The files of a finished run that can be downloaded: ``[(name, bytes)]``."""
    folder = output_dir(run)
    if not folder.is_dir():
        return []
    return [
        (p.name, p.stat().st_size)
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(".part")
    ]


def output_path(run: MassMailingRun, name: str) -> Path:
    """The path of file ``name`` of ``run``, only if it is one of its files.

    :raises NotFound: for any other name.
    """
    for file_name, _size in output_files(run):
        if file_name == name:
            return output_dir(run) / file_name
    raise NotFound(_("No such file."))


# A letters or list file of one batch (letters_name, list_name), its number from 1.
_BATCH_FILE = re.compile(r"(?:letters|list)-(\d+)\.pdf")


def people_in_file(run: MassMailingRun, name: str) -> list[str]:
    """The 住民番号 of the people file ``name`` of ``run`` names, for the access
    log: every letter's for the mailing list, those of its batch for a letters
    or list file, nobody's for the totals page."""
    batch = _BATCH_FILE.fullmatch(name)
    if batch is None and name != "mailing-list.csv":
        return []
    query = (
        select(Resident.resident_no)
        .join(Issuance, Issuance.resident_id == Resident.id)
        .join(MassMailingItem, MassMailingItem.issuance_id == Issuance.id)
        .where(MassMailingItem.run_id == run.id)
    )
    if batch is not None:
        first = (int(batch.group(1)) - 1) * run.batch_size + 1
        query = query.where(MassMailingItem.seq.between(first, first + run.batch_size - 1))
    return list(db.session.execute(query).scalars())
