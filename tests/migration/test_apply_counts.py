"""The report's numbers (移行結果照合表) add up, and agree with the database:
people read = matched + created + rejected, passes read = imported + already
present + rejected, per sheet rows = taken + rejected against the clerk's 合計,
and the passes, provenance rows and excluded people really written."""

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from app.history.models import ChangeLog
from app.migration.models import MigratedPass, MigrationRun, MigrationRunItem
from app.offices.models import Office
from app.passes.models import Issuance
from app.residents.models import Resident
from tests.ledger.conftest import SheetSpec
from tests.migration.conftest import (
    build_workbook,
    count,
    pass_row,
    pass_sheet,
    people_sheet,
    person,
)

IMPORT = ("import", "--user", "supervisor")


def _fy(year, values):
    day = date(year, 6, 1)
    return pass_row({"交付日": day, "申請日": day, **values})


PEOPLE = [
    person({"住民番号": 1}),  # row 4: matched
    person({"住民番号": 2, "氏名": "山田 次郎"}),  # row 5: matched, 氏名 differs
    person({"住民番号": 3, "生年月日": date(1955, 4, 2)}),  # row 6: matched, 生年月日 differs
    person({"住民番号": 11, "除外日": date(2019, 3, 31), "除外事由": "転出"}),  # row 7: created
    person({"住民番号": 12}),  # row 8: created
    person({"住民番号": 13, "生年月日": "S64.1.8"}),  # row 9: rejected
    [],  # row 10: blank
    person({"住民番号": 14}),  # row 11: created
]
H30 = [
    _fy(2018, {"整理番号": 1, "住民番号": 1}),  # 4 imported, superseded by row 10
    _fy(2018, {"整理番号": 2, "住民番号": 2, "交付方法": "郵送"}),  # 5 imported
    _fy(2018, {"整理番号": 3, "住民番号": 11, "交付場所": "四谷"}),  # 6 imported
    _fy(2018, {"整理番号": 3, "住民番号": 12}),  # 7 rejected: same 整理番号
    _fy(2018, {"整理番号": 4, "住民番号": 13}),  # 8 rejected: person on neither
    _fy(2018, {"整理番号": 5, "住民番号": 1, "種別": "更新"}),  # 9 rejected: second pass
    _fy(
        2018,
        {
            "整理番号": 6,
            "住民番号": 1,
            "種別": "再交付（紛失）",
            "交付日": date(2018, 9, 1),
            "申請日": date(2018, 9, 1),
        },
    ),  # 10 imported  # fmt: skip
    _fy(2018, {"整理番号": 7, "住民番号": 3, "交付場所": "渋谷"}),  # 11 rejected: office
]
R1 = [
    _fy(2019, {"整理番号": 1, "住民番号": 1, "種別": None}),  # 4 imported (更新)
    _fy(2019, {"整理番号": 2, "住民番号": 99}),  # 5 rejected: person on neither
    _fy(2019, {"整理番号": 1, "住民番号": 2}),  # 6 rejected: same 整理番号
]
EXTRA = _fy(2019, {"整理番号": 3, "住民番号": 14, "交付方法": "郵送"})


def _workbook(extra=()):
    return build_workbook(
        people_sheet(*PEOPLE),
        pass_sheet("H30年度", *H30, total=8),
        pass_sheet("R1年度", *R1, *extra),
        SheetSpec("集計", ["年度", "件数"], [["H30", 8]], title=None),
    )


def _identities(out):
    people, passes = out["people"], out["passes"]
    assert people["read"] == people["matched"] + people["created"] + people["rejected"]
    assert passes["read"] == passes["imported"] + passes["already_present"] + passes["rejected"]
    for sheet in out["sheets"]:
        assert sheet["rows"] == sheet["taken"] + sheet["rejected"], sheet
    assert people["rejected"] + passes["rejected"] == len({(r["sheet"], r["row"])
                                                           for r in out["rejected"]})  # fmt: skip


def _per_year_in_database(db):
    hq = db.session.execute(select(Office.id).where(Office.code == "HQ")).scalar_one()
    rows = db.session.execute(select(Issuance.fiscal_year, Issuance.office_id, Issuance.method))
    found: Counter = Counter()
    for year, office_id, method in rows:
        found[year, "HQ" if office_id == hq else "YOTSUYA", method] += 1
    return found


def _per_year_in_report(run):
    found: Counter = Counter()
    for year in run.summary["years"]:
        assert year["total"] == year["counter"] + year["mail"]
        for office in year["offices"]:
            for method in ("counter", "mail"):
                if office[method]:
                    found[year["fiscal_year"], office["code"], method] += office[method]
    return found


