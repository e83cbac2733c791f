"""``flask mailing stop|resume`` and ``flask letters returned``."""

import json
from datetime import date

from app.history.models import ChangeLog
from app.mailing import stops
from app.mailing.models import MailStop
from app.passes.models import Issuance
from tests.factories import make_resident


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _json(result):
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_stop_and_resume(app, march, db):
    person = make_resident()
    result = _run(app, "mailing", "stop", person.resident_no, "--reason", "other",
                  "--note", "家族から電話", "--user", "staff")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert _json(result)["mail_stopped"] is True
    assert _json(result)["reason"] == "other"
    assert stops.is_stopped(person.id)
    again = _run(
        app, "mailing", "stop", person.resident_no, "--reason", "declined", "--user", "staff"
    )
    assert again.exit_code != 0
    assert "すでに送付停止" in again.stderr
    result = _run(app, "mailing", "resume", person.resident_no, "--user", "supervisor",
                  "--reason", "再申請")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert _json(result) == {"resident_no": person.resident_no, "mail_stopped": False,
                             "lifted_on": "2026-03-23", "stop_id": _json(result)["stop_id"]}  # fmt: skip
    assert db.session.query(MailStop).count() == 1


def test_stop_and_resume_errors_save_nothing(app, march, db):
    person = make_resident()
    for args, message in (
        (("stop", "0000000001", "--reason", "declined", "--user", "staff"), "住民番号 0000000001 の事業対象者はいません"),
        (("stop", person.resident_no, "--reason", "moved", "--user", "staff"), "理由 moved はありません"),
        (("stop", person.resident_no, "--reason", "other", "--user", "staff"), "「その他」"),
        (("stop", person.resident_no, "--reason", "declined", "--user", "nobody"), "有効なアカウント nobody はありません"),
        (("stop", person.resident_no, "--reason", "declined", "--user", "auditor"), "権限がありません"),
        (("resume", person.resident_no, "--user", "staff"), "送付停止になっていません"),
    ):  # fmt: skip
        result = _run(app, "mailing", *args)
        assert result.exit_code == 2, (args, result.stdout)
        assert message in result.stderr
    assert db.session.query(MailStop).count() == 0
    assert db.session.query(ChangeLog).count() == 0


def test_letters_returned(app, march, make_pass, db, tmp_path):
    a = make_pass(make_resident(), fiscal_year=2025)
    b = make_pass(make_resident(), fiscal_year=2025)
    counter = make_pass(make_resident(), fiscal_year=2025, method="counter")
    result = _run(app, "letters", "returned", str(a.control_no), f"{b.control_no}X", "99999",
                  str(counter.control_no), "--fiscal-year", "2025", "--on", "2026-03-20",
                  "--user", "staff")  # fmt: skip
    assert result.exit_code == 1  # some refused
    summary = _json(result)
    assert summary["returned_on"] == "2026-03-20"
    assert [r["control_no"] for r in summary["recorded"]] == [a.control_no, b.control_no]
    assert {r["reason"] for r in summary["refused"]} == {"unknown", "counter"}
    assert "窓口で交付" in result.stderr
    assert db.session.get(Issuance, a.id).returned_on == date(2026, 3, 20)
    # a file of scanned numbers: one per line, full-width, already returned
    scans = tmp_path / "scans.txt"
    scans.write_text(f"{a.control_no}\n\n{str(a.control_no).translate(str.maketrans('0123456789', '０１２３４５６７８９'))}\nabc\n",
                     encoding="utf-8")  # fmt: skip
    result = _run(app, "letters", "returned", "--file", str(scans), "--fiscal-year", "2025",
                  "--user", "staff")  # fmt: skip
    summary = _json(result)
    assert summary["recorded"] == []
    assert [(r["line"], r["reason"]) for r in summary["refused"]] == [
        (1, "already_returned"), (3, "already_returned"), (4, "not_a_number")]  # fmt: skip


def test_letters_returned_errors(app, march, make_pass, db, tmp_path):
    a = make_pass(make_resident(), fiscal_year=2025)
    for args, message in (
        ((str(a.control_no), "--on", "2026-04-01"), "未来"),
        ((str(a.control_no), "--on", "3/20"), "日付（YYYY-MM-DD）ではありません"),
        ((), "整理番号を並べて指定するか"),
        (("--file", str(tmp_path / "missing.txt")), "ファイルを読めません"),
    ):
        result = _run(app, "letters", "returned", *args, "--fiscal-year", "2025", "--user", "staff")
        assert result.exit_code == 2, (args, result.stdout)
        assert message in result.stderr
    assert db.session.get(Issuance, a.id).returned_on is None
    result = _run(app, "letters", "returned", str(a.control_no), "--fiscal-year", "2025",
                  "--user", "staff")  # fmt: skip
    assert result.exit_code == 0
    assert _json(result)["recorded"][0]["control_no"] == a.control_no
