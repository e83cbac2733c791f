"""Erasure records (消去記録): the service's rules, the command line, and the
database refusing to change or delete a record (as it does for the access log)."""

import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import clock
from app.errors import DomainError
from app.migration import erasure, runs
from app.migration.models import ErasureRecord
from tests.migration.conftest import (
    build_workbook,
    count,
    pass_row,
    pass_sheet,
    people_sheet,
    person,
)


@pytest.fixture
def applied(db, user, host_people):
    host_people(1)
    data = build_workbook(people_sheet(person()), pass_sheet("H30年度", pass_row()))
    run_id = runs.start_run("台帳.xlsx", data, trigger="command", user=user("supervisor"))
    return runs.import_ledger(run_id, data, user=user("supervisor"))


def _record(run, user, **changes):
    values = {
        "location": "共有フォルダ \\\\fs01\\ふれあい台帳.xlsx",
        "method": "削除してごみ箱を空にした",
        "erased_on": clock.today(),
        "erased_by": user("supervisor"),
        "witness": user("staff"),
        "recorded_by": user("supervisor"),
    }
    values.update(changes)
    return erasure.record_erasure(run, **values)


def test_a_record_is_kept_with_who_and_where(db, applied, user):
    record = _record(applied, user)
    assert record.id
    (kept,) = erasure.records_of(applied.id)
    assert (kept.erased_by.username, kept.witness.username) == ("supervisor", "staff")
    assert "fs01" in kept.location


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location": "  "}, "location"),
        ({"method": ""}, "method"),
        ({"location": "あ" * 1001}, "location"),
        ({"erased_on": None}, "erased_on"),
        ({"erased_on": date(2099, 1, 1)}, "erased_on"),
        ({"erased_on": date(2000, 1, 1)}, "erased_on"),
        ({"witness": None}, "witness"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(db, applied, user, changes, field):
    before = count(db, ErasureRecord)
    with pytest.raises(DomainError) as refused:
        _record(applied, user, **changes)
    assert refused.value.field == field
    assert count(db, ErasureRecord) == before


def test_the_witness_must_be_someone_else_and_active(db, applied, user):
    with pytest.raises(DomainError, match="別のアカウント|different"):
        _record(applied, user, witness=user("supervisor"))
    staff = user("staff")
    staff.active = False
    db.session.commit()
    with pytest.raises(DomainError):
        _record(applied, user, witness=staff)


def test_only_an_imported_run_has_erasure_records(db, user, host_people):
    host_people(1)
    data = build_workbook(people_sheet(person()), pass_sheet("H30年度", pass_row()))
    run_id = runs.start_run("台帳.xlsx", data, trigger="command", user=None)
    checked = runs.check_ledger(run_id, data, user=None)
    with pytest.raises(DomainError):
        _record(checked, user)


def test_a_correction_names_the_record_it_corrects(db, applied, user):
    first = _record(applied, user, erased_on=clock.today() - timedelta(days=0))
    second = _record(applied, user, corrects_id=first.id, note="保存場所の記載誤りを訂正")
    assert second.corrects_id == first.id
    with pytest.raises(DomainError):
        _record(applied, user, corrects_id=999_999)


def _refused(db, sql):
    # The test's own session must hold no lock the statement would wait for.
    db.session.rollback()
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text(sql))


def test_the_database_refuses_to_change_or_delete_a_record(db, applied, user):
    record_id = _record(applied, user).id
    _refused(db, f"UPDATE ledger_erasure SET location = 'x' WHERE id = {record_id}")
    _refused(db, f"DELETE FROM ledger_erasure WHERE id = {record_id}")
    if db.engine.dialect.name == "sqlite":
        columns = "id, run_id, location, method, erased_on, automatic, recorded_at"
        values = f"{record_id}, {applied.id}, 'x', 'x', '2026-01-01', 0, '2026-01-01 00:00:00'"
        _refused(db, f"INSERT OR REPLACE INTO ledger_erasure ({columns}) VALUES ({values})")
        _refused(db, f"REPLACE INTO ledger_erasure ({columns}) VALUES ({values})")
    else:
        _refused(db, "TRUNCATE ledger_erasure CASCADE")
    db.session.expire_all()
    kept = db.session.get(ErasureRecord, record_id)
    assert "fs01" in kept.location


def test_erasure_command_writes_the_certificate(app, db, applied, tmp_path):
    out = tmp_path / "消去証明書.pdf"
    result = app.test_cli_runner().invoke(
        args=["ledger", "erasure", str(applied.id), "--location", "職員PC（C:\\台帳）",
              "--method", "完全消去ソフトで上書き消去", "--on", clock.today().isoformat(),
              "--by", "supervisor", "--witness", "staff", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    pdf_text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
    assert "消去証明書" in pdf_text
    assert applied.sha256 in "".join(pdf_text.split())
    assert "完全消去ソフト" in pdf_text


def test_erasure_command_refuses_the_same_person_as_witness(app, db, applied, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["ledger", "erasure", str(applied.id), "--location", "PC", "--method", "削除",
              "--on", clock.today().isoformat(), "--by", "staff", "--witness", "staff",
              "--out", str(tmp_path / "c.pdf")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert count(db, ErasureRecord, ErasureRecord.automatic.is_(False)) == 0
