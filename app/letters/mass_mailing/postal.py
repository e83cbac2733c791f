"""The customer barcodes of a run, for the post office's 差出票 (issue 13).

Each letters file records in its checkpoint (``run.files``) how many of its
letters carry the customer barcode and how many do not, 区内 and 区外, and,
for each letter without one, why (:func:`batch_barcodes`).  The totals page
adds the files up (:func:`run_barcode_totals`) and the mailing list's CSV
says, letter by letter, whether it has one and why not (:func:`reasons_by_seq`).

区内 (in the ward) is an address in ``WARD_NAME`` (``新宿区``, with or without
``東京都`` before it): the post office counts mail for its own delivery area
apart from the rest.
"""

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["batch_barcodes", "in_ward", "reasons_by_seq", "run_barcode_totals"]

IN_WARD, OUT_OF_WARD = "in_ward", "out_of_ward"
_PREFECTURE = "東京都"


def in_ward(address: str | None, ward_name: str) -> bool:
    """Whether ``address`` lies in the ward named ``ward_name``."""
    text = unicodedata.normalize("NFKC", address or "").replace(" ", "").replace("\u3000", "")
    ward = unicodedata.normalize("NFKC", ward_name or "").strip()
    if not ward:
        return False
    text = text.removeprefix(_PREFECTURE)
    return text.startswith(ward)


def batch_barcodes(
    letters: Sequence[Mapping[str, Any]], items: Sequence[Sequence[Any]], ward_name: str
) -> dict[str, Any]:
    """What a letters file's checkpoint records of its customer barcodes.

    :param letters: the letters' contexts (``postal_barcode``,
        ``postal_barcode_reason``), in the order of ``items``.
    :param items: ``(seq, pass, resident_no)`` of the same letters.
    :returns: ``{"barcodes": {"in_ward": [with, without], "out_of_ward":
        [with, without]}, "no_barcode": {seq: reason}}``.
    """
    counts = {IN_WARD: [0, 0], OUT_OF_WARD: [0, 0]}
    reasons: dict[str, str] = {}
    for letter, (seq, issuance, *_rest) in zip(letters, items, strict=True):
        where = IN_WARD if in_ward(issuance.mail_to_address, ward_name) else OUT_OF_WARD
        if letter.get("postal_barcode"):
            counts[where][0] += 1
        else:
            counts[where][1] += 1
            reasons[str(seq)] = letter.get("postal_barcode_reason") or ""
    return {"barcodes": counts, "no_barcode": reasons}


def run_barcode_totals(files: Iterable[Mapping[str, Any]]) -> dict[str, list[int]]:
    """The barcode counts of every file of a run added up, with a total row:
    ``{"in_ward": [with, without], "out_of_ward": [...], "total": [...]}``."""
    totals = {IN_WARD: [0, 0], OUT_OF_WARD: [0, 0]}
    for meta in files:
        for where, (with_, without) in (meta.get("barcodes") or {}).items():
            totals[where][0] += with_
            totals[where][1] += without
    totals["total"] = [totals[IN_WARD][i] + totals[OUT_OF_WARD][i] for i in (0, 1)]
    return totals


def reasons_by_seq(files: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """``{seq: why}`` of every letter of a run printed without a customer barcode."""
    out: dict[int, str] = {}
    for meta in files:
        out.update({int(seq): why for seq, why in (meta.get("no_barcode") or {}).items()})
    return out
