"""The migration's documents: the reconciliation report (移行結果照合表) as PDF and
Excel, and the certificate of erasure (消去証明書), read back as text."""

import io

import openpyxl
import pytest
from pypdf import PdfReader

from app.audit.models import AccessLog
from app.migration import documents, erasure, runs
from app.migration.models import (
    RUN_REFUSED,
    TRIGGER_COMMAND,
    ErasureRecord,
    MigrationRun,
    MigrationRunItem,
)
from app.migration.report import refused_summary
from app.offices.models import Office
from tests.factories import make_resident
from tests.ledger.conftest import (
    Literal,
    SheetSpec,
    build_workbook,
    pass_row,
    pass_sheet,
    people_sheet,
    person,
)
from tests.letters.conftest import SCREENSHOTS, fonts_of, page_texts, pdf_text, save_png

SCRIPT = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://evil.example/","クリック")'
HOST_NAME = "照合\u3000一郎"


def _workbook():
    """対象者 (one known to the host under another name), H30年度 with one bad
    date and a clerk's total that does not agree, and a sheet to ignore."""
    people = [
        person({"住民番号": "0000000101", "氏名": SCRIPT}),
        person({"住民番号": "0000000102", "氏名": "新規 二郎"}),
    ]
    passes = [
        pass_row({"整理番号": 1, "住民番号": "0000000101", "氏名": SCRIPT}),
        pass_row({"整理番号": 2, "住民番号": "0000000102", "氏名": "新規 二郎",
                  "交付方法": "郵送", "申請日": None, "交付日": Literal(FORMULA)}),
    ]  # fmt: skip
    return build_workbook(
        people_sheet(*people),
        pass_sheet("H30年度", *passes, total=5),
        SheetSpec("メモ", ["連絡事項"], [["台帳の使い方"]]),
    )


@pytest.fixture
def checked_run(db, user):
    make_resident(resident_no="0000000101", name=HOST_NAME)
    data = _workbook()
    run_id = runs.start_run("台帳_2026<最終>.xlsx", data, trigger="upload", user=user("supervisor"))
    run = runs.check_ledger(run_id, data, user=user("supervisor"))
    assert run.status == "checked", run.reason
    return run, data


def _add_items(db, run, kind, count, **values):
    for n in range(count):
        db.session.add(MigrationRunItem(run_id=run.id, kind=kind, sheet="R7年度", row=n + 4,
                                        column="交付日", reason=f"試験の理由 {n}", **values))  # fmt: skip
    db.session.commit()


def _keep(pdf, name):
    """Page 1 as tests/screenshots/<name>.png, and the PDF beside it (git-ignored)."""
    save_png(pdf, name)
    (SCREENSHOTS / f"{name}.pdf").write_bytes(pdf)


def _hq_name(db):
    return db.session.query(Office.name).filter_by(is_headquarters=True).scalar()


def _embedded(pdf):
    return {name.split("+")[-1]: embedded for name, embedded in fonts_of(pdf).items()}


def _pages(pdf):
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _landscape(pdf):
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width) > float(box.height)


# --- the report's context ------------------------------------------------------


