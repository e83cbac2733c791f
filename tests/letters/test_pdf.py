"""The PDF engine: fonts, printable text, measured lines, and what xhtml2pdf may read."""

import builtins
import os
import pathlib

import pytest

from app.letters import printing
from app.letters.pdf import html_to_pdf, render_pdf, settings_from_config
from tests.letters.conftest import fonts_of, pdf_text

HOSTILE = '<img src="file:///etc/passwd">'


@pytest.fixture
def settings(app):
    return settings_from_config(app.config)


def test_for_print_replaces_what_the_font_cannot_draw(settings):
    assert settings.printable("渡\ue000辺") == "渡〓辺"
    assert settings.printable("𠮷野 😀") == "〓野 〓"
    assert settings.printable("髙橋\u3000﨑") == "髙橋\u3000﨑"
    # variation selectors and control characters vanish, line breaks become spaces
    assert settings.printable("葛\U000e0100城\x07\n町") == "葛城 町"
    assert settings.printable(None) == ""
    mapped = printing.for_print("渡\ue000", settings.glyphs, {"\ue000": "辺"})
    assert mapped == "渡辺"


def test_fit_lines_cut_long_text_with_an_ellipsis(settings):
    text = "東京都新宿区西新宿二丁目八番一号" * 10
    lines = printing.fit_lines(text, settings.gothic, 10.5, 86, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    for line in lines:
        assert printing.text_width(line, settings.gothic, 10.5) <= 86 * 72 / 25.4
    assert printing.fit_lines("短い", settings.gothic, 10.5, 86, 2) == ["短い"]
    assert printing.fit_lines("", settings.gothic, 10.5, 86, 2) == []


def test_fonts_are_embedded(app, db):
    with app.test_request_context():
        pdf = render_pdf("pdf/checklist.html", {
            "title": "試験", "date": "令和8年3月23日", "office": "本庁", "with_office": False,
            "pages": [], "columns": (), "page_total": 1, "count": 0, "mass_mailing": 0,
            "totals": {}, "printed_at": "",
        })  # fmt: skip
    fonts = fonts_of(pdf)
    names = {name.split("+")[-1]: embedded for name, embedded in fonts.items()}
    assert names.get("IPAexGothic") is True
    assert "該当する処理はありません" in pdf_text(pdf)


def _watch_reads(monkeypatch):
    """Record every path opened for reading during the test."""
    opened = []
    real_open, real_read_bytes = builtins.open, pathlib.Path.read_bytes

    def spy_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def spy_read_bytes(self):
        opened.append(str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(pathlib.Path, "read_bytes", spy_read_bytes)
    return opened


def test_markup_in_the_template_cannot_read_files_or_the_network(settings, monkeypatch, no_network):
    opened = _watch_reads(monkeypatch)
    refused = []
    html = (
        "<html><head><style>@import url('/etc/hosts');"
        "@font-face { font-family: X; src: url('/etc/passwd.ttf'); }</style></head><body>"
        '<img src="file:///etc/passwd"><img src="/etc/passwd">'
        '<img src="../../../../etc/passwd"><img src="http://169.254.169.254/latest/">'
        "<p>本文</p></body></html>"
    )
    pdf = html_to_pdf(html, settings, refused=refused)
    assert pdf.startswith(b"%PDF")
    assert not [p for p in opened if p.startswith("/etc/")]
    assert {"file:///etc/passwd", "/etc/passwd", "http://169.254.169.254/latest/"} <= set(refused)


def test_a_hostile_name_is_printed_literally(app, db, settings, monkeypatch, no_network):
    from app.letters.covers import TEMPLATE, build_letter

    def boom(*args):
        raise AssertionError("os.system called")

    monkeypatch.setattr(os, "system", boom)
    opened = _watch_reads(monkeypatch)
    destination = {
        "name": HOSTILE,
        "postal_code": "1600004",
        "address": "<script>alert(1)</script>[[[os.system('x')]]]",
        "address2": "",
        "care_of": None,
    }
    office = {"name": "地域包括ケア推進課", "phone": "03-0000-0001", "address": None}
    with app.test_request_context():
        from datetime import date

        letter = build_letter(settings, kind="new", fiscal_year=2026, control_no=7,
                              letter_date=date(2026, 4, 1), destination=destination,
                              office=office)  # fmt: skip
        pdf = render_pdf(TEMPLATE, {"letters": [letter], "layer": "all"})
    text = pdf_text(pdf)
    assert HOSTILE in text
    assert "<script>alert(1)</script>[[[os.system('x')]]]" in text
    assert not [p for p in opened if p.startswith("/etc/")]
