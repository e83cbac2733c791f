"""The 対象者 rows (the specification's first two cases, and hostile text),
through ``flask ledger check`` / ``import``, and the database afterwards.

A person the host already sent keeps the host's master data; the ledger only
brings in its 送付先 (when the application has none) and its 備考, and what
differs is listed as a mismatch.  An unknown person is created excluded, with
search keys, so that their pass history is kept and can be found.
"""

from datetime import date

import pytest

from app.history.models import ChangeLog
from app.migration.models import MigrationRunItem
from app.passes.models import Issuance
from app.residents.models import Resident
from tests.migration.conftest import (
    Literal,
    build_workbook,
    count,
    history,
    pass_row,
    pass_sheet,
    passes,
    people_sheet,
    person,
    resident,
)

IMPORT = ("import", "--user", "supervisor")
MAIL = {
    "送付先宛名": "山田 花子",
    "送付先郵便番号": "〒169-0075",
    "送付先住所": "東京都新宿区高田馬場1-2-3",
    "送付先事由": "家族方",
}
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_NOTE = '=HYPERLINK("http://x","y")'


def _workbook(*people, rows=None):
    rows = [pass_row()] if rows is None else rows
    return build_workbook(people_sheet(*people), pass_sheet("H30年度", *rows))


def _mismatches(out):
    return sorted((m["sheet"], m["row"], m["resident_no"], m["field"]) for m in out["mismatches"])


def _updates(db, resident_id):
    return [h for h in history(db, "resident", resident_id) if h.action == "migrate_update"]


# --- a person the host already sent (事業対象者) ----------------------------


def test_host_master_data_stays(db, host_people, ledger_cli):
    (host,) = host_people(1)
    version = host.version
    ledger = person(
        {
            "ふりがな": "ﾔﾏﾀﾞ ｼﾞﾛｳ",
            "性別": "女",
            "郵便番号": "1690075",
            "住所": "東京都新宿区高田馬場9-9-9",
            "方書": "ハイツ101",
            "電話番号": "03-9999-9999",
            "区分": "障害・児童",
            "除外日": date(2020, 3, 1),
            "除外事由": "転出",
        }
    )
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(ledger))
    assert code == 0, out
    assert out["people"] == {"read": 1, "matched": 1, "created": 0, "mismatched": 0, "rejected": 0}
    assert out["mismatches"] == []
    after = resident(db, "0000000001")
    assert after.id == host.id
    assert (after.name, after.kana, after.sex, after.birth_date) == (
        "山田\u3000太郎",
        "ヤマダ タロウ",
        1,
        date(1955, 4, 1),
    )
    assert (after.postal_code, after.address, after.address2, after.phone) == (
        "1600000",
        "東京都新宿区試験町１－１",
        "",
        "",
    )
    assert (after.is_elderly, after.is_disabled, after.is_child_allowance) == (True, False, False)
    assert (after.status, after.excluded_on, after.exclusion_reason) == ("active", None, None)
    assert (after.mail_address, after.note, after.version) == (None, None, version)
    assert history(db, "resident", host.id) == []
    assert count(db, Resident) == 1
    (made,) = passes(db)
    assert made.resident_id == host.id


def test_mail_address_is_taken_in_when_the_resident_has_none(db, host_people, ledger_cli, user):
    (host,) = host_people(1)
    version = host.version
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(person(MAIL)))
    assert code == 0, out
    assert out["mismatches"] == []
    after = resident(db, "0000000001")
    assert (after.mail_name, after.mail_postal_code, after.mail_address, after.mail_reason) == (
        "山田 花子",  # as typed: 送付先宛名 is not a 氏名
        "1690075",
        "東京都新宿区高田馬場1-2-3",
        "family",
    )
    assert (after.name, after.address) == ("山田\u3000太郎", "東京都新宿区試験町１－１")
    assert after.version == version + 1
    (update,) = _updates(db, host.id)
    assert update.changes == {
        "mail_name": [None, "山田 花子"],
        "mail_postal_code": [None, "1690075"],
        "mail_address": [None, "東京都新宿区高田馬場1-2-3"],
        "mail_reason": [None, "family"],
    }
    assert update.source == f"ledger:{out['run_id']}"
    assert update.user_id == user("supervisor").id


