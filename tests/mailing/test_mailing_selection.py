"""The mass mailing's selection per the seed: everyone with a pass since
MASS_MAILING_SINCE_FY, less 送付停止 and 返戻未解決; the not-mailed lists."""

import io
import json
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.letters import mass_mailing
from app.mailing import notmailed, returned, stops
from app.passes import returns
from app.residents import corrections
from tests.factories import make_resident
from tests.letters.conftest import save_png


@pytest.fixture
def year(march, make_pass, user, db):
    """People of every case, by letter."""
    staff = user("staff")
    p = {}
    p["old"] = make_resident(name="古参\u3000一郎")
    make_pass(p["old"], fiscal_year=2014)
    p["older"] = make_resident(name="古参\u3000二郎")
    make_pass(p["older"], fiscal_year=2013)
    p["stopped"] = make_resident(name="停止\u3000花子")
    make_pass(p["stopped"], fiscal_year=2025)
    stops.stop_mailing(p["stopped"], "declined", staff)
    names = {
        "returned": "未解",
        "moved": "転居",
        "resent": "再送",
        "cleared": "解除",
        "both": "両方",
    }
    for key, given in names.items():
        p[key] = make_resident(name=f"返戻\u3000{given}", postal_code="1600001",
                               address="東京都新宿区返戻町１－１")  # fmt: skip
        issued = make_pass(p[key], fiscal_year=2025)
        returns.record_return(issued, staff, on=date(2026, 1, 10))
        p[key].issued = issued
    corrections.update_resident(p["moved"], {"address": "東京都新宿区転居町２－２"}, staff)
    returns.resend(p["resent"].issued, staff)
    returned.clear_return(p["cleared"], staff, "電話で住所を確認した")
    stops.stop_mailing(p["both"], "returned_mail", staff)
    p["excluded"] = make_resident(name="除外\u3000太郎")
    make_pass(p["excluded"], fiscal_year=2024, method="counter")
    p["excluded"].status, p["excluded"].excluded_on = "excluded", date(2026, 1, 5)
    db.session.commit()
    p["issued"] = make_resident(name="交付済\u3000太郎")
    make_pass(p["issued"], fiscal_year=2024, method="counter")
    make_pass(p["issued"], fiscal_year=2026, method="counter", issued_on=date(2026, 3, 20))
    return p


def _by_no(people):
    return {x["resident_no"]: x for x in people}


def test_who_is_mailed_and_who_is_not(year, db):
    people, skipped = mass_mailing.select_people(2026, date(2026, 2, 28))
    mailed = {x["resident_no"] for x in people}
    assert mailed == {year[k].resident_no for k in ("old", "moved", "resent", "cleared")}
    reasons = {s["resident_no"]: s["reasons"] for s in skipped}
    assert reasons == {
        year["stopped"].resident_no: ["mail_stopped"],
        year["returned"].resident_no: ["returned_unresolved"],
        year["both"].resident_no: ["mail_stopped", "returned_unresolved"],
        year["excluded"].resident_no: ["excluded"],
        year["issued"].resident_no: ["already_issued"],
    }
    assert year["older"].resident_no not in mailed | set(reasons)
    assert _by_no(skipped)[year["stopped"].resident_no]["name"] == "停止\u3000花子"
    figures = mass_mailing.preview(2026, date(2026, 2, 28))
    # overlapping counts per reason, with the total of people
    assert figures["skipped"] == {"already_issued": 1, "excluded": 1, "excluded_after_cutoff": 0,
                                  "mail_stopped": 2, "returned_unresolved": 2, "no_address": 0}  # fmt: skip
    assert figures["not_mailed"] == 5
    assert figures["letters"] == 4


