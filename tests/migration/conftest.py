"""Helpers of the migration tests: workbooks (from the reader's tests' builder),
the command line, and what the database holds afterwards.  Dummy data only."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app.history.models import ChangeLog
from app.passes.models import ControlNumberCounter, Issuance
from app.residents.models import Resident
from tests.factories import make_resident
from tests.ledger.conftest import (  # noqa: F401  (re-used by the tests)
    Literal,
    build_workbook,
    pass_row,
    pass_sheet,
    people_sheet,
    person,
)


@pytest.fixture
def host_people(db):
    """``host_people(n)`` → ``n`` residents as the host extract left them
    (resident numbers 0000000001 …), all 山田 太郎 born 1955-04-01."""

    def _make(count=1, **overrides):
        made = []
        for n in range(1, count + 1):
            values = {
                "resident_no": f"{n:010d}",
                "name": "山田\u3000太郎",
                "kana": "ヤマダ タロウ",
                "sex": 1,
                "birth_date": date(1955, 4, 1),
                **overrides,
            }
            made.append(make_resident(**values))
        return made

    return _make


@pytest.fixture
def ledger_cli(app, db, tmp_path):
    """``ledger_cli(args..., data=bytes)`` → (exit code, last JSON line or None, output)."""
    runner = app.test_cli_runner(mix_stderr=False) if _mixes() else app.test_cli_runner()

    def _run(*args, data=None, name="台帳.xlsx"):
        argv = list(args)
        if data is not None:
            path = tmp_path / name
            path.write_bytes(data)
            argv.insert(1, str(path))
        result = runner.invoke(args=["ledger", *argv], catch_exceptions=False)
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        try:
            payload = json.loads(lines[-1]) if lines else None
        except json.JSONDecodeError:
            payload = None
        return result.exit_code, payload, result.stdout

    return _run


def _mixes():
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def count(db, model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def passes(db):
    db.session.expire_all()
    return list(db.session.execute(select(Issuance).order_by(Issuance.id)).scalars())


def counter(db, year):
    return db.session.get(ControlNumberCounter, year)


def resident(db, resident_no):
    db.session.expire_all()
    return db.session.execute(
        select(Resident).where(Resident.resident_no == resident_no)
    ).scalar_one_or_none()


def history(db, entity, entity_id):
    return list(
        db.session.execute(
            select(ChangeLog).where(ChangeLog.entity == entity, ChangeLog.entity_id == entity_id)
        ).scalars()
    )