def test_a_different_mail_address_is_kept_and_listed(db, host_people, ledger_cli):
    (host,) = host_people(
        1,
        mail_name="施設長",
        mail_postal_code="1600001",
        mail_address="東京都新宿区片町1-1 特養",
        mail_reason="facility",
    )
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(person(MAIL)))
    assert code == 0, out
    assert _mismatches(out) == [("対象者", 4, "0000000001", "送付先住所")]
    assert out["people"]["mismatched"] == 1
    after = resident(db, "0000000001")
    assert (after.mail_name, after.mail_postal_code, after.mail_address, after.mail_reason) == (
        "施設長",
        "1600001",
        "東京都新宿区片町1-1 特養",
        "facility",
    )
    assert _updates(db, host.id) == []
    (item,) = db.session.query(MigrationRunItem).filter_by(kind="mismatch").all()
    assert (item.value, item.app_value) == ("東京都新宿区高田馬場1-2-3", "東京都新宿区片町1-1 特養")


def test_the_same_mail_address_spaced_otherwise_is_no_mismatch(db, host_people, ledger_cli):
    host_people(1, mail_address="東京都新宿区高田馬場1-2-3\u3000コーポ", mail_reason="family")
    ledger = person({**MAIL, "送付先住所": "東京都新宿区高田馬場1-2-3 コーポ"})
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(ledger))
    assert code == 0, out
    assert out["mismatches"] == []
    assert resident(db, "0000000001").mail_name is None


def test_note_and_extra_reason_texts_are_appended_once(db, host_people, ledger_cli):
    (host,) = host_people(1, note="窓口で声掛け")
    ledger = person(
        {
            "備考": "施設に入所中",
            "除外日": date(2020, 3, 1),
            "除外事由": "転出 大阪市へ",
            "送付先住所": "東京都新宿区片町1-1",
            "送付先事由": "長女方",
        }
    )
    expected = "窓口で声掛け\n施設に入所中\n除外事由：大阪市へ\n送付先事由：長女方"
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(ledger))
    assert code == 0, out
    after = resident(db, "0000000001")
    assert after.note == expected
    assert (after.status, after.exclusion_reason) == (
        "active",
        None,
    )  # the host's, not the ledger's
    (update,) = _updates(db, host.id)
    assert update.changes["note"] == ["窓口で声掛け", expected]
    # A second, different workbook (one more pass) with the same 備考.
    second = _workbook(
        ledger, rows=[pass_row(), pass_row({"整理番号": 2, "種別": "再交付（紛失）"})]
    )
    code, out, _ = ledger_cli(*IMPORT, data=second)
    assert code == 0, out
    assert out["passes"]["already_present"] == 1
    assert resident(db, "0000000001").note == expected
    assert len(_updates(db, host.id)) == 1


def test_note_is_the_ledgers_when_the_resident_has_none(db, host_people, ledger_cli):
    (host,) = host_people(1)
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(person({"備考": "耳が遠い"})))
    assert code == 0, out
    assert resident(db, "0000000001").note == "耳が遠い"
    (update,) = _updates(db, host.id)
    assert update.changes == {"note": [None, "耳が遠い"]}


@pytest.mark.parametrize(
    "name",
    ["山田太郎", "山田 太郎", "山田\u3000太郎", "山田  太郎 ", " 山田\u3000\u3000太郎\u3000"],
)
def test_the_same_name_spaced_otherwise_is_no_mismatch(db, host_people, ledger_cli, name):
    host_people(1)
    code, out, _ = ledger_cli("check", data=_workbook(person({"氏名": name})))
    assert code == 0, out
    assert out["mismatches"] == []
    assert out["people"]["mismatched"] == 0


@pytest.mark.parametrize("name", ["山田 次郎", "山田", "山 田太朗", "ﾔﾏﾀﾞ ﾀﾛｳ", "髙田 太郎"])
def test_a_different_name_is_a_mismatch_and_nothing_is_overwritten(
    db, host_people, ledger_cli, name
):
    (host,) = host_people(1)
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(person({"氏名": name})))
    assert code == 0, out
    assert _mismatches(out) == [("対象者", 4, "0000000001", "氏名")]
    assert out["people"] == {"read": 1, "matched": 1, "created": 0, "mismatched": 1, "rejected": 0}
    assert resident(db, "0000000001").name == "山田\u3000太郎"
    assert history(db, "resident", host.id) == []
    assert count(db, Issuance) == 1  # the pass is taken all the same


