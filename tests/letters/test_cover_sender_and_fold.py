"""The 送付状's text for a pass of the current year, its sender, and where the
sheet is folded (issue 11, item 16)."""

import re
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest

from app.passes import returns
from app.passes.issuance import issue_pass
from tests.factories import make_resident
from tests.letters.conftest import page_texts, pdf_text, save_png

MM = 72 / 25.4
_WORD = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
# A4 folded in three for a 長3 envelope.
FOLDS_MM = (99, 198)
SENDER = {
    "WARD_NAME": "試験区",
    "WARD_SECTION_NAME": "福祉部\u3000試験課",
    "WARD_POSTAL_CODE": "1609999",
    "WARD_ADDRESS": "東京都試験区本町九丁目9番9号",
    "WARD_PHONE": "03-9999-0000",
}


def _flat(text):
    """The text without any space or line break (Japanese wraps anywhere)."""
    return "".join(text.split())


def words(pdf_bytes, page=1):
    """``[(word, x0, y0, x1, y1)]`` in mm of one page, by pdftotext -bbox."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf_bytes)
        out = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
            check=True, capture_output=True,
        ).stdout.decode()  # fmt: skip
    return [
        (w, float(x0) / MM, float(y0) / MM, float(x1) / MM, float(y1) / MM)
        for x0, y0, x1, y1, w in re.findall(_WORD, out)
    ]


@pytest.fixture
def sender(app):
    previous = {k: app.config.get(k) for k in SENDER}
    app.config.update(SENDER)
    yield SENDER
    app.config.update(previous)


def _letter(client, issuance):
    resp = client.get(f"/letters/cover/{issuance.id}")
    assert resp.headers["Content-Type"] == "application/pdf", resp.get_data(as_text=True)[:300]
    return resp.data


def test_a_renewal_mailed_during_its_year_is_not_called_next_years(
    login, mailed_pass, frozen_clock, db
):
    frozen_clock(datetime(2025, 6, 10, 10, 0))
    issuance = mailed_pass(make_resident(), fiscal_year=2025, issued_on=date(2025, 6, 10),
                           kind="renewal")  # fmt: skip
    pdf = _letter(login("staff"), issuance)
    save_png(pdf, "letters-cover-renewal-in-year")
    text = _flat(pdf_text(pdf))
    assert "新年度" not in text
    assert "令和7年度の入浴証をお送りします" in text
    assert "ふれあい入浴証の送付について" in text
    assert "令和7年4月1日から令和8年3月31日まで" in text


def test_the_march_mailing_of_next_years_pass_is_the_new_years(login, march, mailed_pass, db):
    issuance = mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date(),
                           kind="renewal")  # fmt: skip
    text = _flat(pdf_text(_letter(login("staff"), issuance)))
    assert "新年度のふれあい入浴証の送付について" in text
    assert "新年度の入浴証をお送りします" in text


def test_the_letter_gives_the_senders_address(login, march, mailed_pass, sender, db):
    issuance = mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date())
    pdf = _letter(login("staff"), issuance)
    save_png(pdf, "letters-cover-sender")
    box = [w for w in words(pdf) if w[1] >= 118 and w[4] <= 60]
    lines = {}
    for word, _x0, y0, _x1, _y1 in box:
        lines.setdefault(round(y0), []).append(word)
    shown = [" ".join(ws) for _y, ws in sorted(lines.items())]
    assert shown[0] == "令和8年3月23日"
    assert shown[1:] == ["試験区 福祉部 試験課", "〒160-9999 東京都試験区本町九丁目9番9号",
                         "電話 03-9999-0000"]  # fmt: skip


def test_a_long_sender_is_cut_to_its_box_and_the_letter_stays_one_page(
    login, march, mailed_pass, sender, app, db
):
    app.config["WARD_SECTION_NAME"] = "とても長い部署の名前" * 6
    app.config["WARD_ADDRESS"] = "東京都試験区本町九丁目九番九号試験ビル" * 5
    issuance = mailed_pass(make_resident(), fiscal_year=2026, issued_on=march.date())
    pdf = _letter(login("staff"), issuance)
    save_png(pdf, "letters-cover-long-sender")
    assert len(page_texts(pdf)) == 1
    box = [w for w in words(pdf) if w[1] >= 118 and w[2] < 70]
    assert all(w[3] <= 189 and w[4] <= 60 for w in box), box
    assert any("…" in w[0] for w in box)
    assert any("03-9999-0000" in w[0] for w in box)


def _check_folds(pdf):
    """No line of text lies across a fold; the pass's table starts below the first."""
    page = words(pdf)
    for fold in FOLDS_MM:
        across = [w for w in page if w[2] - 1 < fold < w[4] + 1]
        assert not across, (fold, across)
    table = [w for w in page if w[0] in ("入浴証", "有効期間")]
    assert len(table) == 2, page
    # the table's top border sits about 2 mm above its first line
    assert min(w[2] for w in table) >= FOLDS_MM[0] + 3, table
    title = next(w for w in page if w[0].endswith("について"))
    assert title[4] < FOLDS_MM[0], title


@pytest.mark.parametrize("kind", ["new", "renewal", "reissue", "resend"])
def test_no_fold_crosses_the_text_or_the_table(
    login, march, mailed_pass, offices, user, sender, db, kind
):
    resident = make_resident()
    first = "renewal" if kind == "renewal" else "new"
    issuance = mailed_pass(resident, fiscal_year=2026, issued_on=march.date(), kind=first)
    if kind == "reissue":
        issuance = issue_pass(resident, kind="reissue", reissue_reason="damaged",
                              applied_on=march.date(), issued_on=march.date(),
                              office=offices["HQ"], method="mail", user=user("staff"),
                              fiscal_year=2026)  # fmt: skip
    if kind == "resend":
        returns.record_return(issuance, user("staff"))
        returns.resend(issuance, user("staff"))
    pdf = _letter(login("staff"), issuance)
    save_png(pdf, f"letters-cover-fold-{kind}")
    assert len(page_texts(pdf)) == 1
    _check_folds(pdf)
