"""The migration's cases, one by one (the specification's table), through the
command line ``flask ledger check`` / ``import``."""

from datetime import date

from app.migration.models import MigrationRun
from app.passes.models import Issuance
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

JSON_KEYS = {"run_id", "status", "file", "sha256", "people", "passes", "sheets", "rejected",
             "mismatches", "reason"}  # fmt: skip


def test_check_writes_nothing_but_its_run(db, host_people, ledger_cli):
    host_people(1)
    data = build_workbook(people_sheet(person()), pass_sheet("H30年度", pass_row(), total=1))
    code, out, _ = ledger_cli("check", data=data)
    assert code == 0, out
    assert set(out) == JSON_KEYS
    assert out["status"] == "checked"
    assert out["people"] == {"read": 1, "matched": 1, "created": 0, "mismatched": 0, "rejected": 0}
    assert out["passes"] == {"read": 1, "imported": 1, "already_present": 0, "rejected": 0}
    assert out["sheets"][1] == {"name": "H30年度", "fiscal_year": 2018, "rows": 1, "taken": 1,
                                "rejected": 0, "sheet_total": 1}  # fmt: skip
    assert count(db, Issuance) == 0
    assert count(db, MigrationRun) == 1


def test_import_creates_passes_with_history_and_counter(db, host_people, ledger_cli, user):
    host_people(2)
    data = build_workbook(
        people_sheet(person(), person({"住民番号": "0000000002"})),
        pass_sheet(
            "H30年度",
            pass_row({"整理番号": 7}),
            pass_row({"整理番号": 9, "住民番号": "0000000002", "交付方法": "郵送"}),
        ),
    )
    code, out, _ = ledger_cli("import", "--user", "supervisor", data=data)
    assert code == 0, out
    assert out["status"] == "applied"
    made = passes(db)
    assert [(p.fiscal_year, p.control_no, p.method) for p in made] == [
        (2018, 7, "counter"),
        (2018, 9, "mail"),
    ]
    assert made[0].created_by_id == user("supervisor").id
    (created,) = history(db, "issuance", made[0].id)
    assert created.action == "migrate"
    assert created.source == f"ledger:{out['run_id']}"
    assert counter(db, 2018).last_no == 9


def test_unknown_person_is_created_excluded(db, frozen_clock, ledger_cli):
    frozen_clock(date(2026, 12, 1))
    data = build_workbook(
        people_sheet(
            person(),
            person({"住民番号": "0000000002", "除外日": date(2020, 3, 1), "除外事由": "転出"}),
        ),
        pass_sheet("H30年度", pass_row()),
    )
    code, out, _ = ledger_cli("import", "--user", "supervisor", data=data)
    assert code == 0, out
    assert out["people"]["created"] == 2
    first, second = resident(db, "0000000001"), resident(db, "0000000002")
    assert (first.status, first.exclusion_reason, first.excluded_on) == (
        "excluded",
        "not_extracted",
        date(2026, 12, 1),
    )
    assert (second.exclusion_reason, second.excluded_on) == ("moved_out", date(2020, 3, 1))
    assert count(db, Issuance) == 1


def test_same_workbook_twice_is_refused(db, host_people, ledger_cli):
    host_people(1)
    data = build_workbook(people_sheet(person()), pass_sheet("H30年度", pass_row()))
    assert ledger_cli("import", "--user", "supervisor", data=data)[0] == 0
    code, out, _ = ledger_cli("import", "--user", "supervisor", data=data)
    assert code == 2
    assert out["status"] == "refused"
    assert "すでに取り込まれています" in out["reason"]
    assert count(db, Issuance) == 1


def test_migrated_passes_appear_in_the_rest_api(app, db, host_people, ledger_cli):
    from tests.matrix.conftest import api_token

    host_people(1)
    data = build_workbook(people_sheet(person()), pass_sheet("H30年度", pass_row({"整理番号": 77})))
    assert ledger_cli("import", "--user", "supervisor", data=data)[0] == 0
    headers = {"Authorization": f"Bearer {api_token(app, 'auditor')}"}
    listed = app.test_client().get("/api/v1/issuances/", headers=headers).get_json()
    migrated = [r for r in listed["result"] if r.get("control_no") == 77]
    assert len(migrated) == 1
    assert migrated[0]["fiscal_year"] == 2018


def test_a_path_that_cannot_be_read_is_refused_with_every_key(db, ledger_cli, tmp_path):
    code, out, _ = ledger_cli("check", str(tmp_path / "ない.xlsx"))
    assert code == 2
    assert set(out) == JSON_KEYS
    assert out["status"] == "refused"
    assert "読めません" in out["reason"]
