"""The pass rows (the specification's table from 「a pass row」 down), through
``flask ledger check`` / ``import``, against passes the application already
holds (issued at the counter, or from an earlier migration), and the 整理番号
counters afterwards."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.db.transaction import transaction
from app.migration.models import MigratedPass
from app.offices.models import Office
from app.passes.issuance import issue_pass
from app.passes.models import ControlNumberCounter, Issuance
from app.passes.numbers import allocate_control_numbers
from app.residents.models import Resident
from tests.migration.conftest import (
    build_workbook,
    count,
    counter,
    history,
    pass_row,
    pass_sheet,
    passes,
    people_sheet,
    person,
    resident,
)

IMPORT = ("import", "--user", "supervisor")
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
LOST = "再交付（紛失）"


def _office(db, code="HQ"):
    return db.session.execute(select(Office).where(Office.code == code)).scalar_one()


def _counter_pass(db, user, resident_row, *, issued_on=date(2018, 6, 1), kind="new", **extra):
    """A pass issued at the counter (the application's own service)."""
    made = issue_pass(
        resident_row,
        kind=kind,
        applied_on=issued_on,
        issued_on=issued_on,
        office=_office(db),
        method="counter",
        user=user("staff"),
        fiscal_year=2018,
        **extra,
    )
    return made.id, made.control_no


def _rejected(out):
    return [(r["sheet"], r["row"], r["column"]) for r in out["rejected"]]


def _valid(db, resident_id, year):
    return [p for p in passes(db) if p.resident_id == resident_id and p.fiscal_year == year
            and p.status == "valid"]  # fmt: skip


def _workbook(*rows, people=None, sheet="H30年度", **options):
    people = people if people is not None else [person()]
    return build_workbook(people_sheet(*people), pass_sheet(sheet, *rows, **options))


# --- a pass row --------------------------------------------------------------


def test_pass_row_is_a_pass_with_its_number_from_the_ledger(db, host_people, ledger_cli, user):
    (host,) = host_people(1)
    row = pass_row(
        {
            "整理番号": "１２",
            "申請日": "H30.5.1",
            "交付日": "H30.5.7",
            "交付場所": "四谷特出",
            "交付方法": "郵",
            "返戻日": "H30.5.20 あて所不明",
            "再送日": date(2018, 5, 25),
            "備考": "電話あり",
        }
    )
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(row))
    assert code == 0, out
    (made,) = passes(db)
    assert (made.fiscal_year, made.control_no, made.resident_id, made.kind, made.status) == (
        2018,
        12,
        host.id,
        "new",
        "valid",
    )
    assert (made.applied_on, made.issued_on, made.returned_on, made.resent_on) == (
        date(2018, 5, 1),
        date(2018, 5, 7),
        date(2018, 5, 20),
        date(2018, 5, 25),
    )
    assert (made.office_id, made.method) == (_office(db, "YOTSUYA").id, "mail")
    assert made.note == "電話あり\n返戻：あて所不明"
    assert made.created_by_id == user("supervisor").id
    (provenance,) = db.session.execute(select(MigratedPass)).scalars()
    assert (provenance.issuance_id, provenance.run_id, provenance.sheet, provenance.row) == (
        made.id,
        out["run_id"],
        "H30年度",
        4,
    )
    (created,) = history(db, "issuance", made.id)
    assert (created.action, created.source, created.user_id) == (
        "migrate",
        f"ledger:{out['run_id']}",
        user("supervisor").id,
    )