def test_since_fiscal_year_is_configurable(app, year, db, monkeypatch):
    monkeypatch.setitem(app.config, "MASS_MAILING_SINCE_FY", 2015)
    people, _skipped = mass_mailing.select_people(2026, date(2026, 2, 28))
    assert year["old"].resident_no not in {x["resident_no"] for x in people}
    monkeypatch.setitem(app.config, "MASS_MAILING_SINCE_FY", 2013)
    people, _skipped = mass_mailing.select_people(2026, date(2026, 2, 28))
    assert year["older"].resident_no in {x["resident_no"] for x in people}


def test_a_returned_letter_is_resolved_by_a_later_pass(year, make_pass, db):
    make_pass(year["returned"], fiscal_year=2025, kind="reissue", method="counter",
              issued_on=date(2026, 3, 1), reissue_reason="lost")  # fmt: skip
    people, _ = mass_mailing.select_people(2026, date(2026, 2, 28))
    assert year["returned"].resident_no in {x["resident_no"] for x in people}


def test_a_clearance_counts_only_for_the_return_it_cleared(year, user, frozen_clock, db):
    staff = user("staff")
    issued = year["cleared"].issued
    frozen_clock(date(2026, 3, 24))
    returns.resend(issued, staff)
    returns.record_return(issued, staff)  # came back again, after the clearance
    assert returned.unresolved_for(year["cleared"]) is not None
    with pytest.raises(Exception, match="理由を入力"):
        returned.clear_return(year["cleared"], staff, " ")
    with pytest.raises(Exception, match="解除する返戻がありません"):
        returned.clear_return(year["old"], staff, "確認済み")


def test_the_run_and_the_command_report_them(app, year, db, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["letters", "mass-mailing", "--fiscal-year", "2026",
                                 "--cutoff", "2026-02-28", "--out", str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["letters"] == 4
    assert summary["skipped"]["mail_stopped"] == 2
    assert summary["skipped"]["returned_unresolved"] == 2
    assert summary["not_mailed"] == 5


def _pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_not_mailed_pdf_and_excel(year, db, tmp_path):
    _people, skipped = mass_mailing.select_people(2026, date(2026, 2, 28))
    codes, label = mass_mailing.SKIP_REASONS, mass_mailing.reason_label
    pdf = notmailed.not_mailed_pdf(2026, date(2026, 2, 28), skipped, codes, label)
    text = _pdf_text(pdf)
    assert "一斉発送対象外者一覧" in text
    assert "令和8年度" in text
    assert "停止　花子" in text or "停止 花子" in text
    assert "送付停止・返戻未解決" in text
    if shutil.which("pdftotext"):
        path = tmp_path / "not_mailed.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
        assert year["returned"].resident_no in out
        for page in (1,):
            save_png(pdf, f"mailing-not-mailed-{page}", page=page, dpi=60)
    book = load_workbook(io.BytesIO(notmailed.not_mailed_xlsx(2026, date(2026, 2, 28), skipped,
                                                              codes, label)))  # fmt: skip
    people_sheet, totals = book.worksheets
    values = [[c.value for c in row] for row in people_sheet.iter_rows()]
    assert values[1] == ["基準日 令和8年2月28日\u3000発送しない人 5", None, None, None]
    header = values.index(["連番", "住民番号", "氏名", "理由"])
    rows = values[header + 1 :]
    assert len(rows) == 5
    assert [year["both"].resident_no, "送付停止・返戻未解決"] in [[r[1], r[3]] for r in rows]
    total_rows = [[c.value for c in row] for row in totals.iter_rows()]
    assert ["送付停止", 2] in total_rows
    assert total_rows[-1][1] == 5


def test_a_mailing_address_set_after_the_return_resolves_it(year, user, db):
    person = year["returned"]
    assert returned.unresolved_for(person) is not None
    corrections.update_resident(person, {"mail_name": "新宿ホーム", "mail_postal_code": "1600022",
                                         "mail_address": "東京都新宿区新宿１－１",
                                         "mail_reason": "facility"}, user("staff"))  # fmt: skip
    assert returned.unresolved_for(person) is None
    people, _ = mass_mailing.select_people(2026, date(2026, 2, 28))
    assert person.resident_no in {x["resident_no"] for x in people}