def _assert_against_database(db, out):
    db.session.expire_all()
    run_id = out["run_id"]
    run = db.session.get(MigrationRun, run_id)
    assert count(db, MigratedPass, MigratedPass.run_id == run_id) == out["passes"]["imported"]
    migrate = ChangeLog.source == f"ledger:{run_id}"
    assert count(db, ChangeLog, migrate, ChangeLog.entity == "issuance",
                 ChangeLog.action == "migrate") == out["passes"]["imported"]  # fmt: skip
    assert count(db, ChangeLog, migrate, ChangeLog.entity == "resident",
                 ChangeLog.action == "migrate") == out["people"]["created"]  # fmt: skip
    kinds = dict(
        db.session.execute(
            select(MigrationRunItem.kind, func.count())
            .where(MigrationRunItem.run_id == run_id)
            .group_by(MigrationRunItem.kind)
        ).all()
    )
    assert kinds.get("rejected", 0) == len(out["rejected"])
    assert kinds.get("mismatch", 0) == len(out["mismatches"])
    assert run.summary["people"] == out["people"]
    assert run.summary["passes"] == out["passes"]
    assert _per_year_in_report(run) == _per_year_in_database(db)


def test_the_report_adds_up_and_agrees_with_the_database(db, host_people, ledger_cli):
    host_people(3)
    data = _workbook()
    code, checked, _ = ledger_cli("check", data=data)
    assert code == 0, checked
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    for report in (checked, out):
        _identities(report)
        assert report["people"] == {"read": 7, "matched": 3, "created": 3, "mismatched": 2,
                                    "rejected": 1}  # fmt: skip
        assert report["passes"] == {"read": 11, "imported": 5, "already_present": 0,
                                    "rejected": 6}  # fmt: skip
        assert report["sheets"] == [
            {"name": "対象者", "fiscal_year": None, "rows": 7, "taken": 6, "rejected": 1,
             "sheet_total": None},
            {"name": "H30年度", "fiscal_year": 2018, "rows": 8, "taken": 4, "rejected": 4,
             "sheet_total": 8},
            {"name": "R1年度", "fiscal_year": 2019, "rows": 3, "taken": 1, "rejected": 2,
             "sheet_total": None},
        ]  # fmt: skip
        assert sorted((r["sheet"], r["row"], r["column"]) for r in report["rejected"]) == [
            ("H30年度", 7, "整理番号"),
            ("H30年度", 8, "住民番号"),
            ("H30年度", 9, "種別"),
            ("H30年度", 11, "交付場所"),
            ("R1年度", 5, "住民番号"),
            ("R1年度", 6, "整理番号"),
            ("対象者", 9, "生年月日"),
        ]
        assert sorted((m["row"], m["resident_no"], m["field"]) for m in report["mismatches"]) == [
            (5, "0000000002", "氏名"),
            (6, "0000000003", "生年月日"),
        ]
    assert count(db, Issuance) == 5
    excluded = Resident.status == "excluded"
    assert count(db, Resident, excluded) == out["people"]["created"]
    assert count(db, Resident) == 3 + out["people"]["created"]
    assert count(db, Issuance, Issuance.status == "valid") == 4
    _assert_against_database(db, out)
    run = db.session.get(MigrationRun, out["run_id"])
    sheets = {s["name"]: s for s in run.summary["sheets"]}
    assert sheets["集計"]["kind"] == "ignored"
    assert sheets["集計"]["ignored_reason"]
    assert sheets["H30年度"]["total_agrees"] is True
    assert sheets["対象者"]["blank_rows"] == 1


def test_a_second_workbook_reports_what_was_there(db, host_people, ledger_cli):
    host_people(3)
    code, first, _ = ledger_cli(*IMPORT, data=_workbook())
    assert code == 0, first
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(extra=[EXTRA]))
    assert code == 0, out
    _identities(out)
    assert out["people"] == {"read": 7, "matched": 6, "created": 0, "mismatched": 2,
                             "rejected": 1}  # fmt: skip
    assert out["passes"] == {"read": 12, "imported": 1, "already_present": 5, "rejected": 6}
    assert out["sheets"][2] == {"name": "R1年度", "fiscal_year": 2019, "rows": 4, "taken": 2,
                                "rejected": 2, "sheet_total": None}  # fmt: skip
    assert count(db, Issuance) == 6
    assert count(db, Resident) == 6
    _assert_against_database(db, out)
