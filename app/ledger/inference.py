"""Deciding the blank 種別 of the passes taken from the ledger.

The specification: a blank 種別 is 新規 for the person's first pass in the
ledger and 更新 otherwise.  "First" is by fiscal year, then 交付日, then the
sheet's position in the workbook and the row; only passes taken (not rejected)
count, so that the passes imported are consistent among themselves.  A pass
whose 種別 was written counts as an earlier pass whatever its kind.
"""

import datetime
from collections.abc import Sequence

from app.ledger.model import PassRow
from app.ledger.passes import PassDraft

__all__ = ["decide_kinds"]


def _chronological(draft: PassDraft) -> tuple[int, datetime.date, int, int]:
    return draft.fiscal_year, draft.issued_on, draft.sheet_index, draft.row


def _final(draft: PassDraft, kind: str, inferred: bool) -> PassRow:
    return PassRow(
        sheet=draft.sheet,
        row=draft.row,
        fiscal_year=draft.fiscal_year,
        control_no=draft.control_no,
        resident_no=draft.resident_no,
        name=draft.name,
        applied_on=draft.applied_on,
        applied_on_from_issued=draft.applied_on_from_issued,
        issued_on=draft.issued_on,
        office=draft.office,
        method=draft.method,
        kind=kind,
        reissue_reason=draft.reissue_reason,
        kind_inferred=inferred,
        returned_on=draft.returned_on,
        return_note=draft.return_note,
        return_undated=draft.returned_on is None and draft.return_note is not None,
        resent_on=draft.resent_on,
        note=draft.note,
    )


def decide_kinds(drafts: Sequence[PassDraft]) -> tuple[PassRow, ...]:
    """The passes with every 種別 set, ordered by fiscal year, sheet and row."""
    seen: set[str] = set()
    decided: dict[int, PassRow] = {}
    for position in sorted(range(len(drafts)), key=lambda i: _chronological(drafts[i])):
        draft = drafts[position]
        if draft.kind is None:
            kind = "renewal" if draft.resident_no in seen else "new"
            decided[position] = _final(draft, kind, inferred=True)
        else:
            decided[position] = _final(draft, draft.kind, inferred=False)
        seen.add(draft.resident_no)
    order = sorted(
        range(len(drafts)),
        key=lambda i: (drafts[i].fiscal_year, drafts[i].sheet_index, drafts[i].row),
    )
    return tuple(decided[i] for i in order)
