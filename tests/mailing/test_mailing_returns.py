"""Returned mail in bulk: the batch screen (one by one, with and without the
script), the file of scanned numbers, the 返戻日, and what is refused."""

import io
from datetime import date

from app.audit.models import AccessLog, AccessLogPerson
from app.extensions import db as _db
from app.history.models import ChangeLog
from app.mailing import returned
from app.passes.models import Issuance
from tests.factories import make_resident


def _returns():
    return _db.session.query(ChangeLog).filter_by(action="return").count()


def test_the_returns_screen_has_a_return_date_defaulting_to_today(login, march, make_pass, db):
    issued = make_pass(make_resident(), fiscal_year=2025)
    client = login("staff")
    page = client.get("/returns/").get_data(as_text=True)
    assert 'name="returned_on"' in page
    assert "令和8年3月23日" in page
    assert "/returns/batch/" in page
    resp = client.post("/returns/record", data={"fiscal_year": "2025", "returned_on": "R8.3.2",
                                                 "control_no": str(issued.control_no)},
                       follow_redirects=True)  # fmt: skip
    assert "返戻を記録しました" in resp.get_data(as_text=True)
    assert db.session.get(Issuance, issued.id).returned_on == date(2026, 3, 2)
    future = client.post("/returns/record", data={"fiscal_year": "2025", "returned_on": "2026-04-01",
                                                   "control_no": str(issued.control_no)},
                         follow_redirects=True)  # fmt: skip
    assert "未来" in future.get_data(as_text=True)


def test_batch_screen_answers_each_number_without_the_script(login, march, make_pass, db):
    person = make_resident(name="一括\u3000花子")
    issued = make_pass(person, fiscal_year=2025)
    client = login("staff")
    page = client.get("/returns/batch/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'aria-live="polite"' in body
    assert "js/returns_batch." in body
    resp = client.post("/returns/batch/one", data={"fiscal_year": "2025", "returned_on": "",
                                                    "control_no": f"＊{issued.control_no}＊"})  # fmt: skip
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f"整理番号 {issued.control_no}（一括\u3000花子）：返戻を記録しました" in text
    assert db.session.get(Issuance, issued.id).returned_on == date(2026, 3, 23)
    # the page named the person: one access-log row with them
    row = (
        db.session.query(AccessLog)
        .filter_by(action="issuance.list")
        .order_by(AccessLog.id.desc())
        .first()
    )
    assert (
        db.session.query(AccessLogPerson).filter_by(log_id=row.id).one().resident_no
        == person.resident_no
    )


def test_batch_screen_answers_json_for_the_script(login, march, make_pass, db):
    issued = make_pass(make_resident(), fiscal_year=2025)
    counter = make_pass(make_resident(), fiscal_year=2025, method="counter")
    client = login("staff")
    headers = {"X-Requested-With": "fetch", "Accept": "application/json"}

    def post(number):
        return client.post("/returns/batch/one", headers=headers,
                           data={"fiscal_year": "2025", "control_no": number}).get_json()  # fmt: skip

    assert post(str(issued.control_no))["ok"] is True
    again = post(str(issued.control_no))
    assert again == {"ok": False, "reason": "already_returned",
                     "message": f"整理番号 {issued.control_no} はすでに返戻として記録されています。"}  # fmt: skip
    assert post(str(counter.control_no))["reason"] == "counter"
    assert "窓口で交付" in post(str(counter.control_no))["message"]
    unknown = post("99999")
    assert unknown["reason"] == "unknown"
    assert "整理番号 99999 の入浴証はありません" in unknown["message"]
    bad = post("12-34-56")
    assert bad["reason"] == "not_a_number"
    assert "数字で入力してください" in bad["message"]
    assert _returns() == 1


def test_a_file_of_scanned_numbers(login, march, make_pass, db):
    first = make_pass(make_resident(name="一\u3000太郎"), fiscal_year=2025)
    second = make_pass(make_resident(name="二\u3000太郎"), fiscal_year=2025)
    counter = make_pass(make_resident(), fiscal_year=2025, method="counter")
    data = (f"{first.control_no}\r\n\r\n"
            f"{str(second.control_no).translate(str.maketrans('0123456789', '０１２３４５６７８９'))}C\r\n"
            f"{counter.control_no}\r\n??\r\n{first.control_no}\r\n").encode("cp932")  # fmt: skip
    client = login("staff")
    resp = client.post(
        "/returns/batch/upload",
        data={"fiscal_year": "2025", "returned_on": "2026-03-20",
              "file": (io.BytesIO(data), "scan.txt")},
        content_type="multipart/form-data",
    )  # fmt: skip
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "返戻 2 件を記録しました。記録できなかったもの 3 件。" in text
    assert "4 行目" in text
    assert "窓口で交付" in text
    assert "すでに返戻として記録" in text
    for issued in (first, second):
        assert db.session.get(Issuance, issued.id).returned_on == date(2026, 3, 20)
    assert _returns() == 2


def test_bad_files_and_dates_change_nothing(login, march, make_pass, db):
    issued = make_pass(make_resident(), fiscal_year=2025)
    client = login("staff")
    for data, name, message in (
        (b"\x00\x01\x02\xff\xfe", "scan.bin", "テキストファイルではありません"),
        (b"\r\n  \r\n", "empty.txt", "整理番号がありません"),
    ):
        resp = client.post("/returns/batch/upload", content_type="multipart/form-data",
                           data={"fiscal_year": "2025", "file": (io.BytesIO(data), name)})  # fmt: skip
        assert resp.status_code == 400
        assert message in resp.get_data(as_text=True)
    resp = client.post("/returns/batch/upload", content_type="multipart/form-data",
                       data={"fiscal_year": "2025", "returned_on": "R8.4.1",
                             "file": (io.BytesIO(str(issued.control_no).encode()), "a.txt")})  # fmt: skip
    assert resp.status_code == 400
    assert "未来" in resp.get_data(as_text=True)
    resp = client.post("/returns/batch/upload", data={"fiscal_year": "2025"})
    assert resp.status_code == 400
    assert "ファイルを選んでください" in resp.get_data(as_text=True)
    assert _returns() == 0


def test_batch_screen_is_records_work_only(login, db):
    assert login("branch").get("/returns/batch/").status_code in (302, 403)
    assert login("auditor").post("/returns/batch/one", data={"control_no": "1"}).status_code in (
        302,
        403,
    )


def test_csrf_is_checked(app, login, march, make_pass, db, monkeypatch):
    issued = make_pass(make_resident(), fiscal_year=2025)
    client = login("staff")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    resp = client.post("/returns/batch/one", data={"fiscal_year": "2025",
                                                    "control_no": str(issued.control_no)})  # fmt: skip
    assert resp.status_code == 400
    assert db.session.get(Issuance, issued.id).returned_on is None


def test_record_returns_service_in_one_transaction(march, make_pass, db, user):
    a = make_pass(make_resident(), fiscal_year=2025)
    lines = returned.read_one(str(a.control_no), 2025) + returned.read_one(str(a.control_no), 2025)
    outcome = returned.record_returns(lines, None, user("staff"))
    assert [x.ok for x in outcome.answers] == [True, False]
    assert outcome.as_json()["refused"][0]["reason"] == "already_returned"
