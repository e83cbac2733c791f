"""The お知らせ postcard read back: two pages per person of 100 × 148 mm
(283.46 × 419.53 pt), the fonts embedded, the address side and the message
side as a resident reads them."""

import io
import shutil
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from app.notices import postcard

POSTCARD_PT = (283.46, 419.53)


def _text(page):
    return "".join(page.extract_text().split())


def _fonts(reader):
    found = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found[str(font["/BaseFont"]).lstrip("/")] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return found


@pytest.fixture
def destinations():
    return [
        {"name": "葉書\u3000一郎", "postal_code": "1600022",
         "address": "東京都新宿区新宿１－１－１", "address2": "ハガキマンション１０１号",
         "care_of": None},
        {"name": "葉書\u3000花子", "postal_code": "1690075",
         "address": "東京都新宿区高田馬場二丁目３番４号", "address2": "",
         "care_of": "ひまわりホーム\u3000気付"},
    ]  # fmt: skip


def test_postcards_read_back(db, destinations, frozen_clock):
    frozen_clock(date(2026, 4, 16))
    pdf = postcard.render_postcards(destinations)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 4  # two sides each
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == POSTCARD_PT
    first, message = _text(reader.pages[0]), _text(reader.pages[1])
    assert "郵便はがき" in first
    assert "料金後納郵便" in first
    assert "〒160-0022" in first
    assert "東京都新宿区新宿１－１－１" in first
    assert "ハガキマンション１０１号" in first
    assert "葉書一郎様" in first
    assert "差出人" in first
    assert "地域包括ケア推進課" in first
    assert "〒160-0000" in first
    assert "ふれあい入浴証のご案内" in message
    assert "月4回まで無料" in message
    assert "申請に必要なもの" in message
    assert "本人確認書類" in message
    assert "四谷・箪笥町" in message
    assert "角筈" in message
    assert "03-0000-0001" in message
    assert "令和8年4月16日" in message
    second = _text(reader.pages[2])
    assert "ひまわりホーム気付" in second
    assert "葉書花子様" in second
    assert "葉書一郎" not in second
    fonts = {name.split("+")[-1]: embedded for name, embedded in _fonts(reader).items()}
    assert fonts["IPAexMincho"], fonts
    assert fonts["IPAexGothic"], fonts
    # ReportLab's page default, in which nothing is written; no other font
    assert set(fonts) == {"IPAexMincho", "IPAexGothic", "Helvetica"}, fonts


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_fonts_are_embedded_by_pdffonts(db, destinations, tmp_path):
    path = tmp_path / "cards.pdf"
    path.write_bytes(postcard.render_postcards(destinations[:1]))
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]  # fmt: skip
    ours = [line for line in lines if "IPAex" in line]
    assert ours, lines
    assert all(line.split()[-5] == "yes" for line in ours), lines
    assert len(lines) - len(ours) == 1, lines
    assert lines[0].startswith("Helvetica"), lines


def test_long_address_still_two_pages(db):
    long = {"name": "長い名前の方" * 4, "postal_code": "1600022",
            "address": "東京都新宿区西新宿二丁目八番一号" * 4,
            "address2": "都庁第一本庁舎" * 4, "care_of": None}  # fmt: skip
    reader = PdfReader(io.BytesIO(postcard.render_postcards([long])))
    assert len(reader.pages) == 2
    assert "様" in _text(reader.pages[0])
