"""送付停止 on the person's page, in the search results, in the REST API, and
the mass mailing screens' not-mailed lists."""

import io
from datetime import date

from openpyxl import load_workbook

from app.audit.models import AccessLog, AccessLogPerson
from app.history.models import ChangeLog
from app.mailing import stops
from app.mailing.models import STATUS_HANDED_BACK, MailStop
from app.passes import returns
from app.passes.models import Issuance
from tests.factories import make_resident


def _stops(db):
    return db.session.query(MailStop).count()


def test_stop_and_resume_from_the_persons_page(login, march, db):
    person = make_resident(name="画面\u3000花子")
    client = login("staff")
    page = client.get(f"/residents/{person.id}").get_data(as_text=True)
    assert "送付停止にする" in page
    assert 'id="ward-mailing"' in page
    # no confirmation: nothing saved
    resp = client.post(f"/mailing/{person.id}/stop", data={"reason": "declined"},
                       follow_redirects=True)  # fmt: skip
    assert "確認のチェックを入れてください" in resp.get_data(as_text=True)
    # その他 without text
    resp = client.post(f"/mailing/{person.id}/stop", data={"reason": "other", "confirm": "y"},
                       follow_redirects=True)  # fmt: skip
    assert "「その他」のときは、内容を入力してください" in resp.get_data(as_text=True)
    assert _stops(db) == 0
    resp = client.post(f"/mailing/{person.id}/stop",
                       data={"reason": "facility", "since": "R8.3.1", "confirm": "y"},
                       follow_redirects=True)  # fmt: skip
    body = resp.get_data(as_text=True)
    assert "この方を送付停止にしました" in body
    assert "令和8年3月1日 から送付停止中です（理由：施設入所）" in body
    assert "送付を再開する" in body
    # the same form sent twice: refused, one stop
    again = client.post(f"/mailing/{person.id}/stop", data={"reason": "facility", "confirm": "y"},
                        follow_redirects=True)  # fmt: skip
    assert "すでに送付停止" in again.get_data(as_text=True)
    assert _stops(db) == 1
    # the history names it in Japanese
    assert "送付停止の理由" in body
    assert "施設入所" in body
    resp = client.post(f"/mailing/{person.id}/resume", data={"reason": "退所", "confirm": "y"},
                       follow_redirects=True)  # fmt: skip
    body = resp.get_data(as_text=True)
    assert "送付を再開しました" in body
    assert "送付停止の履歴" in body
    assert "退所" in body
    twice = client.post(
        f"/mailing/{person.id}/resume", data={"confirm": "y"}, follow_redirects=True
    )
    assert "送付停止になっていません" in twice.get_data(as_text=True)
    assert db.session.query(ChangeLog).filter_by(entity="mail_stop").count() == 2


def test_hand_back_from_the_persons_page(login, march, make_pass, db):
    person = make_resident()
    issued = make_pass(person, fiscal_year=2025, method="counter")
    client = login("staff")
    page = client.get(f"/residents/{person.id}").get_data(as_text=True)
    assert f"整理番号 {issued.control_no} の入浴証を窓口で返還" in page
    resp = client.post(f"/mailing/{person.id}/hand-back",
                       data={"issuance_id": str(issued.id), "version": str(issued.version),
                             "stop": "y", "confirm": "y"}, follow_redirects=True)  # fmt: skip
    body = resp.get_data(as_text=True)
    assert "入浴証の返還を記録しました" in body
    assert "（理由：返還）" in body
    assert db.session.get(Issuance, issued.id).status == STATUS_HANDED_BACK
    # the stale form again: refused, nothing more
    resp = client.post(f"/mailing/{person.id}/hand-back",
                       data={"issuance_id": str(issued.id), "version": str(issued.version),
                             "confirm": "y"}, follow_redirects=True)  # fmt: skip
    text = resp.get_data(as_text=True)
    assert "再読み込み" in text or "有効な入浴証ではない" in text
    resp = client.post(f"/mailing/{person.id}/hand-back",
                       data={"issuance_id": "999999", "confirm": "y"}, follow_redirects=True)  # fmt: skip
    assert resp.status_code == 200
    assert "見つかりません" in resp.get_data(as_text=True)


def test_clear_a_returned_letter_from_the_persons_page(login, march, make_pass, user, db):
    person = make_resident()
    issued = make_pass(person, fiscal_year=2025)
    returns.record_return(issued, user("staff"), on=date(2026, 2, 1))
    client = login("staff")
    page = client.get(f"/residents/{person.id}").get_data(as_text=True)
    assert "返戻未解決" in page
    assert "返戻を解除する" in page
    resp = client.post(f"/mailing/{person.id}/clear-return", data={"confirm": "y"},
                       follow_redirects=True)  # fmt: skip
    assert "返戻を解除する理由を入力してください" in resp.get_data(as_text=True)
    resp = client.post(f"/mailing/{person.id}/clear-return",
                       data={"reason": "本人に電話で確認", "confirm": "y"}, follow_redirects=True)  # fmt: skip
    body = resp.get_data(as_text=True)
    assert "返戻を解除しました" in body
    assert "返戻を解除する理由" not in body.split('id="ward-mailing"')[1].split("</section>")[0]
    assert db.session.query(ChangeLog).filter_by(action="return_cleared").count() == 1


def test_forms_are_for_records_work_only(login, march, db):
    person = make_resident()
    for role in ("branch", "auditor"):
        client = login(role)
        page = client.get(f"/residents/{person.id}").get_data(as_text=True)
        assert "送付停止にする" not in page
        resp = client.post(
            f"/mailing/{person.id}/stop", data={"reason": "declined", "confirm": "y"}
        )
        assert resp.status_code in (302, 403)
    assert _stops(db) == 0
    assert login("staff").post("/mailing/999999/stop", data={}).status_code == 404


