"""The import screens: who sees them, what they show, the manual upload, and the
whole way from the inbox to the person search."""

import io
from datetime import date, datetime

import pytest

from app.audit.models import AccessLog
from app.hostlink import imports
from app.hostlink.models import ImportRun
from app.residents.models import Resident
from tests.hostlink.conftest import AS_OF, NEXT_AS_OF, drop, extract, people, person


@pytest.mark.parametrize(
    ("role", "expected"),
    [("supervisor", 200), ("staff", 200), ("auditor", 200), ("branch", 403), ("admin", 200)],
)
def test_who_may_see_the_runs(db, login, role, expected):
    assert login(role).get("/hostlink/runs/").status_code == expected


def test_anonymous_is_sent_to_sign_in(client):
    resp = client.get("/hostlink/runs/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_runs_list_shows_status_schedule_and_lateness(db, login, frozen_clock, import_path):
    frozen_clock(datetime(2026, 4, 16, 11, 0))
    import_path(AS_OF, people(5))
    page = login("staff").get("/hostlink/runs/").get_data(as_text=True)
    assert "ホスト連携 取込履歴" in page
    assert "令和8年4月16日 の抽出ファイルがまだ取り込まれていません" in page
    assert "停止中" in page  # no scheduler process in the tests
    assert "FUREAI_20260401.DAT" in page
    assert "取込済み" in page
    assert 'action="/hostlink/upload"' not in page  # staff cannot upload


def test_supervisor_uploads_a_file(db, login, user):
    client = login("supervisor")
    assert 'action="/hostlink/upload"' in client.get("/hostlink/runs/").get_data(as_text=True)
    data = extract(AS_OF, people(4))
    resp = client.post(
        "/hostlink/upload",
        data={"file": (io.BytesIO(data), "FUREAI_20260401.DAT")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = resp.get_data(as_text=True)
    assert "取り込みました。" in text
    run = db.session.query(ImportRun).one()
    assert (run.status, run.trigger, run.user_id, run.added) == (
        "applied",
        "upload",
        user("supervisor").id,
        4,
    )
    logged = db.session.query(AccessLog).filter_by(action="hostlink.import").one()
    assert (logged.username, logged.outcome) == ("supervisor", "ok")


def test_upload_of_a_bad_file_is_refused_with_its_reason(db, login):
    resp = login("supervisor").post(
        "/hostlink/upload",
        data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "photo.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = resp.get_data(as_text=True)
    assert "制御文字" in text
    assert db.session.query(ImportRun).one().status == "refused"


def test_staff_may_not_upload(db, login):
    resp = login("staff").post(
        "/hostlink/upload",
        data={"file": (io.BytesIO(extract(AS_OF, people(1))), "FUREAI_20260401.DAT")},
        content_type="multipart/form-data",
    )
    assert resp.status_code in (302, 403)
    assert db.session.query(ImportRun).count() == 0


def test_run_details_show_rejections_and_excluded_people(db, login, import_path, tmp_path):
    leaving = person(kana="イナクナル ヒト")
    crowd = [leaving] + people(149)
    import_path(AS_OF, crowd)
    moved_out = dict(leaving, status=2, status_changed_on=date(2026, 4, 8))
    data = bytearray(extract(NEXT_AS_OF, [moved_out] + crowd[1:]))
    data[3 * 258 + 99 : 3 * 258 + 106] = b"ABCDEFG"  # postal code of line 4
    outcome = imports.import_file(drop(tmp_path, NEXT_AS_OF, bytes(data)), trigger="command")
    assert outcome.status == "applied"
    page = login("auditor").get(f"/hostlink/runs/{outcome.run_id}").get_data(as_text=True)
    assert "取込不可のレコード" in page
    assert "郵便番号が7桁の数字ではありません。" in page
    assert "この取込で除外した方" in page
    resident_id = (
        db.session.query(Resident.id).filter_by(resident_no=leaving["resident_no"]).scalar()
    )
    assert f'href="/residents/{resident_id}"' in page
    assert "転出" in page
    assert db.session.query(AccessLog).filter_by(action="resident.search").count() == 1


def test_unknown_run_is_not_found(db, login):
    assert login("staff").get("/hostlink/runs/999").status_code == 404


def test_end_to_end_inbox_file_appears_in_the_person_search(app, db, folders, login):
    newcomer = person(name="入浴\u3000花子", kana="ニュウヨク ハナコ", sex=2)
    drop(folders["inbox"], AS_OF, extract(AS_OF, [newcomer] + people(9)))
    result = app.test_cli_runner().invoke(args=["hostlink", "poll"])
    assert result.exit_code == 0, result.output
    client = login("staff")
    search = client.get("/residents/?q=にゅうよく").get_data(as_text=True)
    assert "入浴" in search
    assert "花子" in search
    stored = db.session.query(Resident).filter_by(resident_no=newcomer["resident_no"]).one()
    person_page = client.get(f"/residents/{stored.id}")
    assert person_page.status_code == 200
    assert "ニュウヨク ハナコ" in person_page.get_data(as_text=True)
    runs = client.get("/hostlink/runs/").get_data(as_text=True)
    assert "自動（定時）" in runs