def test_context_of_a_check_run(app, db, checked_run):
    run, data = checked_run
    context = documents.report_context(run)
    assert context["title"] == "移行結果照合表"
    assert context["ward_name"] == app.config["WARD_NAME"]
    assert context["status_label"] == "確認のみ（未取込）"
    assert context["checked_only"] == 1
    assert context["file"]["sha256"] == run.sha256
    assert context["file"]["size"] == len(data)
    assert context["checked_by"] == "試験 supervisor"
    assert context["applied_at"] == ""
    people = {c["label"]: c["count"] for c in context["people"]}
    assert people == {"読込": 2, "ホストと一致": 1, "除外者として作成予定": 1, "相違あり": 1,
                      "不採用": 0}  # fmt: skip
    passes = {c["label"]: c["count"] for c in context["passes"]}
    assert passes == {"読込": 2, "取込予定": 1, "既に取込済": 0, "不採用": 1}
    sheet = next(s for s in context["sheets"] if s["name"] == "H30年度")
    assert sheet["fiscal_year_label"] == "平成30年度"
    assert (sheet["rows"], sheet["taken"], sheet["rejected"]) == (2, 1, 1)
    assert (sheet["sheet_total"], sheet["total_check"]) == (5, "不一致")
    assert context["ignored_sheets"][0]["name"] == "メモ"
    assert context["reasons"][0]["sheet"] == "H30年度"
    year = context["years"][0]
    assert (year["fiscal_year"], year["label"], year["total"]) == (2018, "平成30年度", 1)
    assert year["offices"][0]["name"] == _hq_name(db)
    rejected = context["rejected"][0]
    assert (rejected["sheet"], rejected["row"]) == ("H30年度", 5)
    assert rejected["value"].startswith(FORMULA[:-1])  # the reader shortens a long value
    mismatch = next(m for m in context["mismatches"] if m["field"] == "氏名")
    assert (mismatch["ledger_value"], mismatch["app_value"]) == (SCRIPT, HOST_NAME)
    assert context["counts"]["rejected"] == 1
    assert context["omitted"] == {"rejected": 0, "mismatches": 0, "notices": 0}


def test_status_labels(db, checked_run):
    run, _data = checked_run
    expected = {"checked": "確認のみ（未取込）", "applied": "取込済", "refused": "取込不可",
                "failed": "失敗", "discarded": "取消"}  # fmt: skip
    for status, label in expected.items():
        run.status = status
        assert documents.report_context(run)["status_label"] == label
    db.session.rollback()


def test_file_names(db, checked_run):
    run, _data = checked_run
    assert documents.report_filename(run, "pdf") == f"移行結果照合表_取込{run.id}.pdf"
    assert documents.report_filename(run, ".xlsx") == f"移行結果照合表_取込{run.id}.xlsx"
    assert documents.certificate_filename(run) == f"消去証明書_取込{run.id}.pdf"


# --- the report as PDF -----------------------------------------------------------


def test_report_pdf_of_a_check_run(app, db, checked_run):
    run, _data = checked_run
    _add_items(db, run, "rejected", 1, value=FORMULA)
    pdf = documents.report_pdf(run)
    text = pdf_text(pdf)
    flat = "".join(text.split())
    assert _landscape(pdf)
    assert _embedded(pdf).get("IPAexGothic") is True
    for expected in ("移行結果照合表", app.config["WARD_NAME"], "確認のみ（未取込）", "作成者印",
                     "確認者印", "確認日", "まだ何も取り込まれていません", "台帳_2026<最終>.xlsx",
                     run.sha256, "取込予定", "除外者として作成予定", "平成30年度", "不一致",
                     "合計行なし", "メモ", "対象者・年度のシートではありません", _hq_name(db), "窓口",
                     "郵送", "不採用行", "相違", "注意", f"取込番号 {run.id}", "1 / "):  # fmt: skip
        assert "".join(expected.split()) in flat, expected
    # hostile text prints as it is, never as markup or a formula
    assert SCRIPT in text
    assert FORMULA in text
    assert HOST_NAME.replace("\u3000", "") in flat
    _keep(pdf, "migration-report-checked")


def test_report_pdf_after_the_import(app, checked_run, user):
    run, data = checked_run
    run = runs.import_ledger(run.id, data, user=user("supervisor"))
    assert run.status == "applied", run.reason
    pdf = documents.report_pdf(run)
    flat = "".join(pdf_text(pdf).split())
    assert "取込済" in flat
    assert "まだ何も取り込まれていません" not in flat
    assert "既に取込済" in flat
    assert "除外者として作成予定" not in flat
    assert "試験supervisor" in flat


