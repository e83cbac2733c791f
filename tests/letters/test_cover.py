"""Cover letters (送付状): printed from a pass, from a selection, and from the command line."""

import re
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text as sql_text

from app.audit.models import AccessLog
from tests.factories import make_resident
from tests.letters.conftest import fonts_of, page_texts, pdf_text, save_png

MM = 72 / 25.4


def _words_with_boxes(pdf_bytes):
    """``[(word, xMin_mm, yMin_mm, xMax_mm, yMax_mm)]`` of page 1, by pdftotext -bbox."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf_bytes)
        out = subprocess.run(
            ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
            check=True,
            capture_output=True,
        ).stdout.decode()
    words = []
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    for x0, y0, x1, y1, word in re.findall(pattern, out):
        words.append((word, float(x0) / MM, float(y0) / MM, float(x1) / MM, float(y1) / MM))
    return words


def test_cover_letter_of_one_pass(login, march, mailed_pass, db):
    resident = make_resident(
        name="山田\u3000太郎", postal_code="1600004",
        address="東京都新宿区四谷１－２－３", address2="さくらハイツ１０１号室",
    )  # fmt: skip
    issuance = mailed_pass(resident, fiscal_year=2026, issued_on=march.date())
    client = login("staff")
    resp = client.get(f"/letters/cover/{issuance.id}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/pdf"
    pdf = resp.data
    text = pdf_text(pdf)
    assert "山田 太郎 様" in text or "山田\u3000太郎\u3000様" in text
    assert "〒160-0004" in text
    assert "東京都新宿区四谷１－２－３" in text
    assert "さくらハイツ１０１号室" in text
    assert f"整理番号 {issuance.control_no}" in text.replace("\u3000", " ")
    assert "令和8年3月23日" in text
    assert "令和8年4月1日から令和9年3月31日まで" in text
    assert "ふれあい入浴証の送付について" in text
    assert "1か月に4回まで無料" in text
    assert "地域包括ケア推進課" in text
    assert "03-0000-0001" in text
    fonts = {name.split("+")[-1]: emb for name, emb in fonts_of(pdf).items()}
    assert fonts.get("IPAexMincho") is True
    assert fonts.get("IPAexGothic") is True
    save_png(pdf, "letters-cover")
    logged = db.session.query(AccessLog).filter_by(action="letter.print").all()
    assert [(r.resident_no, r.username) for r in logged] == [(resident.resident_no, "staff")]


def test_the_address_sits_in_the_envelope_window(login, march, mailed_pass):
    resident = make_resident(
        name="長い名前" * 12, postal_code="1690072",
        address="東京都新宿区大久保三丁目十四番二十二号" * 4, address2="グリーンマンション" * 5,
    )  # fmt: skip
    issuance = mailed_pass(resident, fiscal_year=2026, issued_on=march.date())
    pdf = login("staff").get(f"/letters/cover/{issuance.id}").data
    assert len(page_texts(pdf)) == 1
    words = _words_with_boxes(pdf)
    postal = next(w for w in words if w[0].startswith("〒"))
    assert 21 <= postal[1] <= 26, postal
    assert 12 <= postal[2] <= 20, postal
    # every word of the address block stays inside the 90 × 45 mm window
    window = [w for w in words if w[1] < 115 and w[2] < 62]
    assert any("様" in w[0] for w in window)
    for word, x0, _y0, x1, y1 in window:
        assert x0 >= 22, (word, x0, x1)
        assert x1 <= 113.5, (word, x0, x1)
        assert y1 <= 60.5, (word, y1)
    save_png(pdf, "letters-cover-long-address")


def test_gaiji_and_missing_glyphs_print_as_geta(login, march, mailed_pass, app):
    resident = make_resident(name="渡\ue000\u3000𠮷子😀", has_gaiji=True)
    issuance = mailed_pass(resident, fiscal_year=2026, issued_on=march.date())
    client = login("staff")
    text = pdf_text(client.get(f"/letters/cover/{issuance.id}").data)
    assert "渡〓 〓子〓 様" in text.replace("\u3000", " ")
    previous = app.config["PDF_GAIJI_MAP"]
    app.config["PDF_GAIJI_MAP"] = {"\ue000": "邊"}
    try:
        text = pdf_text(client.get(f"/letters/cover/{issuance.id}").data)
    finally:
        app.config["PDF_GAIJI_MAP"] = previous
    assert "渡邊" in text


def test_counter_pass_has_no_cover_letter(login, march, mailed_pass, db):
    issuance = mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date(),
                           method="counter")  # fmt: skip
    resp = login("staff").get(f"/letters/cover/{issuance.id}", follow_redirects=True)
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "窓口で交付されたため、送付状はありません" in resp.get_data(as_text=True)
    assert db.session.query(AccessLog).filter_by(action="letter.print").count() == 0


def test_branch_staff_cannot_print_letters(login, march, mailed_pass):
    issuance = mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date())
    assert login("branch").get(f"/letters/cover/{issuance.id}").status_code == 403
    assert login("auditor").get(f"/letters/cover/{issuance.id}").status_code == 403


def test_many_letters_from_a_selection_in_postal_code_order(login, march, mailed_pass, db):
    people = [
        make_resident(name=f"試験\u3000{n}", postal_code=code)
        for n, code in (("一", "1690075"), ("二", "1600004"), ("三", "1620052"))
    ]
    ids = [mailed_pass(p, fiscal_year=2026, issued_on=march.date()).id for p in people]
    resp = login("supervisor").post("/letters/covers", data={"issuance_ids": ids})
    assert resp.status_code == 200
    pages = page_texts(resp.data)
    assert len(pages) == 3
    codes = [re.search(r"〒(\d{3}-\d{4})", page).group(1) for page in pages]
    assert codes == ["160-0004", "162-0052", "169-0075"]
    (logged,) = db.session.query(AccessLog).filter_by(action="letter.print").all()
    assert logged.detail["letters"] == 3
    named = db.session.execute(
        sql_text("SELECT resident_no FROM access_log_person WHERE log_id = :id"),
        {"id": logged.id},
    ).scalars()
    assert sorted(named) == sorted(p.resident_no for p in people)


def test_cover_command(app, march, mailed_pass, tmp_path, db):
    issuance = mailed_pass(make_resident(name="試験\u3000一郎"), fiscal_year=2026,
                           issued_on=march.date())  # fmt: skip
    out = tmp_path / "cover.pdf"
    result = app.test_cli_runner().invoke(
        args=["letters", "cover", str(issuance.control_no), "--fiscal-year", "2026",
              "--out", str(out)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "試験 一郎 様" in pdf_text(out.read_bytes()).replace("\u3000", " ")
    missing = app.test_cli_runner().invoke(
        args=["letters", "cover", "99999", "--fiscal-year", "2026", "--out", str(out)]
    )
    assert missing.exit_code == 2


def test_the_pass_page_links_to_its_cover_letter(login, march, mailed_pass):
    mailed = mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date())
    counter = mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date(),
                          method="counter")  # fmt: skip
    staff = login("staff")
    assert f"/letters/cover/{mailed.id}" in staff.get(f"/issuances/{mailed.id}").get_data(
        as_text=True
    )
    assert "/letters/cover/" not in staff.get(f"/issuances/{counter.id}").get_data(as_text=True)
    branch_page = login("branch").get(f"/issuances/{mailed.id}").get_data(as_text=True)
    assert "/letters/cover/" not in branch_page


def test_the_pass_list_prints_the_letters_of_the_mailed_passes_shown(login, march, mailed_pass):
    mailed = [mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date())
              for _ in range(2)]  # fmt: skip
    mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date(), method="counter")
    page = login("staff").get("/issuances/?fy=2026").get_data(as_text=True)
    assert 'action="/letters/covers"' in page
    for issuance in mailed:
        assert f'name="issuance_ids" value="{issuance.id}"' in page
    assert page.count('name="issuance_ids"') == 2
    assert 'action="/letters/covers"' not in login("branch").get("/issuances/?fy=2026").get_data(
        as_text=True
    )
