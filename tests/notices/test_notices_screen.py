"""The お知らせ screens through the test client: the runs, a run for a period,
its people, the downloads, each read of people in the access log; who may."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from app.audit.models import AccessLog
from app.notices.models import NoticeRun
from tests.notices.conftest import person


@pytest.fixture
def newcomers(db, two_extracts, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTICES_SCHEDULE", "off")
    people = [
        person(birth_date=date(1966, 4, 9), name="画面\u3000一郎"),
        person(birth_date=date(1944, 4, 9), name="画面\u3000二郎"),
    ]
    two_extracts([person()], people)
    return people


def _people_logged(db, action):
    db.session.expire_all()
    row = db.session.scalars(
        select(AccessLog).where(AccessLog.action == action).order_by(AccessLog.id.desc())
    ).first()
    assert row is not None, action
    numbers = db.session.execute(
        sql_text("SELECT resident_no FROM access_log_person WHERE log_id = :id"), {"id": row.id}
    ).scalars()
    return set(numbers)


def test_supervisor_makes_and_downloads_postcards(db, login, newcomers):
    boss = login("supervisor")
    page = boss.get("/notices/").get_data(as_text=True)
    assert "お知らせはがき" in page
    assert "60歳到達" in page
    assert "期間を指定してはがきを作成" in page
    resp = boss.post("/notices/create", data={"start": "R8.4.1", "end": "2026-04-16",
                                              "only_unsent": "1"})  # fmt: skip
    assert resp.status_code == 302
    run = db.session.scalars(select(NoticeRun)).one()
    assert run.total == 2
    assert run.trigger == "screen"
    numbers = {p["resident_no"] for p in newcomers}
    assert _people_logged(db, "notice.run") == numbers
    page = boss.get(resp.headers["Location"]).get_data(as_text=True)
    assert "画面 一郎" in page or "画面\u3000一郎" in page
    assert "転入" in page
    assert "60歳到達" in page
    assert _people_logged(db, "notice.list") == numbers
    pdf = boss.get(f"/notices/runs/{run.id}/pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert "UTF-8''" in pdf.headers["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 4
    assert _people_logged(db, "notice.download") == numbers
    listing = boss.get(f"/notices/runs/{run.id}/list")
    assert listing.status_code == 200
    assert listing.data[:2] == b"PK"
    assert boss.get(f"/notices/runs/{run.id}/other").status_code == 404
    assert boss.get("/notices/runs/9999").status_code == 404


def test_bad_dates_change_nothing(db, login, newcomers):
    boss = login("supervisor")
    for data in ({"start": "2026-02-30"}, {"start": "2026-04-16", "end": "2026-04-01"},
                 {"start": "2026-04-01", "end": "2099-01-01"}):  # fmt: skip
        resp = boss.post("/notices/create", data=data, follow_redirects=True)
        assert resp.status_code == 200
        page = resp.get_data(as_text=True)
        assert "日付" in page or "開始日" in page or "今日より後" in page
    assert db.session.scalar(select(func.count(NoticeRun.id))) == 0


def test_nobody_to_send_makes_no_run(db, login, newcomers):
    boss = login("supervisor")
    resp = boss.post("/notices/create", data={"start": "2026-04-10", "end": "2026-04-10"},
                     follow_redirects=True)  # fmt: skip
    assert "お知らせを送る方はいません" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(NoticeRun.id))) == 0


def test_who_may(db, login, newcomers):
    assert login("staff").get("/notices/").status_code == 200
    for role in ("branch", "auditor"):
        client = login(role)
        assert client.get("/notices/").status_code in (302, 403)
        client.post("/notices/create", data={"start": "2026-04-01"})
    assert db.session.scalar(select(func.count(NoticeRun.id))) == 0


def test_a_large_period_is_left_to_the_scheduler(db, login, newcomers, monkeypatch):
    from app.notices import jobs, views

    monkeypatch.setattr(views, "MAX_ON_SCREEN", 1)
    boss = login("supervisor")
    resp = boss.post("/notices/create", data={"start": "2026-04-01"}, follow_redirects=True)
    assert "スケジューラが作成" in resp.get_data(as_text=True)
    run = db.session.scalars(select(NoticeRun)).one()
    assert run.status == "queued"
    assert not run.files
    jobs.run_pending()
    page = boss.get(f"/notices/runs/{run.id}").get_data(as_text=True)
    assert "完了" in page
    assert "画面" in page
