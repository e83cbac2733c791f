"""Bad files: each gets its Japanese reason in the run record and on the command
line, and nothing of it is written."""

import json
from datetime import date

import pytest

from app.hostlink.models import ImportRun, ImportRunRejection
from tests.hostlink.conftest import AS_OF, drop, extract, fingerprint, people, person

STRIDE = 258


def _line(data, index):
    return data[index * STRIDE : (index + 1) * STRIDE]


def _replace(data, line_index, offset, raw):
    start = line_index * STRIDE + offset
    return data[:start] + raw + data[start + len(raw) :]


def _base():
    return extract(AS_OF, people(3))


FILE_LEVEL = {
    "empty_file": lambda d: b"",
    "binary_content": lambda d: b"\x00\x01\x02PK\x03\x04" + d[:500],
    "line_ending_lf": lambda d: d.replace(b"\r\n", b"\n"),
    "line_ending_missing": lambda d: d[:-2],
    "record_length": lambda d: d[: STRIDE + 100] + d[STRIDE + 101 :],
    "first_not_header": lambda d: _replace(d, 0, 0, b"X"),
    "last_not_trailer": lambda d: d[:-STRIDE],
    "file_id": lambda d: _replace(d, 0, 17, b"OTHER     "),
    "header_date": lambda d: _replace(d, 0, 9, b"20260231"),
    "trailer_count_mismatch": lambda d: _replace(d, 4, 1, b"000000007"),
    "duplicate_resident_no": lambda d: _replace(d, 2, 1, _line(d, 1)[1:11]),
    "unexpected_bom": lambda d: b"\xef\xbb\xbf" + d,
}

FILE_LEVEL_TEXT = {
    "empty_file": "ファイルが空です",
    "binary_content": "制御文字",
    "line_ending_lf": "CR LFではなくLF",
    "line_ending_missing": "途中で切れている",
    "record_length": "256バイトではありません",
    "first_not_header": "ヘッダーレコード（H）ではありません",
    "last_not_trailer": "トレーラーレコード（T）ではありません",
    "file_id": "FUREAIではありません",
    "header_date": "正しい日付ではありません",
    "trailer_count_mismatch": "件数が一致しません",
    "duplicate_resident_no": "同じ住民番号が2回",
    "unexpected_bom": "BOM",
}


@pytest.mark.parametrize("code", sorted(FILE_LEVEL))
def test_file_level_errors_refuse_the_whole_file(app, db, tmp_path, folders, code):
    data = FILE_LEVEL[code](_base())
    path = drop(tmp_path, AS_OF, data)
    before = fingerprint(db)
    result = app.test_cli_runner().invoke(args=["hostlink", "import", str(path)])
    assert result.exit_code == 2, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["status"] == "refused"
    assert FILE_LEVEL_TEXT[code] in summary["reason"], summary["reason"]
    assert "データは変更していません" in summary["reason"]
    assert fingerprint(db) == before
    run = db.session.get(ImportRun, summary["run_id"])
    assert (run.status, run.reason_code, run.reason_args["code"]) == ("refused", "file_error", code)


def test_file_without_its_trigger_is_not_read(app, db, tmp_path, folders):
    path = drop(tmp_path, AS_OF, _base(), trigger=False)
    result = app.test_cli_runner().invoke(args=["hostlink", "import", str(path)])
    assert result.exit_code == 2
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["status"] == "refused"
    assert "FUREAI_20260401.END" in summary["reason"]
    assert "転送中" in summary["reason"]
    assert db.session.get(ImportRun, summary["run_id"]).sha256 is None


def test_missing_file_is_refused(app, db, tmp_path, folders):
    result = app.test_cli_runner().invoke(args=["hostlink", "import", str(tmp_path / "x.DAT")])
    assert result.exit_code == 2
    assert json.loads(result.output.strip().splitlines()[-1])["reason"] == (
        "ファイルを読み込めませんでした。"
    )


RECORD_LEVEL = [
    # (field, offset, bytes, code, Japanese)
    ("resident_no", 1, b"12345678X0", "resident_no_format", "10桁の数字ではありません"),
    ("name", 11, b" " * 40, "name_empty", "氏名が空欄です"),
    ("kana", 51, "ﾔﾏﾀﾞ1".encode("cp932"), "kana_chars", "半角カタカナと空白以外"),
    ("sex", 91, b"3", "sex_code", "性別は1または2"),
    ("birth_date", 92, b"6300401", "era_code", "元号コードが正しくありません"),
    ("birth_date", 92, b"3640108", "date_out_of_era", "元号の範囲外"),
    ("birth_date", 92, b"3300231", "invalid_date", "存在しない日付"),
    ("postal_code", 99, b"160-002", "postal_code_format", "郵便番号が7桁"),
    ("is_elderly", 221, b"2", "flag_code", "0または1"),
    ("status", 224, b"5", "status_code", "1から4"),
    ("status_changed_on", 224, b"2        ", "change_date_missing", "異動日が必要"),
]


@pytest.mark.parametrize(("field", "offset", "raw", "code", "text"), RECORD_LEVEL)
def test_record_level_errors_reject_the_record_with_a_reason(
    app, db, tmp_path, folders, field, offset, raw, code, text
):
    data = extract(AS_OF, people(120))
    path = drop(tmp_path, AS_OF, _replace(data, 5, offset, raw))
    result = app.test_cli_runner().invoke(args=["hostlink", "import", str(path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["added"] == 119
    (rejected,) = [r for r in summary["rejected"] if r["line"] == 6]
    assert rejected["field"] == field
    assert text in rejected["reason"], rejected["reason"]
    stored = db.session.query(ImportRunRejection).filter_by(line_no=6).first()
    assert (stored.field, stored.code) == (field, code)


def test_double_byte_character_cut_by_a_field_boundary(app, db, tmp_path, folders):
    crowd = people(120)
    data = extract(AS_OF, crowd)
    # 19 full-width characters, a space and the lead byte of 験 (8C B1) fill
    # the 40-byte name; its trail byte spills into the kana field.
    name = "試".encode("cp932") * 19 + b" " + "験".encode("cp932")[:1]
    kana = "験".encode("cp932")[1:] + data[5 * STRIDE + 52 : 5 * STRIDE + 91]
    assert len(name) == 40
    path = drop(tmp_path, AS_OF, _replace(_replace(data, 5, 11, name), 5, 51, kana))
    result = app.test_cli_runner().invoke(args=["hostlink", "import", str(path)])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["status"] == "applied"
    reasons = {r["field"]: r["reason"] for r in summary["rejected"] if r["line"] == 6}
    assert "name" in reasons
    assert "Windows-31J" in reasons["name"]
    assert db.session.query(ImportRunRejection).filter_by(code="field_encoding").count() >= 1


def test_hostile_text_is_stored_as_text_and_shown_escaped(db, import_path, login):
    hostile = person(name="<script>alert(1)</script>", address="<img src=file:///etc/passwd>")
    others = people(99)
    assert import_path(AS_OF, [hostile] + others).status == "applied"
    left = dict(hostile, status=2, status_changed_on=date(2026, 4, 10))
    later = import_path(date(2026, 4, 16), [left] + others)
    assert later.counts["excluded"] == 1
    page = login("supervisor").get(f"/hostlink/runs/{later.run_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
