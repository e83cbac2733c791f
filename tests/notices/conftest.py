"""Helpers of the お知らせ tests: extracts applied through the host link's
import (as the scheduler would), dummy people on the 1st and 16th."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.notices.models import NewlyEligible
from app.residents.models import Resident
from tests.hostlink.conftest import drop, extract, person

PREVIOUS = date(2026, 4, 1)
AS_OF = date(2026, 4, 16)


@pytest.fixture
def apply_extract(app, db, tmp_path, frozen_clock, monkeypatch):
    """``apply_extract(as_of, records)`` → the Outcome of importing that
    extract (the clock set to the morning of its 基準日; the rosters are tiny,
    so the sanity hold's share of exclusions is lifted)."""
    from app.hostlink import imports

    monkeypatch.setitem(app.config, "HOSTLINK_MAX_EXCLUDE_RATIO", 1.0)

    inbox = Path(app.config["HOST_INBOX_DIR"])
    shutil.rmtree(inbox.parent, ignore_errors=True)
    inbox.mkdir(parents=True)

    def _apply(as_of, records):
        frozen_clock(as_of)
        path = drop(tmp_path / "files", as_of, extract(as_of, records))
        outcome = imports.import_file(path, trigger="command")
        assert outcome.status == "applied", outcome.reason
        return outcome

    return _apply


@pytest.fixture
def two_extracts(apply_extract):
    """``two_extracts(base, later)``: the roster ``base`` as of 1 April, then
    ``base`` changed into ``later`` as of 16 April; returns the second Outcome."""

    def _two(base, later):
        apply_extract(PREVIOUS, base)
        return apply_extract(AS_OF, later)

    return _two


def reasons_of(db, import_run_id=None):
    """``{resident_no: reason}`` recorded (for one import run, or all)."""
    query = select(Resident.resident_no, NewlyEligible.reason).join(
        Resident, Resident.id == NewlyEligible.resident_id
    )
    if import_run_id is not None:
        query = query.where(NewlyEligible.import_run_id == import_run_id)
    db.session.expire_all()
    return dict(db.session.execute(query).tuples().all())


__all__ = ["AS_OF", "PREVIOUS", "person", "reasons_of"]
