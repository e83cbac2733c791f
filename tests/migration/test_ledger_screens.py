"""The migration's screens through HTTP: upload → report → confirm → report,
discard, the uploaded copy's deletion, refusals and the access log."""

import io
import re
from pathlib import Path

from sqlalchemy import select

from app.audit.models import AccessLog
from app.migration.models import ErasureRecord, MigrationRun
from app.passes.models import Issuance
from tests.migration.conftest import (
    build_workbook,
    count,
    pass_row,
    pass_sheet,
    people_sheet,
    person,
)


def _upload(client, data, name="台帳.xlsx"):
    return client.post(
        "/ledger/upload",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _run(db):
    db.session.expire_all()
    return db.session.execute(select(MigrationRun).order_by(MigrationRun.id.desc())).scalar()


def _workbook():
    return build_workbook(
        people_sheet(
            person(), person({"住民番号": "0000000002", "氏名": "<script>alert(1)</script>"})
        ),
        pass_sheet(
            "R7年度",
            pass_row({"交付日": "R7.4.2", "申請日": "R7.4.1"}),
            pass_row({"整理番号": 2, "交付場所": "<script>alert(1)</script>"}),
            total=2,
        ),
    )


def test_upload_check_confirm(db, host_people, login):
    host_people(1)
    client = login("supervisor")
    resp = _upload(client, _workbook())
    assert resp.status_code == 302
    run = _run(db)
    assert run.status == "checked"
    assert Path(run.stored_path).exists()
    page = client.get(f"/ledger/runs/{run.id}").get_data(as_text=True)
    assert "取込を確定" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert count(db, Issuance) == 0
    stored = Path(run.stored_path)
    resp = client.post(f"/ledger/runs/{run.id}/confirm")
    assert resp.status_code == 302
    run = _run(db)
    assert run.status == "applied", run.reason
    assert count(db, Issuance) == 1
    assert not stored.exists()
    assert run.stored_path is None
    (auto,) = db.session.execute(select(ErasureRecord)).scalars()
    assert auto.automatic
    page = client.get(f"/ledger/runs/{run.id}").get_data(as_text=True)
    assert "消去" in page
    actions = set(db.session.execute(select(AccessLog.action)).scalars())
    assert {"ledger.upload", "ledger.check", "ledger.import", "ledger.view"} <= actions


def test_bad_file_is_refused_and_deleted(db, login):
    client = login("supervisor")
    _upload(client, b"%PDF-1.4 not a workbook", "x.xlsx")
    run = _run(db)
    assert run.status == "refused"
    assert run.reason
    assert re.search(r"[ぁ-んァ-ン一-龥]", run.reason)
    assert run.stored_path is None
    page = client.get(f"/ledger/runs/{run.id}").get_data(as_text=True)
    assert run.reason in page


def test_discard(db, host_people, login):
    host_people(1)
    client = login("supervisor")
    _upload(client, _workbook())
    run = _run(db)
    client.post(f"/ledger/runs/{run.id}/discard")
    run = _run(db)
    assert run.status == "discarded"
    assert run.stored_path is None
    assert client.post(f"/ledger/runs/{run.id}/confirm").status_code == 302
    assert _run(db).status == "discarded"
    assert count(db, Issuance) == 0
