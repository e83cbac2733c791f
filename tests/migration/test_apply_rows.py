"""Row-level errors (the specification's 「Row-level errors」): the row is
rejected with its sheet, row number, column and a Japanese reason, in the JSON
and in the run's report lines; the other rows apply."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.migration.models import MigrationRunItem
from app.passes.models import Issuance
from app.residents.models import Resident
from tests.migration.conftest import (
    build_workbook,
    count,
    pass_row,
    pass_sheet,
    passes,
    people_sheet,
    person,
    resident,
)

IMPORT = ("import", "--user", "supervisor")
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
PEOPLE = [person({"住民番号": n}) for n in (1, 2, 3)]


def _three_passes(faulty):
    """Rows 4–6 of H30年度, one pass for each of three people; row 5 gets ``faulty``."""
    return build_workbook(
        people_sheet(*PEOPLE),
        pass_sheet(
            "H30年度",
            pass_row({"整理番号": 1, "住民番号": 1}),
            pass_row({"整理番号": 2, "住民番号": 2, **faulty}),
            pass_row({"整理番号": 3, "住民番号": 3}),
        ),
    )


def _items(db, run_id):
    statement = select(MigrationRunItem).where(
        MigrationRunItem.run_id == run_id, MigrationRunItem.kind == "rejected"
    )
    return [(i.sheet, i.row, i.column, i.reason) for i in db.session.execute(statement).scalars()]


PASS_FAULTS = [
    pytest.param({"交付日": "S64.1.8"}, "交付日", "元号の期間外", id="out-of-era"),
    pytest.param({"交付日": "H30.2.30"}, "交付日", "存在しない日付", id="invalid-date"),
    pytest.param({"交付日": "あした"}, "交付日", "日付として読めません", id="not-a-date"),
    pytest.param({"申請日": "H30.13.1"}, "申請日", "日付", id="invalid-applied-on"),
    pytest.param(
        {"申請日": date(2018, 5, 1), "交付日": date(2018, 4, 2)},
        "交付日",
        "交付日が申請日より前です",
        id="issued-before-applied",
    ),
    pytest.param({"交付日": None}, "交付日", "交付日が空欄です", id="missing-issued-on"),
    pytest.param({"交付日": None, "申請日": None}, "交付日", "空欄", id="no-dates"),
    pytest.param({"住民番号": "12345678901"}, "住民番号", "1〜10桁", id="eleven-digits"),
    pytest.param({"住民番号": 12345678901}, "住民番号", "1〜10桁", id="eleven-digit-number"),
    pytest.param({"住民番号": "１２３４５６７８９０１"}, "住民番号", "1〜10桁", id="eleven-wide"),
    pytest.param({"住民番号": "12345-6789"}, "住民番号", "1〜10桁", id="not-digits"),
    pytest.param({"住民番号": None}, "住民番号", "空欄", id="no-resident-no"),
    pytest.param({"整理番号": 0}, "整理番号", "正の整数", id="control-no-zero"),
    pytest.param({"整理番号": "A-2"}, "整理番号", "正の整数", id="control-no-text"),
    pytest.param({"交付場所": "渋谷"}, "交付場所", "交付場所が分かりません", id="unknown-office"),
    pytest.param({"交付場所": None}, "交付場所", "空欄", id="no-office"),
    pytest.param({"交付方法": "FAX"}, "交付方法", "窓口 または 郵送", id="unknown-method"),
    pytest.param({"種別": "交換"}, "種別", "種別は", id="unknown-kind"),
    pytest.param({"種別": "再交付（盗難）"}, "種別", "紛失 または 汚損", id="unknown-reissue"),
    pytest.param({"返戻日": "H30.4.1"}, "返戻日", "返戻日が交付日より前", id="returned-before"),
    pytest.param({"再送日": "H30.3.1"}, "再送日", "再送日が交付日より前", id="resent-before"),
]


@pytest.mark.parametrize(("faulty", "column", "reason"), PASS_FAULTS)
def test_a_faulty_pass_row_is_rejected_and_the_others_apply(
    db, host_people, ledger_cli, faulty, column, reason
):
    host_people(3)
    code, out, _ = ledger_cli(*IMPORT, data=_three_passes(faulty))
    assert code == 0, out
    assert out["status"] == "applied"
    (rejected,) = out["rejected"]
    assert (rejected["sheet"], rejected["row"], rejected["column"]) == ("H30年度", 5, column)
    assert reason in rejected["reason"]
    assert JAPANESE.search(rejected["reason"])
    assert out["passes"] == {"read": 3, "imported": 2, "already_present": 0, "rejected": 1}
    assert (out["sheets"][1]["taken"], out["sheets"][1]["rejected"]) == (2, 1)
    assert [(p.control_no, p.resident_id) for p in passes(db)] == [
        (1, resident(db, "0000000001").id),
        (3, resident(db, "0000000003").id),
    ]
    assert _items(db, out["run_id"]) == [("H30年度", 5, column, rejected["reason"])]


@pytest.mark.parametrize(("faulty", "column", "reason"), PASS_FAULTS[:3])
def test_a_check_reports_the_same_rejections(db, host_people, ledger_cli, faulty, column, reason):
    host_people(3)
    code, out, _ = ledger_cli("check", data=_three_passes(faulty))
    assert code == 0, out
    assert [(r["row"], r["column"]) for r in out["rejected"]] == [(5, column)]
    assert out["passes"]["imported"] == 2
    assert count(db, Issuance) == 0


def test_a_row_with_several_faults_is_one_rejected_row(db, host_people, ledger_cli):
    host_people(3)
    data = _three_passes({"交付場所": "渋谷", "交付方法": "FAX", "交付日": "S64.1.8"})
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert sorted(r["column"] for r in out["rejected"]) == ["交付場所", "交付方法", "交付日"]
    assert {r["row"] for r in out["rejected"]} == {5}
    assert out["passes"] == {"read": 3, "imported": 2, "already_present": 0, "rejected": 1}
    assert out["sheets"][1]["rejected"] == 1


PEOPLE_FAULTS = [
    pytest.param({"生年月日": "S64.1.8"}, "生年月日", "元号の期間外", id="out-of-era"),
    pytest.param({"生年月日": "昭和30年2月30日"}, "生年月日", "存在しない日付", id="invalid"),
    pytest.param({"生年月日": None}, "生年月日", "空欄", id="no-birth-date"),
    pytest.param({"住民番号": "12345678901"}, "住民番号", "1〜10桁", id="eleven-digits"),
    pytest.param({"氏名": None}, "氏名", "空欄", id="no-name"),
    pytest.param({"性別": "X"}, "性別", "男・女", id="sex"),
    pytest.param({"郵便番号": "160-00"}, "郵便番号", "7桁", id="postal-code"),
    pytest.param({"除外日": "R1.5.0"}, "除外日", "日付", id="exclusion-date"),
]


@pytest.mark.parametrize(("faulty", "column", "reason"), PEOPLE_FAULTS)
def test_a_faulty_people_row_is_rejected_and_the_others_apply(
    db, frozen_clock, ledger_cli, faulty, column, reason
):
    frozen_clock(date(2026, 12, 1))
    data = build_workbook(
        people_sheet(
            person({"住民番号": 1}), person({"住民番号": 2, **faulty}), person({"住民番号": 3})
        ),  # fmt: skip
        pass_sheet(
            "H30年度",
            pass_row({"整理番号": 1, "住民番号": 1}),
            pass_row({"整理番号": 3, "住民番号": 3}),
        ),  # fmt: skip
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    rejected = out["rejected"][0]
    assert (rejected["sheet"], rejected["row"], rejected["column"]) == ("対象者", 5, column)
    assert reason in rejected["reason"]
    assert JAPANESE.search(rejected["reason"])
    assert len(out["rejected"]) == 1
    assert out["people"] == {"read": 3, "matched": 0, "created": 2, "mismatched": 0, "rejected": 1}
    assert out["sheets"][0] == {"name": "対象者", "fiscal_year": None, "rows": 3, "taken": 2,
                                "rejected": 1, "sheet_total": None}  # fmt: skip
    assert [r.resident_no for r in db.session.execute(select(Resident)).scalars()] == [
        "0000000001",
        "0000000003",
    ]
    assert count(db, Issuance) == 2


def test_a_rejected_people_row_of_a_host_person_keeps_their_passes(db, host_people, ledger_cli):
    host_people(1)
    data = build_workbook(
        people_sheet(person({"生年月日": "S64.1.8", "備考": "取り込まれない"})),
        pass_sheet("H30年度", pass_row()),
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert [(r["sheet"], r["column"]) for r in out["rejected"]] == [("対象者", "生年月日")]
    assert out["people"] == {"read": 1, "matched": 0, "created": 0, "mismatched": 0, "rejected": 1}
    assert count(db, Issuance) == 1  # the person is in the application
    assert resident(db, "0000000001").note is None
