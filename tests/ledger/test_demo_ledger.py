"""The dummy ledger of ``flask demo-ledger``, read back by the ledger reader."""

import datetime
import io
import unicodedata
import zipfile
from collections import Counter

import openpyxl
import pytest

from app.demo.ledger import IGNORED_SHEET, build_demo_ledger
from app.demo.people import generate_people
from app.hostlink.parser import parse_extract
from app.ledger import read_ledger
from app.ledger.passes import PASS_COLUMNS
from app.ledger.people import PEOPLE_COLUMNS, PEOPLE_SHEET
from app.text.wareki import fiscal_year_start

COUNT = 300
SEED = 4
TODAY = datetime.date(2026, 11, 20)
YEAR_SHEETS = 5
CATEGORY_FLAGS = (
    ("is_elderly", "elderly"),
    ("is_disabled", "disabled"),
    ("is_child_allowance", "child_allowance"),
)
EXCLUSION_CODES = {"moved_out", "deceased", "lost_eligibility", "struck_off", "other"}


@pytest.fixture(scope="module")
def built():
    return build_demo_ledger(COUNT, seed=SEED, years=YEAR_SHEETS, today=TODAY)


@pytest.fixture(scope="module")
def summary(built):
    return built[1]


@pytest.fixture(scope="module")
def ledger(built):
    return read_ledger(built[0])


def _rejects_on(summary, sheet):
    return [r for r in summary["rejects"] if r["sheet"] == sheet]


def _year_sheets(summary):
    return {name: s for name, s in summary["sheets"].items() if "fiscal_year" in s}


def _unspaced(name):
    return "".join(name.split())


def _extract_people():
    # demo-extract counts ages on the start of the fiscal year of today.
    return generate_people(COUNT, seed=SEED, reference=fiscal_year_start(2026))


def test_people_are_those_of_the_extract(summary, ledger):
    extract = _extract_people()
    taken = {p.resident_no: p for p in ledger.people}
    missing = [p for p in extract if p["resident_no"] not in taken]
    # Only the rows given an impossible birth date are missing.
    assert len(missing) == len(_rejects_on(summary, PEOPLE_SHEET)) >= 1
    assert {e.code for e in ledger.errors if e.sheet == PEOPLE_SHEET} == {"date_out_of_era"}
    for person in extract:
        row = taken.get(person["resident_no"])
        if row is None:
            continue
        assert _unspaced(row.name) == _unspaced(person["name"])
        if "\u3000" in row.name:
            assert row.name == person["name"]
        assert (row.kana, row.sex, row.birth_date) == (
            person["kana"],
            person["sex"],
            person["birth_date"],
        )
        assert (row.postal_code, row.address, row.phone) == (
            person["postal_code"],
            person["address"],
            person["phone"],
        )
        assert row.categories == {code for flag, code in CATEGORY_FLAGS if person[flag]}
        assert row.excluded_on is None


def test_former_residents_are_on_the_ledger_only(summary, ledger):
    extract = {p["resident_no"] for p in _extract_people()}
    former = [p for p in ledger.people if p.resident_no not in extract]
    assert len(former) == summary["former_people"] == round(COUNT * 0.03)
    # Older registrations: their numbers start with 0, which number cells lose.
    assert all(p.resident_no.startswith("0") for p in former)
    recorded = [p for p in former if p.excluded_on is not None]
    assert len(recorded) == summary["former_recorded"]
    assert 0 < len(recorded) < len(former)
    assert {p.exclusion_reason for p in recorded} <= EXCLUSION_CODES
    assert all(p.exclusion_reason is None for p in former if p.excluded_on is None)
    numbers = {p.resident_no for p in former}
    passes = [p for p in ledger.passes if p.resident_no in numbers]
    assert passes, "former residents keep their pass history"
    for person in recorded:
        assert all(
            p.issued_on < person.excluded_on for p in passes if p.resident_no == person.resident_no
        )


