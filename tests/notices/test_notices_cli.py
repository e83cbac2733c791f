"""``flask notices newly-eligible [--run RUN_ID | --since YYYY-MM-DD] --out DIR``:
the JSON last line, the files, and bad input refused in Japanese."""

import json
from datetime import date

import pytest
from pypdf import PdfReader

from app.notices.cli import notices_cli
from tests.notices.conftest import person


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(notices_cli, ["newly-eligible", *args])


@pytest.fixture
def applied(db, two_extracts):
    people = [
        person(birth_date=date(1966, 4, 10)),
        person(birth_date=date(1966, 4, 12)),
        person(birth_date=date(1945, 2, 2)),  # moved in
        person(is_elderly=False, is_disabled=True, birth_date=date(1980, 3, 3)),  # other
    ]
    return two_extracts([person()], people)


def _last_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_run_option(cli, applied, tmp_path):
    data = _last_json(cli("--run", str(applied.run_id), "--out", str(tmp_path)))
    assert data["count"] == 4
    assert data["by_reason"] == {"turned_60": 2, "moved_in": 1, "category_gained": 0, "other": 1}
    assert data["postcards"] == 4
    assert sorted(data["files"]) == sorted([str(tmp_path / "postcards.pdf"),
                                            str(tmp_path / "list.xlsx")])  # fmt: skip
    assert len(PdfReader(tmp_path / "postcards.pdf").pages) == 8


def test_since_and_default(cli, applied, tmp_path):
    data = _last_json(cli("--since", "2026-04-16", "--out", str(tmp_path / "since")))
    assert data["count"] == 4
    assert _last_json(cli("--since", "2026-04-17", "--out", str(tmp_path / "none")))["count"] == 0
    # without --run or --since: the last applied extract, even if sent before
    data = _last_json(cli("--out", str(tmp_path / "last")))
    assert data["count"] == 4
    assert data["postcards"] == 4


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--run", "999"], "取込番号 999 はありません"),
        (["--since", "2026-02-30"], "日付ではありません"),
        (["--run", "1", "--since", "2026-04-01"], "どちらか一方"),
    ],
)
def test_bad_input(cli, applied, tmp_path, args, words):
    out = tmp_path / "out"
    out.mkdir()
    result = cli(*args, "--out", str(out))
    assert result.exit_code != 0
    assert words in result.output
    assert not list(out.iterdir())


def test_unwritable_folder(cli, applied, tmp_path):
    # a file where the folder should be, and a folder inside a file: works as
    # root too (a permission bit would not stop root)
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    for out in (blocker, blocker / "inside"):
        result = cli("--out", str(out))
        assert result.exit_code != 0
        assert "書き込めません" in result.output, result.output
    assert blocker.read_text() == "x"


def test_a_run_not_applied(cli, db, tmp_path, frozen_clock):
    from app.hostlink import imports

    frozen_clock(date(2026, 4, 1))
    refused = imports.import_file(data=b"junk", file_name="FUREAI_20260401.DAT",
                                  trigger="command", require_trigger=False)  # fmt: skip
    result = cli("--run", str(refused.run_id), "--out", str(tmp_path))
    assert result.exit_code != 0
    assert "反映されていない" in result.output
