"""The access log in Japanese (issue 11, item 13): office names, role names,
action names and details in words on the screen and in the CSV, with the
codes kept in the CSV's last columns for machines."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from app.audit import details
from app.audit.models import AccessLog
from tests.browser.japanese import english_words, visible_text
from tests.matrix.conftest import (
    api_token,
    samples,  # noqa: F401  (the matrix's sample data)
)

CODE_COLUMNS = ["役割（コード）", "所属（コード）", "操作（コード）", "対象（記録のまま）",
                "結果（コード）", "詳細（JSON）"]  # fmt: skip


@pytest.fixture
def activity(app, db, samples, login, user):  # noqa: F811
    """Many kinds of rows: the samples' (issues, a host-link import, a queued
    mass mailing, a ledger migration, accounts) and a day of screens: reads,
    corrections, returns, letters, checklists, accounts, refusals, the API."""
    person = samples["_objects"]["resident"]
    staff = login("staff")
    staff.get("/residents/", query_string={"q": "ミホン", "status": "active"})
    staff.get(f"/residents/{person.id}")
    staff.post(
        f"/residents/{person.id}/edit",
        data={"name": "見本\u3000太朗", "kana": "ミホン タロウ", "sex": "1",
              "birth_date": "1950-05-05", "mail_reason": "", "version": str(person.version)},
    )  # fmt: skip
    staff.get("/issuances/", query_string={"fy": str(samples["fiscal_year"]), "method": "mail"})
    staff.post("/returns/record", data={"control_no": "3", "fiscal_year": samples["fiscal_year"]})
    staff.get(f"/letters/cover/{samples['mail_issuance_id']}")
    staff.get("/checklist/pdf", query_string={"office": "YOTSUYA"})
    branch = login("branch")
    branch.get("/checklist/pdf", query_string={"office": "HQ"})  # refused
    branch.get(f"/issuances/new/{person.id}")
    boss = login("supervisor")
    boss.post(
        f"/staffaccounts/edit/{user('auditor').id}",
        data={"full_name": "監査 花子", "role": "Staff", "office": "HQ", "email": ""},
    )
    boss.post(f"/staffaccounts/unlock/{user('branch').id}")
    boss.get("/accesslog/", query_string={"action": "resident.view", "date_from": "2026-04-01"})
    app.test_client().post("/login/", data={"username": "staff", "password": "wrong"})
    token = api_token(app, "auditor")
    app.test_client().get("/api/v1/issuances/", headers={"Authorization": f"Bearer {token}"})
    app.test_client().get("/api/v1/issuances/", headers={"Authorization": "Bearer nonsense"})
    return samples


def _rows(db):
    db.session.expire_all()
    return db.session.scalars(select(AccessLog).order_by(AccessLog.id)).all()


def test_every_detail_key_the_application_writes_has_a_label(db, activity):
    actions, unlabelled = set(), set()
    for row in _rows(db):
        actions.add(row.action)
        keys = set((row.detail or {}).keys())
        unlabelled |= {
            f"{row.action}:{k}" for k in keys - set(details.DETAIL_LABELS) - details.HIDDEN
        }
    assert not unlabelled
    # the activity wrote the kinds of rows this test is about
    assert {
        "resident.search", "resident.view", "resident.update", "issuance.list",
        "issuance.create", "issuance.return", "letter.print", "checklist.print",
        "access.denied", "account.update", "account.unlock", "account.create",
        "login.success", "login.failure", "api.read", "access_log.search",
        "hostlink.import", "mass_mailing.run", "ledger.import",
    } <= actions  # fmt: skip


def test_every_row_reads_in_japanese(db, activity):
    words = details.Words()
    english = {}
    for row in _rows(db):
        text = " ".join(
            [
                words.roles(row.role),
                words.office(row.office_code),
                words.action(row.action),
                words.outcome(row.outcome),
                words.detail(row.detail, row.action),
            ]
        )
        if not row.target or not row.target.startswith("/"):  # a path is shown as it is
            text += " " + words.target(row.target)
        found = english_words(text.replace(row.username or "\0", ""))
        if found:
            english[f"{row.action} {row.detail}"] = found
    assert english == {}


def test_the_screen_shows_offices_roles_actions_and_details_in_words(db, login, activity):
    html = login("supervisor").get("/accesslog/").get_data(as_text=True)
    cells = visible_text(html, drop="//thead | //form | //nav | //footer | //h2 | //p")
    assert "四谷特別出張所" in cells  # the branch's office
    assert "地域包括ケア推進課" in cells
    assert "出張所担当" in cells
    assert "本庁担当" in cells
    assert "対象者の閲覧" in cells
    assert "アクセス拒否" in cells
    assert "所属：四谷特別出張所" in cells  # the refused checklist of another office...
    assert "役割：監査担当 → 本庁担当" in cells  # ...and the account change, in words
    for code in ("BranchStaff", "YOTSUYA", "resident.view", '"reason"', "{"):
        assert code not in cells


def test_the_csv_reads_in_japanese_and_keeps_the_codes_at_the_end(db, login, activity):
    boss = login("supervisor")
    body = boss.get("/accesslog/export.csv", query_string={"user": "branch"}).get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:10] == ["日時", "ユーザー", "役割", "所属", "接続元", "操作", "住民番号", "対象",
                           "結果", "詳細"]  # fmt: skip
    assert header[10:] == CODE_COLUMNS
    denied = next(r for r in rows[1:] if r[12] == "access.denied")
    assert denied[2:4] == ["出張所担当", "四谷特別出張所"]
    assert denied[5] == "アクセス拒否"
    assert denied[8] == "拒否"
    assert "理由：権限なし" in denied[9]
    assert "日別処理状況リスト" in denied[7]
    assert denied[10:13] == ["BranchStaff", "YOTSUYA", "access.denied"]
    assert denied[14] == "denied"
    assert json.loads(denied[15])["reason"] == "permission"
    assert english_words(" ".join(denied[2:4] + denied[5:7] + denied[8:10])) == []


# --- the words of single details ----------------------------------------------------


WORDS = details.Words({"HQ": "地域包括ケア推進課", "YOTSUYA": "四谷特別出張所"})


@pytest.mark.parametrize(
    ("action", "detail", "text"),
    [
        (
            "resident.search",
            {"q": "シケン", "kind": "kana", "status": "excluded", "shown": 2},
            "検索語：シケン、種別：カナ氏名、状態：除外、表示した人数：2",
        ),
        (
            "issuance.create",
            {"kind": "reissue", "method": "mail", "office": "YOTSUYA"},
            "種別：再交付、交付方法：郵送、所属：四谷特別出張所",
        ),
        (
            "access.denied",
            {"method": "POST", "status": 403, "endpoint": "X.y", "reason": "csrf"},
            "要求：フォームの送信、応答コード：403、理由：フォームの期限切れ、または本システム外からの送信",
        ),
        (
            "account.update",
            {"user_id": 3, "changes": {"role": ["Staff", "BranchStaff"], "office": ["HQ", None]}},
            "アカウント番号：3、変更内容：役割：本庁担当 → 出張所担当、所属：地域包括ケア推進課 → —",
        ),
        (
            "hostlink.import",
            {"as_of": "2026-04-16", "status": "held", "reason": "held_rejects+held_exclusions"},
            "基準日：令和8年4月16日、状態：承認待ち（保留）、"
            "理由：保留（取込不可のレコードが多い）・保留（除外が多い）",
        ),
        (
            "ledger.import",
            {"status": "applied", "people": {"read": 3, "matched": 2}},
            "状態：取込済、対象者：（読込：3、ホストと一致：2）",
        ),
        (
            "access_log.search",
            {"filter": {"action": "resident.view", "date_from": "2026-04-01"}, "page": 1},
            "検索条件：（操作：対象者の閲覧、開始日：令和8年4月1日）、ページ：1",
        ),
        (
            "mass_mailing.run",
            {"fiscal_year": 2026, "step": "issued", "skipped": {"no_address": 2}},
            "年度：令和8年度、段階：入浴証の交付、発送しない方：送付先住所なし：2",
        ),
        ("resident.update", {"fields": ["name", "mail_address"]}, "変更項目：氏名・送付先"),
        (
            "login.failure",
            {"reason": "password", "channel": "api"},
            "理由：パスワードの誤り、利用経路：API",
        ),
        ("something.new", {"new_key": "value"}, "new_key：value"),
    ],
)
def test_a_detail_in_words(app, action, detail, text):
    with app.test_request_context():
        assert WORDS.detail(detail, action) == text


@pytest.mark.parametrize(
    ("target", "text"),
    [
        ("import_run:12", "取込番号 12"),
        ("mass_mailing:3:letters-001.pdf", "一斉発送 番号 3 letters-001.pdf"),
        ("checklist:2026-05-11:YOTSUYA", "日別処理状況リスト 令和8年5月11日 四谷特別出張所"),
        ("checklist:2026-05-11:all", "日別処理状況リスト 令和8年5月11日 全事務所"),
        ("checklist:HQ", "日別処理状況リスト 地域包括ケア推進課"),
        ("2026-123", "令和8年度 整理番号123"),
        ("cli", "コマンド"),
        ("/residents/3", "/residents/3"),
        ("staff", "staff"),
    ],
)
def test_a_target_in_words(app, target, text):
    with app.test_request_context():
        assert WORDS.target(target) == text


def test_the_columns_in_words(app):
    with app.test_request_context():
        assert WORDS.office("YOTSUYA") == "四谷特別出張所"
        assert WORDS.office("GONE") == "GONE"
        assert WORDS.roles("Supervisor,Auditor") == "係長・監査担当"
        assert WORDS.action("resident.view") == "対象者の閲覧"
        assert WORDS.outcome("denied") == "拒否"
