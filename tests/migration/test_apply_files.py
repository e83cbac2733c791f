"""File-level refusals (the specification's 「File-level errors」): exit 2,
status ``refused``, a Japanese reason, and nothing written but the run's own
record (and the access log) — by ``check`` and by ``import`` alike."""

import io
import os
import re
import zipfile

import pytest
from sqlalchemy import select

from app.history.models import ChangeLog
from app.migration.models import ErasureRecord, MigratedPass, MigrationRun, MigrationRunItem
from app.passes.models import ControlNumberCounter, Issuance
from app.residents.models import Resident
from tests.ledger.conftest import PASS_HEADER, PEOPLE_HEADER, SheetSpec
from tests.migration.conftest import (
    build_workbook,
    count,
    pass_row,
    pass_sheet,
    people_sheet,
    person,
)

JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
WRITTEN = (Resident, Issuance, ChangeLog, MigrationRunItem, MigratedPass, ControlNumberCounter,
           ErasureRecord)  # fmt: skip
COMMANDS = [
    pytest.param(("check",), id="check"),
    pytest.param(("import", "--user", "supervisor"), id="import"),
]


def _good():
    return build_workbook(people_sheet(person()), pass_sheet("H30年度", pass_row()))


def _zip(**parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name.replace("__", "/"), content)
    return out.getvalue()


def _counts(db):
    db.session.expire_all()
    return {model.__name__: count(db, model) for model in (*WRITTEN, MigrationRun)}


def _assert_refused(db, before, code, out, reason_code=None):
    assert code == 2, out
    assert out["status"] == "refused"
    assert JAPANESE.search(out["reason"] or ""), out["reason"]
    assert (out["rejected"], out["mismatches"], out["sheets"]) == ([], [], [])
    assert out["passes"] == {"read": 0, "imported": 0, "already_present": 0, "rejected": 0}
    after = _counts(db)
    assert after == {**before, "MigrationRun": before["MigrationRun"] + 1}
    run = db.session.get(MigrationRun, out["run_id"])
    assert (run.status, run.reason, run.applied_at) == ("refused", out["reason"], None)
    if reason_code:
        assert run.reason_code == reason_code
    return run


NOT_WORKBOOKS = [
    pytest.param("住民番号,氏名\n0000000001,山田 太郎\n".encode("cp932"), "text_file", id="csv"),
    pytest.param("住民番号,氏名\r\n1,山田\r\n".encode(), "text_file", id="csv-utf8"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "pdf", id="pdf"),
    pytest.param(os.urandom(4096), None, id="random-bytes"),
    pytest.param(b"", "empty_file", id="empty"),
    pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(502), "executable", id="exe"),
    pytest.param(_zip(readme__txt="hello"), None, id="zip-not-workbook"),
    pytest.param(_good()[:800], None, id="truncated-workbook"),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("data", "reason_code"), NOT_WORKBOOKS)
def test_not_a_workbook_is_refused(db, host_people, ledger_cli, command, data, reason_code):
    host_people(1)
    before = _counts(db)
    code, out, _ = ledger_cli(*command, data=data, name="台帳.xlsx")
    run = _assert_refused(db, before, code, out, reason_code)
    assert run.file_name == "台帳.xlsx"


def test_a_renamed_exe_says_so(db, ledger_cli):
    code, out, _ = ledger_cli("check", data=b"MZ" + bytes(1000), name="台帳.xlsm")
    assert code == 2
    assert "実行ファイル" in out["reason"]


def test_a_file_that_cannot_be_read_is_refused(db, ledger_cli, tmp_path):
    code, out, _ = ledger_cli("check", str(tmp_path / "ない.xlsx"))
    assert code == 2
    assert out["status"] == "refused"
    assert JAPANESE.search(out["reason"])
    assert count(db, MigrationRun) == 0


REFUSED_LAYOUTS = [
    pytest.param(
        lambda: build_workbook(pass_sheet("H30年度", pass_row())),
        "no_people_sheet",
        "対象者",
        id="no-people-sheet",
    ),
    pytest.param(
        lambda: build_workbook(people_sheet(person()), SheetSpec("集計", ["住民番号"], [])),
        "no_fiscal_year_sheet",
        "年度",
        id="no-fiscal-year-sheet",
    ),
    *[
        pytest.param(
            lambda column=column: build_workbook(
                SheetSpec("対象者", [h for h in PEOPLE_HEADER if h != column], [person()]),
                pass_sheet("H30年度", pass_row()),
            ),
            "missing_column",
            column,
            id=f"people-without-{column}",
        )
        for column in ("氏名", "生年月日")
    ],
    *[
        pytest.param(
            lambda column=column: build_workbook(
                people_sheet(person()),
                pass_sheet("H30年度", pass_row()),
                SheetSpec("R1年度", [h for h in PASS_HEADER if h != column], [pass_row()]),
            ),
            "missing_column",
            column,
            id=f"passes-without-{column}",
        )
        for column in ("整理番号", "交付日")
    ],
    pytest.param(
        # Without 住民番号 there is no header row at all.
        lambda: build_workbook(
            people_sheet(person()),
            SheetSpec("H30年度", [h for h in PASS_HEADER if h != "住民番号"], [pass_row()]),
        ),
        None,
        "住民番号",
        id="passes-without-住民番号",
    ),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("make", "reason_code", "named"), REFUSED_LAYOUTS)
def test_a_workbook_without_what_it_needs_is_refused(
    db, host_people, ledger_cli, command, make, reason_code, named
):
    host_people(1)
    before = _counts(db)
    code, out, _ = ledger_cli(*command, data=make())
    _assert_refused(db, before, code, out, reason_code)
    assert named in out["reason"]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_same_workbook_already_applied_is_refused(db, host_people, ledger_cli, command):
    host_people(1)
    data = _good()
    code, first, _ = ledger_cli("import", "--user", "supervisor", data=data)
    assert code == 0, first
    before = _counts(db)
    code, out, _ = ledger_cli(*command, data=data, name="コピー.xlsx")
    _assert_refused(db, before, code, out, "already_applied")
    assert "すでに取り込まれています" in out["reason"]
    assert f"取込番号 {first['run_id']}" in out["reason"]
    assert out["sha256"] == first["sha256"]


def test_a_checked_workbook_can_be_imported_and_is_then_refused(db, host_people, ledger_cli):
    host_people(1)
    data = _good()
    assert ledger_cli("check", data=data)[0] == 0
    assert ledger_cli("check", data=data)[0] == 0  # checking twice is no import
    assert ledger_cli("import", "--user", "supervisor", data=data)[0] == 0
    assert ledger_cli("check", data=data)[0] == 2
    statuses = db.session.execute(select(MigrationRun.status).order_by(MigrationRun.id)).scalars()
    assert list(statuses) == ["checked", "checked", "applied", "refused"]
    assert count(db, Issuance) == 1