def test_a_different_birth_date_is_a_mismatch(db, host_people, ledger_cli):
    host_people(2)
    data = _workbook(
        person({"生年月日": "S30.4.2"}),
        person({"住民番号": "0000000002", "氏名": "山田 次郎", "生年月日": "1955/4/1"}),
        rows=[],
    )
    code, out, _ = ledger_cli("check", data=data)
    assert code == 0, out
    expected = [("対象者", 4, "0000000001", "生年月日"), ("対象者", 5, "0000000002", "氏名")]
    assert _mismatches(out) == expected
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert _mismatches(out) == expected
    assert out["people"]["mismatched"] == 2
    assert resident(db, "0000000001").birth_date == date(1955, 4, 1)
    items = db.session.query(MigrationRunItem).filter_by(run_id=out["run_id"], kind="mismatch")
    assert sorted((i.column, i.value, i.app_value) for i in items) == [
        ("氏名", "山田\u3000次郎", "山田\u3000太郎"),
        ("生年月日", "昭和30年4月2日", "昭和30年4月1日"),
    ]


def test_name_and_birth_date_both_differ_one_person_mismatched(db, host_people, ledger_cli):
    host_people(1)
    data = _workbook(person({"氏名": "田中 一郎", "生年月日": date(1960, 1, 1)}))
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert [m["field"] for m in out["mismatches"]] == ["氏名", "生年月日"]
    assert out["people"]["mismatched"] == 1
    assert resident(db, "0000000001").name == "山田\u3000太郎"


# --- a person the application does not know ---------------------------------


def test_unknown_person_is_created_excluded_with_the_ledgers_data(db, frozen_clock, ledger_cli):
    frozen_clock(date(2026, 12, 1))
    data = _workbook(
        person(
            {
                "住民番号": 123456789,
                "氏名": "鈴木\u3000一郎 ",
                "ふりがな": "ｽｽﾞｷ ｲﾁﾛｳ",
                "性別": 1,
                "生年月日": "S20.8.15",
                "郵便番号": 1600022,
                "方書": "コーポ新宿101",
                "電話番号": "03-1234-5678",
                "区分": "高齢・障害",
                "備考": "旧台帳から",
                **MAIL,
            }
        ),
        rows=[pass_row({"住民番号": "0123456789"})],
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert out["people"] == {"read": 1, "matched": 0, "created": 1, "mismatched": 0, "rejected": 0}
    made = resident(db, "0123456789")
    assert (made.name, made.kana, made.sex, made.birth_date) == (
        "鈴木\u3000一郎",
        "スズキ イチロウ",
        1,
        date(1945, 8, 15),
    )
    assert (made.postal_code, made.address, made.address2, made.phone) == (
        "1600022",
        "東京都新宿区新宿1-1-1",
        "コーポ新宿101",
        "03-1234-5678",
    )
    assert (made.is_elderly, made.is_disabled, made.is_child_allowance) == (True, True, False)
    assert (made.status, made.exclusion_reason, made.excluded_on) == (
        "excluded",
        "not_extracted",
        date(2026, 12, 1),
    )
    assert (made.mail_name, made.mail_address, made.mail_reason) == (
        "山田 花子",
        "東京都新宿区高田馬場1-2-3",
        "family",
    )
    assert made.note == "旧台帳から"
    assert made.needs_review is False
    (created,) = history(db, "resident", made.id)
    assert created.action == "migrate"
    assert created.changes == {
        "status": [None, "excluded"],
        "excluded_on": [None, "2026-12-01"],
        "exclusion_reason": [None, "not_extracted"],
    }
    (kept,) = passes(db)
    assert kept.resident_id == made.id


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("転出", "moved_out"),
        ("死亡", "deceased"),
        ("職権消除", "struck_off"),
        ("資格喪失", "lost_eligibility"),
        ("その他", "other"),
    ],
)
def test_unknown_person_keeps_the_ledgers_exclusion(db, frozen_clock, ledger_cli, written, reason):
    frozen_clock(date(2026, 12, 1))
    data = _workbook(person({"除外日": "H31.4.30", "除外事由": written}))
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    made = resident(db, "0000000001")
    assert (made.status, made.exclusion_reason, made.excluded_on) == (
        "excluded",
        reason,
        date(2019, 4, 30),
    )