def test_long_lists_are_paginated_with_their_header(db, checked_run, monkeypatch):
    run, _data = checked_run
    _add_items(db, run, "notice", 120)
    _add_items(db, run, "rejected", 30, value="x" * 5000)
    monkeypatch.setattr(documents, "PDF_LIST_LIMIT", 100)
    pdf = documents.report_pdf(run)
    pages = page_texts(pdf)
    assert len(pages) >= 5
    assert all(f"/ {len(pages)}" in page for page in pages)
    notice_pages = [p for p in pages if "試験の理由" in p and "注意" in p]
    assert len(notice_pages) >= 3
    for page in notice_pages:
        assert "シート名" in page  # the header on every page
    text = "".join(pages)
    assert "試験の理由 99" in text
    assert "試験の理由 100" not in text
    assert "このほか 20 件はここに印刷していません" in text
    _keep(pdf, "migration-report-long")


def test_report_pdf_of_a_refused_run(db, user):
    name = "壊れた" + "とても長い名前の" * 20 + ".xlsx"
    reason = "エクセルのファイルではありません。" + "理由の説明が続きます。" * 12 + "終わり"
    run = MigrationRun(file_name=name, file_size=10, sha256="0" * 64, status=RUN_REFUSED,
                       trigger=TRIGGER_COMMAND, reason=reason,
                       summary=refused_summary({"name": name, "size": 10}))  # fmt: skip
    db.session.add(run)
    db.session.commit()
    pdf = documents.report_pdf(run)
    flat = "".join(pdf_text(pdf).split())
    assert "取込不可" in flat
    assert "エクセルのファイルではありません。" in flat
    assert "終わり" in flat  # a long reason wraps, nothing is lost
    assert ".xlsx" in flat
    assert "読み込んだシートはありません。" in flat
    assert "コマンドライン" not in flat  # never checked, never imported
    _keep(pdf, "migration-report-refused")


# --- the report as Excel -------------------------------------------------------------


def test_report_xlsx(db, checked_run):
    run, _data = checked_run
    _add_items(db, run, "rejected", 1, value="@SUM(A1)")
    data = documents.report_xlsx(run)
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "migration-report.xlsx").write_bytes(data)  # to open by hand (git-ignored)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "概要",
        "シート別",
        "不採用の理由",
        "年度別",
        "不採用行",
        "相違",
        "注意",
    ]
    overview = {row[0]: row[1] for row in book["概要"].iter_rows(min_row=4, values_only=True)}
    assert overview["ファイル名"] == "台帳_2026<最終>.xlsx"
    assert overview["SHA-256"] == run.sha256
    assert overview["状態"] == "確認のみ（未取込）"
    assert overview["交付：取込予定"] == 1
    assert [c.value for c in book["不採用行"][1]] == ["シート名", "行", "列", "理由", "セルの値"]
    hostile = book["不採用行"]["E2"]
    assert hostile.value.startswith("'" + FORMULA[:-1])
    assert hostile.data_type == "s"
    assert book["不採用行"]["E3"].value == "'@SUM(A1)"
    assert book["不採用行"]["E3"].data_type == "s"
    mismatch = [c.value for c in book["相違"][1]]
    assert mismatch == ["シート名", "行", "住民番号", "項目", "台帳の値", "アプリケーションの値",
                        "理由"]  # fmt: skip
    values = [c.value for row in book["相違"].iter_rows(min_row=2) for c in row]
    assert SCRIPT in values
    assert HOST_NAME in values
    sheet_rows = list(book["シート別"].iter_rows(values_only=True))
    assert sheet_rows[0][:3] == ("シート名", "種類", "年度")
    h30 = next(r for r in sheet_rows if r[0] == "H30年度")
    assert (h30[2], h30[10], h30[11]) == ("平成30年度", 5, "不一致")
    assert any(r[0] == "メモ" and r[1] == "読み込まないシート" for r in sheet_rows)
    years = list(book["年度別"].iter_rows(values_only=True))
    assert years[0] == ("年度", "年度（西暦）", "交付場所", "窓口", "郵送", "合計")
    assert ("平成30年度", 2018, "合計", 1, 0, 1) in years


# --- the certificate of erasure ------------------------------------------------------


@pytest.fixture
def applied_run(checked_run, user):
    run, data = checked_run
    run = runs.import_ledger(run.id, data, user=user("supervisor"))
    assert run.status == "applied", run.reason
    return run