def test_search_results_show_the_badge(login, march, user, db):
    stopped = make_resident(name="検索\u3000停止", kana="ケンサク テイシ")
    make_resident(name="検索\u3000通常", kana="ケンサク ツウジョウ")
    stops.stop_mailing(stopped, "declined", user("staff"))
    page = login("branch").get("/residents/?q=ケンサク").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")
    badge = [r for r in rows if "ward-mail-stopped" in r]
    assert len(badge) == 1
    assert "検索\u3000停止" in badge[0]


def test_the_api_tells_mail_stopped(app, march, user, db):
    from tests.matrix.conftest import api_token

    stopped = make_resident()
    other = make_resident()
    stops.stop_mailing(stopped, "returned_mail", user("staff"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(app, 'staff')}"}
    listed = client.get("/api/v1/residents/?q=(page_size:100)", headers=headers).get_json()
    by_no = {r["resident_no"]: r for r in listed["result"]}
    assert by_no[stopped.resident_no]["mail_stopped"] is True
    assert by_no[stopped.resident_no]["mail_stop_reason"] == "returned_mail"
    assert by_no[other.resident_no]["mail_stopped"] is False
    assert by_no[other.resident_no]["mail_stop_reason"] is None
    one = client.get(f"/api/v1/residents/{stopped.id}", headers=headers).get_json()
    assert one["result"]["mail_stopped"] is True


def test_mass_mailing_preview_lists_the_people_not_mailed(login, march, make_pass, user, db):
    person = make_resident(name="対象外\u3000花子")
    make_pass(person, fiscal_year=2020, method="counter")
    make_pass(make_resident(name="対象\u3000太郎"), fiscal_year=2019, method="counter")
    stops.stop_mailing(person, "declined", user("staff"))
    client = login("supervisor")
    page = client.get("/massmailing/preview?fiscal_year=2026&cutoff=2026-02-28")
    body = page.get_data(as_text=True)
    assert "対象外\u3000花子" in body
    assert "送付停止" in body
    assert "一人が複数の区分に該当することがあるため" in body
    log = (
        db.session.query(AccessLog)
        .filter_by(action="mass_mailing.run")
        .order_by(AccessLog.id.desc())
        .first()
    )
    assert [p.resident_no for p in db.session.query(AccessLogPerson).filter_by(log_id=log.id)] == [
        person.resident_no
    ]
    xlsx = client.get("/massmailing/not-mailed/preview.xlsx?fiscal_year=2026&cutoff=2026-02-28")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.data))
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "対象外\u3000花子" in cells
    assert "対象\u3000太郎" not in cells
    pdf = client.get("/massmailing/not-mailed/preview.pdf?fiscal_year=2026&cutoff=2026-02-28")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    bad = client.get(
        "/massmailing/not-mailed/preview.pdf?fiscal_year=2026&cutoff=R9.1.1", follow_redirects=True
    )
    assert bad.status_code == 200
    assert "基準日" in bad.get_data(as_text=True)
    assert client.get("/massmailing/not-mailed/preview.doc").status_code == 404


def test_the_forms_fields_are_the_same_html_with_each_persons_own_ids(login, march, db, make_pass):
    # The fields are rendered once per process and language (a cached
    # fragment); the person's and the pass's own values are filled in.
    first, second = make_resident(name="甲野\u3000一郎"), make_resident(name="乙野\u3000二郎")
    passes = {p.id: make_pass(p, fiscal_year=2025) for p in (first, second)}
    client = login("staff")
    for person in (first, second, first):
        issued = passes[person.id]
        page = client.get(f"/residents/{person.id}").get_data(as_text=True)
        assert f'action="/mailing/{person.id}/hand-back"' in page
        assert f'name="issuance_id" value="{issued.id}"' in page
        assert f'id="hb-on-{issued.id}"' in page
        assert f'for="hb-note-{issued.id}"' in page
        assert f'id="hb-stop-{issued.id}"' in page
        assert f"整理番号 {issued.control_no} の入浴証の返還を記録する" in page
        other = passes[second.id if person is first else first.id]
        assert f"hb-on-{other.id}" not in page
        assert "PASS_ID" not in page
        assert "PASS_NO" not in page
        assert f'action="/residents/{person.id}/exclude"' in page
        assert f'name="version" type="hidden" value="{person.version}"' in page
    client.post(f"/mailing/{first.id}/stop", data={"reason": "facility", "confirm": "y"})
    stopped = client.get(f"/residents/{first.id}").get_data(as_text=True)
    mailed = client.get(f"/residents/{second.id}").get_data(as_text=True)
    # a stopped person's hand-back form does not offer to stop again
    assert f'id="hb-stop-{passes[first.id].id}"' not in stopped
    assert f'id="hb-stop-{passes[second.id].id}"' in mailed


def test_each_form_of_the_persons_page_carries_the_csrf_token(
    app, login, march, db, make_pass, monkeypatch
):
    import re

    person = make_resident(name="丙野\u3000三郎")
    make_pass(person, fiscal_year=2025)
    client = login("staff")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(f"/residents/{person.id}").get_data(as_text=True)
    forms = re.findall(r'<form method="post"(.*?)</form>', page, re.S)
    assert len(forms) >= 3
    for form in forms:
        assert re.search(r'<input[^>]*name="csrf_token"[^>]*value="[^"]+"', form), form[:200]