def test_unknown_persons_pass_history_is_kept(db, ledger_cli):
    data = build_workbook(
        people_sheet(person({"住民番号": "0000000007"})),
        pass_sheet(
            "H26年度",
            pass_row(
                {"住民番号": "0000000007", "交付日": date(2014, 5, 1), "申請日": date(2014, 5, 1)}
            ),
        ),  # fmt: skip
        pass_sheet(
            "H27年度",
            pass_row(
                {"住民番号": "0000000007", "種別": None, "交付日": date(2015, 5, 1), "申請日": None}
            ),
        ),  # fmt: skip
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    made = resident(db, "0000000007")
    assert [(p.fiscal_year, p.kind, p.resident_id, p.status) for p in passes(db)] == [
        (2014, "new", made.id, "valid"),
        (2015, "renewal", made.id, "valid"),
    ]
    assert passes(db)[1].applied_on == date(2015, 5, 1)  # a blank 申請日 is the 交付日


def test_unknown_person_gets_the_search_keys_and_is_found(db, ledger_cli, login):
    data = _workbook(
        person({"住民番号": "0000000042", "氏名": "鈴木 一郎", "ふりがな": "すずき いちろう"}),
        rows=[],
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    made = resident(db, "0000000042")
    expected = Resident(name=made.name, kana=made.kana)
    expected.set_search_keys()
    assert (made.name_key, made.kana_key) == (expected.name_key, expected.kana_key)
    assert (made.name_key, made.kana) == ("鈴木一郎", "スズキ イチロウ")
    db.session.rollback()
    client = login("staff")
    for query in ("すずき", "スズキ イチロウ", "鈴木一郎", "鈴木　一郎"):
        page = client.get("/residents/", query_string={"q": query, "status": "excluded"})
        assert page.status_code == 200
        assert "鈴木\u3000一郎" in page.get_data(as_text=True), query
    found = client.get("/residents/", query_string={"q": "0000000042"})
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/residents/{made.id}")


def test_check_creates_nobody(db, ledger_cli):
    code, out, _ = ledger_cli("check", data=_workbook(person(), person({"住民番号": "2"})))
    assert code == 0, out
    assert out["people"]["created"] == 2
    assert count(db, Resident) == 0
    assert count(db, ChangeLog) == 0


# --- hostile text is stored as it was written -------------------------------


def test_hostile_strings_are_stored_literally(db, host_people, ledger_cli):
    (host,) = host_people(1)
    data = _workbook(
        person({"備考": Literal(HOSTILE_NOTE)}),
        person(
            {
                "住民番号": "0000000002",
                "氏名": HOSTILE_NAME,
                "ふりがな": "",
                "備考": Literal(HOSTILE_NOTE),
            }
        ),
        rows=[
            pass_row({"備考": Literal(HOSTILE_NOTE)}),
            pass_row({"整理番号": 2, "住民番号": "0000000002", "氏名": HOSTILE_NAME}),
        ],
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert out["people"]["created"] == 1
    created = resident(db, "0000000002")
    assert (created.name, created.name_key, created.note) == (
        HOSTILE_NAME,
        HOSTILE_NAME,
        HOSTILE_NOTE,
    )
    assert resident(db, "0000000001").note == HOSTILE_NOTE
    assert passes(db)[0].note == HOSTILE_NOTE
    assert resident(db, "0000000001").name == host.name


def test_a_hostile_name_of_a_known_person_is_listed_literally(db, host_people, ledger_cli):
    host_people(1)
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(person({"氏名": HOSTILE_NAME})))
    assert code == 0, out
    assert [m["field"] for m in out["mismatches"]] == ["氏名"]
    (item,) = db.session.query(MigrationRunItem).filter_by(kind="mismatch").all()
    assert item.value == HOSTILE_NAME
    assert resident(db, "0000000001").name == "山田\u3000太郎"


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ("施設に入所中です（確認済）", "施設に入所中です（確認済）\n施設に入所中"),
        ("要介護\n施設に入所中\n電話不可", "要介護\n施設に入所中\n電話不可"),
        ("施設に入所中", "施設に入所中"),
    ],
)
def test_a_note_is_only_taken_as_present_when_its_lines_are(
    db, host_people, ledger_cli, existing, expected
):
    host_people(1, note=existing)
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(person({"備考": "施設に入所中"})))
    assert code == 0, out
    assert resident(db, "0000000001").note == expected


def test_text_that_copy_would_read_otherwise_is_stored_as_written(db, host_people, ledger_cli):
    host_people(1)
    note = "\\N"
    pass_note = "C:\\台帳\\H30.xlsx\tタブ\r\n改行"
    data = _workbook(
        person({"備考": note}),
        person({"住民番号": 2, "氏名": "\\N", "備考": pass_note}),
        rows=[
            pass_row({"備考": pass_note}),
            pass_row({"整理番号": 2, "住民番号": 2, "備考": note}),
        ],
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert resident(db, "0000000001").note == note
    created = resident(db, "0000000002")
    assert (created.name, created.note) == ("\\N", pass_note)
    assert [p.note for p in passes(db)] == [pass_note, note]
