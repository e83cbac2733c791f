"""Helpers of the host-link tests: dummy people, extract files, the inbox."""

import itertools
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.history.models import ChangeLog
from app.hostlink.writer import build_extract
from app.residents.models import Resident

_numbers = itertools.count(1)

AS_OF = date(2026, 4, 1)
NEXT_AS_OF = date(2026, 4, 16)


def person(**overrides):
    """A dummy eligible person for an extract (writer field names)."""
    n = next(_numbers)
    values = {
        "resident_no": f"{2000000000 + n:010d}",
        "name": f"試験\u3000{'一二三四五六七八九十'[n % 10]}郎",
        "kana": "シケン イチロウ",
        "sex": 1,
        "birth_date": date(1950, 6, 1),
        "postal_code": "1600022",
        "address": "東京都新宿区新宿１－１－１",
        "address2": "",
        "phone": "03-1234-5678",
        "is_elderly": True,
        "is_disabled": False,
        "is_child_allowance": False,
    }
    values.update(overrides)
    return values


def people(count, **overrides):
    return [person(**overrides) for _ in range(count)]


def extract(as_of, records, created_on=None):
    return build_extract(as_of, records, created_on=created_on)


def drop(folder, as_of, data, name=None, trigger=True):
    """Write an extract file (and its .END) into ``folder``; return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"FUREAI_{as_of:%Y%m%d}.DAT")
    path.write_bytes(data)
    if trigger:
        path.with_suffix(".END").write_bytes(b"")
    return path


def fingerprint(db):
    """Everything an import may change, to prove that nothing changed."""
    t = Resident.__table__
    residents = db.session.execute(select(t).order_by(t.c.resident_no)).all()
    history = db.session.execute(select(func.count(ChangeLog.id))).scalar_one()
    db.session.commit()
    return [tuple(row) for row in residents], history


def resident(db, resident_no):
    db.session.expire_all()
    return db.session.execute(
        select(Resident).where(Resident.resident_no == resident_no)
    ).scalar_one_or_none()


@pytest.fixture
def folders(app, db):
    """The inbox and the folders beside it, emptied for each test."""
    inbox = Path(app.config["HOST_INBOX_DIR"])
    for name in ("inbox", "archive", "rejected", "held"):
        shutil.rmtree(inbox.parent / name, ignore_errors=True)
    inbox.mkdir(parents=True)
    return {
        "inbox": inbox,
        "archive": inbox.parent / "archive",
        "rejected": inbox.parent / "rejected",
        "held": inbox.parent / "held",
    }


@pytest.fixture
def import_path(app, db, folders, tmp_path):
    """``import_path(as_of, records)`` → the Outcome of importing that extract
    by the command-line route (file left in place)."""
    from app.hostlink import imports

    def _import(as_of, records, name=None, **kwargs):
        path = drop(tmp_path / "files", as_of, extract(as_of, records), name=name)
        return imports.import_file(path, trigger="command", **kwargs)

    return _import