def test_every_planted_fault_is_rejected_and_every_other_row_taken(summary, ledger):
    found = sorted((e.sheet, e.row, e.column, e.code) for e in ledger.errors)
    planted = sorted((r["sheet"], r["row"], r["column"], r["code"]) for r in summary["rejects"])
    assert found == planted
    assert set(summary["rejected"]) == {
        "date_out_of_era",
        "office_unknown",
        "missing",
        "duplicate_control_no",
    }
    for name, planned in summary["sheets"].items():
        if planned.get("ignored"):
            continue
        read = ledger.sheet(name)
        rejected = len(_rejects_on(summary, name))
        assert (read.rows_read, read.blank_rows, read.rows_rejected) == (
            planned["rows"],
            planned["blank_rows"],
            rejected,
        )
        assert read.rows_taken == planned["rows"] - rejected
    people_rejected = len(_rejects_on(summary, PEOPLE_SHEET))
    assert len(ledger.people) == summary["people"] - people_rejected
    assert len(ledger.passes) == summary["passes"] - (len(summary["rejects"]) - people_rejected)


def test_what_the_reader_takes_is_what_was_planned(summary, ledger):
    taken = summary["taken"]
    # A blank kind was planted only where the reader's rule gives the planned one.
    assert Counter(p.kind for p in ledger.passes) == taken["kind"]
    assert any(p.kind_inferred for p in ledger.passes)
    assert Counter(p.method for p in ledger.passes) == taken["method"]
    assert Counter(p.office for p in ledger.passes) == taken["office"]
    assert any(p.return_note for p in ledger.passes) == ("return_note" in summary["faults"])
    assert [n.code for n in ledger.notices] == ["return_undated"]
    assert any(p.applied_on_from_issued for p in ledger.passes)


def test_sheets_totals_and_the_ignored_sheet(summary, ledger):
    assert [s.name for s in ledger.sheets] == list(summary["sheets"])
    assert [s.name for s in ledger.ignored_sheets] == [IGNORED_SHEET]
    assert ledger.fiscal_years == (2022, 2023, 2024, 2025, 2026)
    years = _year_sheets(summary)
    assert len(years) == YEAR_SHEETS
    assert {name[0] for name in years} >= {"R", "令"}  # the spellings are mixed
    for name, planned in years.items():
        read = ledger.sheet(name)
        assert read.fiscal_year == planned["fiscal_year"]
        assert read.total_row is not None
        assert read.total_value == planned["total"]
        if name == summary["wrong_total"]:
            assert read.total_value != read.rows_read
        else:
            assert read.total_value == read.rows_read
    assert all(s.header_row > 1 for s in ledger.sheets if s.header_row is not None)


def test_the_specs_faults_are_planted(built, summary):
    faults = summary["faults"]
    for fault in (
        "resident_no_number",
        "resident_no_zeros_lost",
        "resident_no_fullwidth",
        "name_halfwidth_space",
        "name_without_space",
        "kana_hiragana",
        "kana_halfwidth",
        "postal_mark",
        "postal_without_hyphen",
        "postal_number",
        "date_text_letter",
        "date_text_kanji",
        "date_text_fullwidth",
        "office_short",
        "method_short",
        "method_blank",
        "kind_blank",
        "kind_short",
        "applied_blank",
        "header_spacing",
        "moved_columns_sheets",
        "return_undated",
    ):
        assert faults.get(fault, 0) > 0, fault
    assert faults["merged_titles"] == len(summary["sheets"]) - 1
    workbook = openpyxl.load_workbook(io.BytesIO(built[0]))
    headers = {}
    for name in summary["sheets"]:
        ws = workbook[name]
        if name == IGNORED_SHEET:
            continue
        assert [str(r) for r in ws.merged_cells.ranges][0].startswith("A1:")
        for row in ws.iter_rows(max_row=5, values_only=True):
            if "住民番号" in [_normalized(v) for v in row]:
                headers[name] = [v for v in row if v is not None]
                break
    assert len(headers) == len(summary["sheets"]) - 1
    texts = [text for header in headers.values() for text in header]
    assert sum(1 for t in texts if any(c.isspace() for c in t)) == faults["header_spacing"]
    named = {
        _normalized(text): spec.header
        for spec in (*PEOPLE_COLUMNS, *PASS_COLUMNS)
        for text in (spec.header, *spec.aliases)
    }
    aliases = [t for t in texts if named[_normalized(t)] != _normalized(t)]
    assert len(aliases) == faults.get("header_alias", 0)
    moved = []
    for name, header in headers.items():
        specs = PEOPLE_COLUMNS if name == PEOPLE_SHEET else PASS_COLUMNS
        if [named[_normalized(t)] for t in header] != [spec.header for spec in specs]:
            moved.append(name)
    assert len(moved) == faults["moved_columns_sheets"] >= 1


