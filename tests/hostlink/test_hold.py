"""The sanity hold: a file that would reject or exclude too much waits for a
supervisor, who approves (it is applied) or discards it — by the command line
or the screen."""

import json
from pathlib import Path

from app.audit.models import AccessLog
from app.hostlink import approval, imports
from app.hostlink.models import ImportRun, ImportRunRejection
from app.residents.models import Resident
from tests.hostlink.conftest import AS_OF, NEXT_AS_OF, drop, extract, fingerprint, people


def _truncated_population(import_path, count=100, keep=90):
    crowd = people(count)
    first = import_path(AS_OF, crowd)
    assert first.status == "applied"
    return crowd, crowd[:keep]


def test_file_excluding_too_many_is_held_and_changes_nothing(db, import_path, folders):
    crowd, kept = _truncated_population(import_path)
    snapshot = fingerprint(db)
    outcome = import_path(NEXT_AS_OF, kept)
    assert outcome.status == "held"
    assert outcome.reason_code == "held_exclusions"
    assert outcome.counts["excluded"] == 10
    assert "100人のうち 10人" in outcome.reason
    assert fingerprint(db) == snapshot
    run = db.session.get(ImportRun, outcome.run_id)
    assert (run.status, run.excluded, run.active_before) == ("held", 10, 100)
    assert Path(run.held_path).parent == folders["held"]
    assert Path(run.held_path).read_bytes() == extract(NEXT_AS_OF, kept)


def test_file_with_too_many_rejections_is_held(db, import_path, tmp_path):
    crowd = people(50)
    data = bytearray(extract(AS_OF, crowd))
    for index in (0, 1):  # 2 of 50 = 4 % > 1 %
        data[(index + 1) * 258 + 91] = ord("7")  # sex code
    path = drop(tmp_path, AS_OF, bytes(data))
    outcome = imports.import_file(path, trigger="command")
    assert (outcome.status, outcome.reason_code) == ("held", "held_rejects")
    assert outcome.counts["added"] == 48
    assert db.session.query(Resident).count() == 0
    # The rejected records of a held run are recorded too.
    assert db.session.query(ImportRunRejection).count() == 2


def test_same_held_content_is_not_held_twice(db, import_path):
    crowd, kept = _truncated_population(import_path)
    first = import_path(NEXT_AS_OF, kept)
    second = import_path(NEXT_AS_OF, kept)
    assert (second.status, second.reason_code) == ("refused", "already_held")
    assert str(first.run_id) in second.reason


def test_approve_applies_the_held_file(app, db, import_path, folders):
    crowd, kept = _truncated_population(import_path)
    held = import_path(NEXT_AS_OF, kept)
    result = app.test_cli_runner().invoke(args=["hostlink", "approve", str(held.run_id)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (summary["status"], summary["excluded"], summary["unchanged"]) == ("applied", 10, 90)
    assert summary["reason"] == "係長の承認により取り込みました。"
    db.session.expire_all()
    run = db.session.get(ImportRun, held.run_id)
    assert (run.status, run.held_path, run.excluded) == ("applied", None, 10)
    assert run.decided_at is not None
    assert db.session.query(Resident).filter_by(exclusion_reason="not_extracted").count() == 10
    assert list(folders["archive"].iterdir())
    assert not list(folders["held"].iterdir())
    # Approving twice is refused and changes nothing.
    again = app.test_cli_runner().invoke(args=["hostlink", "approve", str(held.run_id)])
    assert again.exit_code == 2
    assert "承認待ちではありません" in again.output


def test_discard_closes_the_held_run(app, db, import_path, folders):
    crowd, kept = _truncated_population(import_path)
    held = import_path(NEXT_AS_OF, kept)
    snapshot = fingerprint(db)
    result = app.test_cli_runner().invoke(args=["hostlink", "discard", str(held.run_id)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["status"] == "discarded"
    db.session.expire_all()
    assert db.session.get(ImportRun, held.run_id).status == "discarded"
    assert fingerprint(db) == snapshot
    assert [p.suffix for p in folders["rejected"].iterdir()] == [".DAT"]


def test_approval_rechecks_that_the_as_of_date_is_still_newest(db, import_path):
    crowd, kept = _truncated_population(import_path)
    held = import_path(NEXT_AS_OF, kept)
    newer = import_path(NEXT_AS_OF.replace(day=20), crowd)
    assert newer.status == "applied"
    snapshot = fingerprint(db)
    outcome = approval.approve_run(held.run_id)
    assert (outcome.status, outcome.reason_code) == ("refused", "not_newer")
    assert fingerprint(db) == snapshot
    db.session.expire_all()
    assert db.session.get(ImportRun, held.run_id).status == "refused"


def test_supervisor_approves_on_the_screen(db, import_path, login, user):
    crowd, kept = _truncated_population(import_path)
    held = import_path(NEXT_AS_OF, kept)
    client = login("supervisor")
    page = client.get(f"/hostlink/runs/{held.run_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "承認して取り込む" in text
    assert "破棄" in text
    assert "取り込んだ場合の件数" in text
    resp = client.post(f"/hostlink/runs/{held.run_id}/approve")
    assert resp.status_code == 302
    db.session.expire_all()
    run = db.session.get(ImportRun, held.run_id)
    assert run.status == "applied"
    assert run.decided_by_id == user("supervisor").id
    logged = db.session.query(AccessLog).filter_by(action="hostlink.approve").one()
    assert logged.username == "supervisor"
    # A second press of the button is refused with a message.
    again = client.post(f"/hostlink/runs/{held.run_id}/approve", follow_redirects=True)
    assert "承認待ちではありません" in again.get_data(as_text=True)


def test_staff_cannot_approve_or_discard(db, import_path, login):
    crowd, kept = _truncated_population(import_path)
    held = import_path(NEXT_AS_OF, kept)
    client = login("staff")
    page = client.get(f"/hostlink/runs/{held.run_id}").get_data(as_text=True)
    assert f"/hostlink/runs/{held.run_id}/approve" not in page
    assert "承認・破棄は係長のみが行えます。" in page
    for action in ("approve", "discard"):
        assert client.post(f"/hostlink/runs/{held.run_id}/{action}").status_code in (302, 403)
    db.session.expire_all()
    assert db.session.get(ImportRun, held.run_id).status == "held"


def test_supervisor_discards_on_the_screen(db, import_path, login):
    crowd, kept = _truncated_population(import_path)
    held = import_path(NEXT_AS_OF, kept)
    resp = login("supervisor").post(f"/hostlink/runs/{held.run_id}/discard", follow_redirects=True)
    assert "保留中の抽出ファイルを破棄しました。" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ImportRun, held.run_id).status == "discarded"
