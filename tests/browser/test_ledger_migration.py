"""The go-live migration in the browser, as a supervisor lives it: upload the
ledger, watch it being read, check the reconciliation report, confirm the
import, record the erasure and download the certificate.  Screenshots of each
step; the PDFs are kept beside them with a picture of their first page."""

import subprocess
from datetime import date

import pytest

from app import clock
from tests.browser.conftest import open_menu
from tests.browser.japanese import english_words
from tests.factories import make_resident
from tests.ledger.conftest import build_workbook, pass_row, pass_sheet, people_sheet, person

pytestmark = pytest.mark.browser


def _ledger(tmp_path):
    rows = [person({"住民番号": f"{n:010d}", "氏名": "台帳 太郎"}) for n in range(1, 41)]
    rows.append(person({"住民番号": "0000000099", "氏名": "<script>alert(1)</script>"}))
    passes = [pass_row({"整理番号": n, "住民番号": f"{n:010d}"}) for n in range(1, 41)]
    passes.append(pass_row({"整理番号": 41, "住民番号": "0000000077"}))  # nobody: rejected
    data = build_workbook(people_sheet(*rows), pass_sheet("H30年度", *passes, total=41))
    path = tmp_path / "ふれあい台帳.xlsx"
    path.write_bytes(data)
    return path


def _save_pdf(page, url, path):
    resp = page.request.get(url)
    assert resp.status == 200, resp.status
    assert resp.headers["content-type"].startswith("application/pdf")
    path.write_bytes(resp.body())
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path),
                    str(path.with_suffix(""))], check=False, timeout=60)  # fmt: skip
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout  # fmt: skip
    return text


def test_upload_report_confirm_certificate(page, sign_in_as, db, app, tmp_path, screenshot_dir,
                                           monkeypatch):  # fmt: skip
    for n in range(1, 41):
        make_resident(resident_no=f"{n:010d}", name="台帳\u3000太郎", birth_date=date(1955, 4, 1))
    # As in production: the run goes on in a thread and the page shows its progress.
    monkeypatch.setitem(app.config, "LEDGER_IN_BACKGROUND", True)
    sign_in_as("supervisor")
    open_menu(page, "/ledger/")
    page.shot("index")
    assert english_words(page.inner_text("body")) == []
    page.set_input_files("input[name=file]", str(_ledger(tmp_path)))
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("#upload-check")
    page.wait_for_selector("text=取込を確定", timeout=30_000)
    page.shot("report-checked")
    body = page.inner_text("body")
    assert english_words(body) == []
    assert "まだ何も取り込まれていません" in body
    assert "<script>alert(1)</script>" not in page.content()
    report_text = _save_pdf(page, page.get_attribute("a[href$='report.pdf']", "href"),
                            screenshot_dir / "ledger-report-checked.pdf")  # fmt: skip
    assert "移行結果照合表" in report_text
    assert "確認者" in report_text
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("#confirm-import")
    page.wait_for_selector("text=消去記録", timeout=60_000)
    page.shot("report-applied")
    assert "取込済" in page.inner_text("#run-status")
    page.fill("textarea[name=location]", "共有フォルダ \\\\fs01\\kyoutsu\\ふれあい台帳.xlsx")
    page.fill("input[name=method]", "ファイル削除の上、ごみ箱を空にした")
    page.fill("input[name=erased_on]", clock.today().isoformat())
    page.select_option("select[name=erased_by]", label="試験 supervisor（supervisor）")
    page.select_option("select[name=witness]", label="試験 staff（staff）")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("text=消去を記録する")
    page.shot("erasure-recorded")
    assert "消去記録を登録しました" in page.inner_text("body")
    cert = _save_pdf(page, page.get_attribute("a[href$='certificate.pdf']", "href"),
                     screenshot_dir / "ledger-certificate.pdf")  # fmt: skip
    assert "消去証明書" in cert
    assert "fs01" in cert
