"""An extract dated after today is refused, by every way a file arrives (issue
11, item 6): on 1 December a file with 基準日 16 December was applied from the
upload screen and excluded people whose 除外日 was still ahead."""

import io
import json
from datetime import date, datetime

import pytest

from app.hostlink import imports
from app.hostlink.messages import run_reason
from app.hostlink.models import ImportRun
from tests.hostlink.conftest import drop, extract, fingerprint, people

TODAY = date(2026, 12, 1)
FUTURE = date(2026, 12, 16)


@pytest.fixture
def applied_crowd(db, frozen_clock, tmp_path, folders):
    """Thirty people applied from the extract of 1 December, on 1 December."""
    frozen_clock(TODAY)
    crowd = people(30)
    path = drop(tmp_path / "first", TODAY, extract(TODAY, crowd))
    assert imports.import_file(path, trigger="command").status == "applied"
    return crowd


def _leaving(crowd):
    """The next extract: every tenth person moved out on a day still ahead."""
    return [
        dict(p, status=2, status_changed_on=date(2026, 12, 10)) if n % 10 == 0 else p
        for n, p in enumerate(crowd)
    ]


def _last_run(db):
    db.session.expire_all()
    return db.session.query(ImportRun).order_by(ImportRun.id.desc()).first()


def _assert_refused(db, before, code):
    run = _last_run(db)
    assert (run.status, run.reason_code) == ("refused", code)
    assert fingerprint(db) == before
    return run


def test_upload_of_an_extract_dated_after_today_is_refused(db, login, applied_crowd):
    before = fingerprint(db)
    resp = login("supervisor").post(
        "/hostlink/upload",
        data={
            "file": (io.BytesIO(extract(FUTURE, _leaving(applied_crowd))), "FUREAI_20261216.DAT")
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "基準日 令和8年12月16日 が今日（令和8年12月1日）より後のため" in text
    _assert_refused(db, before, "future_as_of")


def test_command_line_refuses_it_exit_2(app, db, tmp_path, applied_crowd):
    before = fingerprint(db)
    path = drop(tmp_path / "later", FUTURE, extract(FUTURE, _leaving(applied_crowd)))
    result = app.test_cli_runner().invoke(args=["hostlink", "import", str(path)])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (result.exit_code, summary["status"], summary["excluded"]) == (2, "refused", 0)
    assert "より後のため、取り込みませんでした" in summary["reason"]
    _assert_refused(db, before, "future_as_of")


def test_inbox_poll_refuses_it_and_files_it_away(app, db, folders, applied_crowd):
    before = fingerprint(db)
    drop(folders["inbox"], FUTURE, extract(FUTURE, _leaving(applied_crowd)))
    result = app.test_cli_runner().invoke(args=["hostlink", "poll"])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert [r["status"] for r in summary["runs"]] == ["refused"]
    assert "FUREAI_20261216.DAT" in [p.name for p in folders["rejected"].iterdir()]
    _assert_refused(db, before, "future_as_of")


def test_a_creation_date_after_today_is_refused(db, tmp_path, applied_crowd):
    before = fingerprint(db)
    data = extract(TODAY, applied_crowd, created_on=FUTURE)
    path = drop(tmp_path / "again", TODAY, data)
    outcome = imports.import_file(path, trigger="command")
    assert outcome.status == "refused"
    run = _assert_refused(db, before, "future_created_on")
    reason = run_reason(run.reason_code, run.reason_args)
    assert "作成日 令和8年12月16日 が今日（令和8年12月1日）より後のため" in reason


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (datetime(2026, 12, 15, 23, 59), "refused"),  # 14:59 UTC on the 15th
        (datetime(2026, 12, 16, 0, 1), "applied"),  # still the 15th in UTC
    ],
)
def test_today_is_the_local_date(db, frozen_clock, tmp_path, applied_crowd, moment, status):
    frozen_clock(moment)
    path = drop(tmp_path / "later", FUTURE, extract(FUTURE, applied_crowd))
    assert imports.import_file(path, trigger="command").status == status