def test_certificate_without_records_says_so(db, applied_run):
    pdf = documents.certificate_pdf(applied_run)
    flat = "".join(pdf_text(pdf).split())
    assert "消去証明書" in flat
    assert "まだ記録されていません" in flat
    assert applied_run.sha256 in flat
    assert not _landscape(pdf)
    _keep(pdf, "migration-certificate-empty")


def test_certificate_with_records(app, db, applied_run, user):
    run = applied_run
    db.session.add(ErasureRecord(run_id=run.id, location="アプリケーションサーバーの一時領域",
                                 method="アプリケーションによる自動削除（取込確定時）",
                                 erased_on=run.applied_at.date(), automatic=True))  # fmt: skip
    db.session.commit()
    day = run.applied_at.date()
    first = erasure.record_erasure(
        run, location=r"\\fileserver\共有\高齢福祉課\台帳.xlsx", method="完全消去ソフトで上書き消去",
        erased_on=day, erased_by=user("staff"), witness=user("supervisor"),
        recorded_by=user("supervisor"),
    )  # fmt: skip
    erasure.record_erasure(
        run, location=f"窓口PC-3 のデスクトップ {SCRIPT}", method="ごみ箱を空にした後に上書き",
        erased_on=day, erased_by=user("staff"), witness=user("admin"), recorded_by=None,
        note="記録番号の場所の書き誤りを訂正", corrects_id=first.id,
    )  # fmt: skip
    context = documents.certificate_context(run)
    assert [r["id"] for r in context["records"]] == [first.id, first.id + 1]
    assert len(context["automatic_records"]) == 1
    pdf = documents.certificate_pdf(run)
    text = pdf_text(pdf)
    flat = "".join(text.split())
    assert _embedded(pdf).get("IPAexMincho") is True
    wareki = documents.format_wareki(day)
    for expected in ("消去証明書", app.config["WARD_NAME"],
                     "下記のとおり、ふれあい入浴証交付台帳（エクセル）の電子データを消去したことを証明します。",
                     "台帳_2026<最終>.xlsx", run.sha256, f"取込番号{run.id}",
                     r"\\fileserver\共有\高齢福祉課\台帳.xlsx", "完全消去ソフトで上書き消去",
                     wareki, f"{day.year}年{day.month}月{day.day}日", "試験staff", "試験supervisor",
                     "試験admin", f"記録番号{first.id}の訂正", "コマンドライン",
                     "アプリケーションによる自動", "消去実施者", "立会者", "所属長確認印"):  # fmt: skip
        assert "".join(expected.split()) in flat, expected
    assert "まだ記録されていません" not in flat
    assert SCRIPT in text
    _keep(pdf, "migration-certificate")


def test_long_texts_wrap_inside_their_boxes(db, applied_run, user):
    run = applied_run
    location = "共有フォルダ" + "台帳置き場の奥の" * 60 + "最後の場所"
    erasure.record_erasure(run, location=location, method="上書き消去", erased_on=run.applied_at.date(),
                           erased_by=user("staff"), witness=user("supervisor"), recorded_by=None)  # fmt: skip
    pdf = documents.certificate_pdf(run)
    flat = "".join(pdf_text(pdf).split())
    assert "最後の場所" in flat  # cut into lines, nothing lost
    lines = documents.certificate_context(run)["records"][0]["location"]
    assert lines == location  # the context keeps the text whole
    _keep(pdf, "migration-certificate-long")


# --- the access log ----------------------------------------------------------------


def test_downloads_are_logged(db, checked_run, user):
    run, _data = checked_run
    documents.audit_download(run, "pdf", user=user("supervisor"))
    documents.audit_download(run, "xlsx", user=False)
    rows = db.session.query(AccessLog).filter_by(action="ledger.report").order_by(AccessLog.id)
    first, second = rows.all()
    assert (first.username, first.target) == ("supervisor", f"ledger_run:{run.id}")
    # the report names the person of its one mismatch (access_log_person)
    assert first.detail == {"format": "pdf", "file": "台帳_2026<最終>.xlsx", "shown": 1}
    assert (second.username, second.user_id, second.detail["format"]) == (
        "command-line",
        None,
        "xlsx",
    )