def _normalized(value):
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def test_the_same_seed_gives_the_same_workbook(built):
    again, summary = build_demo_ledger(COUNT, seed=SEED, years=YEAR_SHEETS, today=TODAY)
    assert summary == built[1]

    def parts(data):
        archive = zipfile.ZipFile(io.BytesIO(data))
        # docProps/core.xml holds the time of saving.
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}

    assert parts(again) == parts(built[0])
    other = build_demo_ledger(COUNT, seed=SEED + 1, years=YEAR_SHEETS, today=TODAY)[0]
    assert parts(other) != parts(built[0])


@pytest.mark.parametrize(
    ("count", "years", "today"),
    [(1, 1, datetime.date(2026, 4, 1)), (20, 2, datetime.date(2027, 3, 31))],
)
def test_tiny_ledgers_still_read(count, years, today):
    data, summary = build_demo_ledger(count, seed=1, years=years, today=today)
    ledger = read_ledger(data)
    assert len(ledger.fiscal_years) == years
    assert len(ledger.errors) == len(summary["rejects"])
    assert len(ledger.people) + len(ledger.passes) + len(ledger.errors) == (
        summary["people"] + summary["passes"]
    )


def test_demo_ledger_command_matches_demo_extract(app, tmp_path):
    runner = app.test_cli_runner()
    extract = runner.invoke(
        args=["demo-extract", "--out", str(tmp_path), "--residents", "60", "--seed", "2"]
    )
    assert extract.exit_code == 0, extract.output
    out = tmp_path / "ledger" / "ledger.xlsx"
    result = runner.invoke(
        args=["demo-ledger", "--out", str(out), "--residents", "60", "--seed", "2", "--years", "2"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    for word in ("demo ledger:", "people: 62", "former residents", "passes:", "faults planted:"):
        assert word in result.stderr
    ledger = read_ledger(out.read_bytes())
    taken = {p.resident_no: p for p in ledger.people}
    (dat,) = tmp_path.glob("FUREAI_*.DAT")
    records = parse_extract(dat.read_bytes()).records
    matched = [r for r in records if r.resident_no in taken]
    rejected = sum(1 for e in ledger.errors if e.sheet == PEOPLE_SHEET)
    assert len(matched) == len(records) - rejected == 60 - rejected
    for record in matched:
        person = taken[record.resident_no]
        assert person.birth_date == record.birth_date
        assert _unspaced(person.name) == _unspaced(record.name)


def test_demo_ledger_command_is_refused_in_production(app, tmp_path):
    saved = app.config["ALLOW_DEMO_DATA"]
    app.config["ALLOW_DEMO_DATA"] = False
    try:
        result = app.test_cli_runner().invoke(
            args=["demo-ledger", "--out", str(tmp_path / "ledger.xlsx"), "--residents", "5"]
        )
    finally:
        app.config["ALLOW_DEMO_DATA"] = saved
    assert result.exit_code == 2
    assert "ALLOW_DEMO_DATA" in result.stderr
    assert not (tmp_path / "ledger.xlsx").exists()