def test_pass_of_a_person_on_neither_is_rejected(db, host_people, ledger_cli):
    host_people(1)
    data = _workbook(
        pass_row(),
        pass_row({"整理番号": 2, "住民番号": "0000000099"}),
        pass_row({"整理番号": 3, "住民番号": "0000000001", "種別": LOST}),
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert _rejected(out) == [("H30年度", 5, "住民番号")]
    assert JAPANESE.search(out["rejected"][0]["reason"])
    assert out["passes"] == {"read": 3, "imported": 2, "already_present": 0, "rejected": 1}
    assert [p.control_no for p in passes(db)] == [1, 3]
    assert resident(db, "0000000099") is None


def test_pass_of_a_person_whose_people_row_was_rejected_is_rejected(db, ledger_cli):
    data = _workbook(
        pass_row(),
        people=[person({"生年月日": "S64.1.8"})],
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert _rejected(out) == [("対象者", 4, "生年月日"), ("H30年度", 4, "住民番号")]
    assert count(db, Issuance) == 0
    assert count(db, Resident) == 0


def test_pass_of_a_person_known_only_to_the_application_is_taken(db, host_people, ledger_cli):
    host_people(2)
    data = _workbook(pass_row({"住民番号": 2}))  # 対象者 lists only 0000000001
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert out["rejected"] == []
    (made,) = passes(db)
    assert made.resident_id == resident(db, "0000000002").id


# --- the same 整理番号, a second pass in a year -------------------------------


def test_the_same_control_number_twice_on_a_sheet(db, host_people, ledger_cli):
    host_people(2)
    data = _workbook(
        pass_row({"整理番号": 5}),
        pass_row({"整理番号": "５", "住民番号": "0000000002"}),
        people=[person(), person({"住民番号": "0000000002"})],
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert _rejected(out) == [("H30年度", 5, "整理番号")]
    assert JAPANESE.search(out["rejected"][0]["reason"])
    (made,) = passes(db)
    assert (made.control_no, made.resident_id) == (5, resident(db, "0000000001").id)
    assert _valid(db, resident(db, "0000000002").id, 2018) == []


def test_the_same_control_number_on_two_sheets_of_one_year(db, host_people, ledger_cli):
    host_people(2)
    data = build_workbook(
        people_sheet(person(), person({"住民番号": "0000000002"})),
        pass_sheet(
            "H31年度",
            pass_row({"整理番号": 5, "交付日": date(2019, 4, 2), "申請日": date(2019, 4, 2)}),
        ),  # fmt: skip
        pass_sheet(
            "R1年度",
            pass_row(
                {
                    "整理番号": 5,
                    "住民番号": 2,
                    "交付日": date(2019, 5, 7),
                    "申請日": date(2019, 5, 7),
                }
            ),
        ),  # fmt: skip
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert _rejected(out) == [("R1年度", 4, "整理番号")]
    assert [(p.fiscal_year, p.control_no) for p in passes(db)] == [(2019, 5)]


@pytest.mark.parametrize("second_kind", ["更新", "新規", None])
def test_a_second_non_reissue_pass_in_a_year_is_rejected(db, host_people, ledger_cli, second_kind):
    host_people(1)
    data = _workbook(
        pass_row({"整理番号": 1}),
        pass_row(
            {
                "整理番号": 2,
                "種別": second_kind,
                "交付日": date(2018, 9, 3),
                "申請日": date(2018, 9, 3),
            }
        ),  # fmt: skip
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert _rejected(out) == [("H30年度", 5, "種別")]
    assert "H30年度の4行目" in out["rejected"][0]["reason"]
    assert out["passes"] == {"read": 2, "imported": 1, "already_present": 0, "rejected": 1}
    (made,) = passes(db)
    assert (made.control_no, made.status) == (1, "valid")


def test_a_second_pass_against_one_issued_at_the_counter(db, host_people, ledger_cli, user):
    (host,) = host_people(1)
    counter_id, counter_no = _counter_pass(db, user, host)
    assert counter_no == 1
    data = _workbook(pass_row({"整理番号": 8, "交付日": date(2018, 4, 2)}))
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert _rejected(out) == [("H30年度", 4, "種別")]
    assert "アプリケーションの交付記録" in out["rejected"][0]["reason"]
    (only,) = passes(db)
    assert (only.id, only.status, only.superseded_by_id) == (counter_id, "valid", None)


def test_a_reissue_in_the_ledger_supersedes_the_earlier_pass(db, host_people, ledger_cli):
    (host,) = host_people(1)
    data = _workbook(
        pass_row({"整理番号": 1}),
        pass_row(
            {"整理番号": 2, "種別": LOST, "交付日": date(2018, 7, 2), "申請日": date(2018, 7, 2)}
        ),  # fmt: skip
        pass_row(
            {
                "整理番号": 3,
                "種別": "再交付(汚損)",
                "交付日": date(2018, 11, 5),
                "申請日": date(2018, 11, 5),
            }
        ),  # fmt: skip
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert out["rejected"] == []
    first, second, third = passes(db)
    assert (first.status, first.superseded_by_id) == ("superseded", second.id)
    assert (second.kind, second.reissue_reason, second.status, second.superseded_by_id) == (
        "reissue",
        "lost",
        "superseded",
        third.id,
    )
    assert (third.kind, third.reissue_reason, third.status, third.superseded_by_id) == (
        "reissue",
        "damaged",
        "valid",
        None,
    )
    assert [p.id for p in _valid(db, host.id, 2018)] == [third.id]


def test_a_reissue_in_the_ledger_supersedes_a_counter_pass(db, host_people, ledger_cli, user):
    (host,) = host_people(1)
    counter_id, _ = _counter_pass(db, user, host, issued_on=date(2018, 4, 10))
    data = _workbook(pass_row({"整理番号": 2, "種別": "再(紛)", "交付日": date(2018, 8, 1),
                               "申請日": date(2018, 8, 1)}))  # fmt: skip
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert out["rejected"] == []
    at_counter, reissue = passes(db)
    assert at_counter.id == counter_id
    assert (at_counter.status, at_counter.superseded_by_id) == ("superseded", reissue.id)
    assert (reissue.control_no, reissue.status, reissue.kind) == (2, "valid", "reissue")
    assert [p.id for p in _valid(db, host.id, 2018)] == [reissue.id]
    (supersede,) = [h for h in history(db, "issuance", counter_id) if h.action == "supersede"]
    assert supersede.changes == {"status": ["valid", "superseded"]}
    assert supersede.source == f"ledger:{out['run_id']}"


def test_a_counter_reissue_after_the_ledgers_pass_replaces_it(db, host_people, ledger_cli, user):
    (host,) = host_people(1)
    _counter_pass(db, user, host, issued_on=date(2018, 4, 2))
    # ... then superseded at the counter by a reissue in September.
    current = _valid(db, host.id, 2018)[0]
    reissue_id, _ = _counter_pass(db, user, host, issued_on=date(2018, 9, 1), kind="reissue",
                                  reissue_reason="lost", supersedes_id=current.id)  # fmt: skip
    data = _workbook(pass_row({"整理番号": 9, "種別": LOST, "交付日": date(2018, 6, 1),
                               "申請日": date(2018, 6, 1)}))  # fmt: skip
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert out["rejected"] == []
    ledger_pass = next(p for p in passes(db) if p.control_no == 9)
    assert (ledger_pass.status, ledger_pass.superseded_by_id) == ("superseded", reissue_id)
    assert [p.id for p in _valid(db, host.id, 2018)] == [reissue_id]


# --- 整理番号 used in the application by another pass ------------------------


def test_a_control_number_used_at_the_counter_is_a_conflict(db, host_people, ledger_cli, user):
    first, second = host_people(2)
    counter_id, counter_no = _counter_pass(db, user, first)
    data = _workbook(
        pass_row({"整理番号": counter_no, "住民番号": "0000000002"}),
        pass_row(
            {
                "整理番号": 2,
                "住民番号": "0000000001",
                "種別": LOST,
                "交付日": date(2018, 7, 1),
                "申請日": date(2018, 7, 1),
            }
        ),  # fmt: skip
        people=[person(), person({"住民番号": "0000000002", "備考": "窓口で確認"})],
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert _rejected(out) == [("H30年度", 4, "整理番号")]
    assert "整理番号1" in out["rejected"][0]["reason"]
    assert out["passes"] == {"read": 2, "imported": 1, "already_present": 0, "rejected": 1}
    at_counter = db.session.get(Issuance, counter_id)
    assert (at_counter.resident_id, at_counter.control_no) == (first.id, 1)
    assert _valid(db, second.id, 2018) == []
    assert resident(db, "0000000002").note == "窓口で確認"  # its 対象者 row applies
    assert counter(db, 2018).last_no == 2


def test_a_control_number_of_an_earlier_migration_for_someone_else(db, host_people, ledger_cli):
    host_people(2)
    people = [person(), person({"住民番号": "0000000002"})]
    first = _workbook(pass_row({"整理番号": 4}), people=people)
    assert ledger_cli(*IMPORT, data=first)[0] == 0
    second = _workbook(pass_row({"整理番号": 4, "住民番号": "0000000002"}), people=people)
    code, out, _ = ledger_cli(*IMPORT, data=second)
    assert code == 0, out
    assert _rejected(out) == [("H30年度", 4, "整理番号")]
    assert out["passes"]["already_present"] == 0
    (only,) = passes(db)
    assert only.resident_id == resident(db, "0000000001").id


# --- an earlier migration, and the counter -----------------------------------


def test_a_second_workbook_only_adds_what_is_not_there(db, host_people, ledger_cli):
    host_people(3)
    people = [person(), person({"住民番号": 2}), person({"住民番号": 3})]
    rows = [pass_row({"整理番号": 3}), pass_row({"整理番号": 7, "住民番号": 2})]
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(*rows, people=people))
    assert code == 0, out
    assert counter(db, 2018).last_no == 7
    added = pass_row({"整理番号": 5, "住民番号": 3})
    data = _workbook(*rows, added, people=people)
    code, again, _ = ledger_cli("check", data=data)
    assert again["passes"] == {"read": 3, "imported": 1, "already_present": 2, "rejected": 0}
    code, again, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, again
    assert again["passes"] == {"read": 3, "imported": 1, "already_present": 2, "rejected": 0}
    assert again["people"]["matched"] == 3
    assert [(p.control_no, p.resident_id) for p in passes(db)] == [
        (3, resident(db, "0000000001").id),
        (7, resident(db, "0000000002").id),
        (5, resident(db, "0000000003").id),
    ]
    migrated = db.session.execute(
        select(MigratedPass.run_id, MigratedPass.row).order_by(MigratedPass.issuance_id)
    ).all()
    assert migrated == [(out["run_id"], 4), (out["run_id"], 5), (again["run_id"], 6)]
    assert counter(db, 2018).last_no == 7


def test_unknown_people_of_an_earlier_migration_are_not_created_twice(db, ledger_cli):
    people = [person({"住民番号": 11}), person({"住民番号": 12})]
    rows = [pass_row({"住民番号": 11}), pass_row({"整理番号": 2, "住民番号": 12})]
    assert ledger_cli(*IMPORT, data=_workbook(*rows, people=people))[0] == 0
    data = _workbook(*rows, people=people, total=2)
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert out["people"] == {"read": 2, "matched": 2, "created": 0, "mismatched": 0, "rejected": 0}
    assert out["passes"] == {"read": 2, "imported": 0, "already_present": 2, "rejected": 0}
    assert count(db, Resident) == 2
    assert count(db, Issuance) == 2


def test_the_counter_continues_after_the_highest_number(db, host_people, ledger_cli, user):
    host_people(2)
    data = build_workbook(
        people_sheet(person(), person({"住民番号": 2})),
        pass_sheet(
            "H30年度", pass_row({"整理番号": 120}), pass_row({"整理番号": 4, "住民番号": 2})
        ),
        pass_sheet(
            "R1年度",
            pass_row({"整理番号": 33, "交付日": date(2019, 4, 5), "申請日": date(2019, 4, 5)}),
        ),  # fmt: skip
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    assert (counter(db, 2018).last_no, counter(db, 2019).last_no) == (120, 33)
    with transaction():
        assert list(allocate_control_numbers(2018, 2)) == [121, 122]
    assert counter(db, 2018).last_no == 122


def test_a_counter_issue_after_the_import_gets_the_next_number(
    db, host_people, ledger_cli, user, frozen_clock
):
    frozen_clock(date(2026, 6, 1))
    first, second = host_people(2)
    data = build_workbook(
        people_sheet(person(), person({"住民番号": 2})),
        pass_sheet(
            "R8年度",
            pass_row({"整理番号": 41, "交付日": date(2026, 4, 3), "申請日": date(2026, 4, 3)}),
        ),  # fmt: skip
    )
    code, out, _ = ledger_cli(*IMPORT, data=data)
    assert code == 0, out
    made = issue_pass(second, kind="new", applied_on=date(2026, 6, 1), issued_on=date(2026, 6, 1),
                      office=_office(db), method="counter", user=user("staff"))  # fmt: skip
    assert (made.fiscal_year, made.control_no) == (2026, 42)
    assert counter(db, 2026).last_no == 42


def test_the_counter_never_goes_back(db, host_people, ledger_cli):
    host_people(1)
    db.session.add(ControlNumberCounter(fiscal_year=2018, last_no=500))
    db.session.commit()
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(pass_row({"整理番号": 7})))
    assert code == 0, out
    assert counter(db, 2018).last_no == 500


def test_a_check_writes_no_counter(db, host_people, ledger_cli):
    host_people(1)
    code, out, _ = ledger_cli("check", data=_workbook(pass_row({"整理番号": 7})))
    assert code == 0, out
    assert counter(db, 2018) is None


def test_a_reissue_in_a_second_workbook_supersedes_the_first_ones_pass(db, host_people, ledger_cli):
    (host,) = host_people(1)
    first = pass_row({"整理番号": 1})
    assert ledger_cli(*IMPORT, data=_workbook(first))[0] == 0
    reissue = pass_row({"整理番号": 2, "種別": LOST, "交付日": date(2018, 10, 1),
                        "申請日": date(2018, 10, 1)})  # fmt: skip
    code, out, _ = ledger_cli(*IMPORT, data=_workbook(first, reissue))
    assert code == 0, out
    assert out["passes"] == {"read": 2, "imported": 1, "already_present": 1, "rejected": 0}
    earlier, later = passes(db)
    assert (earlier.status, earlier.superseded_by_id) == ("superseded", later.id)
    assert (later.status, later.control_no) == ("valid", 2)
    assert [p.id for p in _valid(db, host.id, 2018)] == [later.id]
    (supersede,) = [h for h in history(db, "issuance", earlier.id) if h.action == "supersede"]
    assert supersede.source == f"ledger:{out['run_id']}"
    assert counter(db, 2018).last_no == 2
