"""The command line: ``flask hostlink import|poll|approve|discard`` and
``flask demo-extract``."""

import json
from datetime import date

from app.hostlink.models import ImportRun
from app.hostlink.parser import parse_extract
from app.residents.models import Resident
from tests.hostlink.conftest import AS_OF, NEXT_AS_OF, drop, extract, people

KEYS = {
    "run_id", "status", "file", "as_of", "added", "updated", "excluded", "reinstated",
    "unchanged", "rejected", "reason",
}  # fmt: skip


def _invoke(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result, json.loads(result.output.strip().splitlines()[-1])


def test_import_prints_json_and_exits_0_3_2(app, db, tmp_path, folders):
    crowd = people(100)
    first = drop(tmp_path / "a", AS_OF, extract(AS_OF, crowd))
    result, summary = _invoke(app, "hostlink", "import", str(first))
    assert result.exit_code == 0
    assert set(summary) >= KEYS
    assert summary == summary | {
        "status": "applied",
        "file": "FUREAI_20260401.DAT",
        "as_of": "2026-04-01",
        "added": 100,
        "rejected": [],
        "reason": "取り込みました。",
    }
    assert isinstance(summary["run_id"], int)
    assert "\\u" not in result.output  # Japanese as it is (ensure_ascii=False)

    held_file = drop(tmp_path / "b", NEXT_AS_OF, extract(NEXT_AS_OF, crowd[:50]))
    result, summary = _invoke(app, "hostlink", "import", str(held_file))
    assert (result.exit_code, summary["status"], summary["excluded"]) == (3, "held", 50)
    assert summary["reason"].startswith("保留しました")

    result, summary = _invoke(app, "hostlink", "import", str(first))
    assert (result.exit_code, summary["status"]) == (2, "refused")
    # The file named on the command line stays where it is.
    assert first.exists()
    assert held_file.exists()


def test_crash_is_failed_exit_1_and_changes_nothing(app, db, tmp_path, folders, monkeypatch):
    from app.hostlink import apply

    def broken_write(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(apply, "write_plan", broken_write)
    path = drop(tmp_path, AS_OF, extract(AS_OF, people(10)))
    result, summary = _invoke(app, "hostlink", "import", str(path))
    assert (result.exit_code, summary["status"]) == (1, "failed")
    assert "データは変更していません" in summary["reason"]
    assert db.session.query(Resident).count() == 0
    assert db.session.get(ImportRun, summary["run_id"]).status == "failed"


def test_crash_half_way_through_the_writes_leaves_the_data_as_it_was(
    app, db, tmp_path, folders, monkeypatch
):
    from app.hostlink import apply

    crowd = people(60)
    drop_first = drop(tmp_path / "a", AS_OF, extract(AS_OF, crowd))
    assert _invoke(app, "hostlink", "import", str(drop_first))[1]["status"] == "applied"
    before = db.session.query(Resident.resident_no, Resident.address, Resident.version).all()
    db.session.commit()
    real_insert = apply.bulk_insert
    calls = []

    def insert_then_fail(conn, table, names, rows):
        real_insert(conn, table, names, rows)
        calls.append(table.name)
        if table.name == "change_log":  # residents already updated in this transaction
            raise OSError("connection lost")

    monkeypatch.setattr(apply, "bulk_insert", insert_then_fail)
    moved = [dict(p, address="東京都新宿区戸山３－１－１") for p in crowd]
    second = drop(tmp_path / "b", NEXT_AS_OF, extract(NEXT_AS_OF, moved))
    result, summary = _invoke(app, "hostlink", "import", str(second))
    assert calls == ["change_log"]
    assert summary["status"] == "failed"
    db.session.expire_all()
    after = db.session.query(Resident.resident_no, Resident.address, Resident.version).all()
    assert sorted(after) == sorted(before)
    monkeypatch.setattr(apply, "bulk_insert", real_insert)
    result, summary = _invoke(app, "hostlink", "import", str(second))
    assert (summary["status"], summary["updated"]) == ("applied", 60)


def test_poll_applies_inbox_files_in_order_and_files_them_away(app, db, folders):
    crowd = people(40)
    later = drop(folders["inbox"], NEXT_AS_OF, extract(NEXT_AS_OF, crowd))
    drop(folders["inbox"], AS_OF, extract(AS_OF, crowd[:39]))
    waiting = drop(folders["inbox"], date(2026, 5, 1), extract(date(2026, 5, 1), crowd),
                   trigger=False)  # fmt: skip
    result, summary = _invoke(app, "hostlink", "poll")
    assert result.exit_code == 0, result.output
    assert [(r["file"], r["status"]) for r in summary["runs"]] == [
        ("FUREAI_20260401.DAT", "applied"),
        ("FUREAI_20260416.DAT", "applied"),
    ]
    assert summary["runs"][1]["added"] == 1
    assert summary["waiting"] == ["FUREAI_20260501.DAT"]
    assert sorted(p.name for p in folders["archive"].iterdir()) == [
        "FUREAI_20260401.DAT", "FUREAI_20260401.END", "FUREAI_20260416.DAT", "FUREAI_20260416.END",
    ]  # fmt: skip
    assert not later.exists()
    assert waiting.exists()


def test_poll_moves_refused_and_held_files(app, db, folders):
    crowd = people(100)
    drop(folders["inbox"], AS_OF, extract(AS_OF, crowd))
    drop(folders["inbox"], NEXT_AS_OF, extract(NEXT_AS_OF, crowd[:10]))
    drop(folders["inbox"], date(2026, 5, 1), b"garbage")
    result, summary = _invoke(app, "hostlink", "poll")
    assert [r["status"] for r in summary["runs"]] == ["applied", "held", "refused"]
    assert [p.name for p in sorted(folders["held"].iterdir())] == [
        "FUREAI_20260416.DAT", "FUREAI_20260416.END",
    ]  # fmt: skip
    assert "FUREAI_20260501.DAT" in [p.name for p in folders["rejected"].iterdir()]
    held = db.session.get(ImportRun, summary["runs"][1]["run_id"])
    assert held.held_path.endswith("held/FUREAI_20260416.DAT")


def test_demo_extract_writes_a_snapshot_and_a_fortnight_later(app, db, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["demo-extract", "--out", str(tmp_path), "--residents", "500", "--seed", "3",
              "--as-of", "2026-04-01", "--changes"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "FUREAI_20260401.DAT", "FUREAI_20260401.END", "FUREAI_20260416.DAT", "FUREAI_20260416.END",
    ]  # fmt: skip
    first = parse_extract((tmp_path / "FUREAI_20260401.DAT").read_bytes())
    later = parse_extract((tmp_path / "FUREAI_20260416.DAT").read_bytes())
    assert (first.data_count, first.errors) == (500, [])
    assert (later.data_count, later.errors, later.header.as_of) == (505, [], NEXT_AS_OF)
    statuses = [r.status for r in later.records]
    assert statuses.count(1) >= 495
    assert set(statuses) <= {1, 2, 3, 4}
    assert sum(1 for r in later.records if not r.is_eligible) == 5
    # The same seed gives the same people.
    again = tmp_path / "again"
    app.test_cli_runner().invoke(
        args=["demo-extract", "--out", str(again), "--residents", "500", "--seed", "3",
              "--as-of", "2026-04-01"]
    )  # fmt: skip
    assert (again / "FUREAI_20260401.DAT").read_bytes() == (
        tmp_path / "FUREAI_20260401.DAT"
    ).read_bytes()


def test_demo_extract_streamed_to_disk_is_the_in_memory_file(tmp_path, monkeypatch):
    from app.hostlink import demo, writer
    from app.hostlink.records import LINE_END

    def whole_in_memory(as_of, records):
        # The writer's former path: every record joined in memory at once.
        data = [writer.encode_record(r) for r in records]
        lines = [writer.encode_header(as_of), *data, writer.encode_trailer(len(data))]
        return LINE_END.join(lines) + LINE_END

    monkeypatch.setattr(writer, "_WRITE_BATCH", 7)
    written = demo.write_demo_extracts(tmp_path, 300, 3, AS_OF, changes=True, reference=AS_OF)
    in_memory = demo.build_demo_extracts(300, 3, AS_OF, changes=True, reference=AS_OF)
    assert [p.name for p, _size, _s in written] == [name for name, _d, _s in in_memory]
    for (path, size, summary), (_name, data, summary_before) in zip(
        written, in_memory, strict=True
    ):
        assert path.read_bytes() == data
        assert size == len(data)
        assert summary == summary_before
        assert path.with_suffix(".END").read_bytes() == b""
    people = demo.generate_people(300, seed=3, reference=AS_OF)
    assert written[0][0].read_bytes() == whole_in_memory(AS_OF, people)
