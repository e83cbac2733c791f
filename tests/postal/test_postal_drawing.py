"""The barcodes drawn into the letters' PDFs, read back from the content stream:
every bar where and as big as the manual says, inside the envelope window with
its clear zones; the 整理番号's Code 128 outside the window."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from app.letters import covers
from app.letters.barcodes import WINDOW_FULL, control_barcode_text, cover_letter_overlay
from app.letters.pdf import render_pdf, settings_from_config
from app.passes.parsing import parse_control_input
from app.postal import encode
from tests.letters.conftest import save_png

MM = 72 / 25.4
PAGE_HEIGHT_MM = 297
# The 長3 envelope's window on the folded sheet (see pdf/cover_letter.html).
WINDOW = {"left": 23, "top": 15, "right": 113, "bottom": 60}
SHIFT = 2  # how far the sheet may move in the envelope, each way
OFFICE = {"name": "地域包括ケア推進課", "phone": "03-0000-0001", "address": ""}

POSTAL, ADDRESS = "1600023", "東京都新宿区西新宿２－８－１"
ADDRESS2 = "都庁ハイツ３０５号室"


def rectangles(pdf_bytes, page=0):
    """Every filled rectangle of a page: ``(x, top, width, height)`` in mm from
    the page's top left, by the operators of its content stream."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    out = []

    def visit(op, args, cm, tm):
        if op == b"re":
            a, b, c, d, e, f = cm
            x, y, w, h = (float(v) for v in args)
            # the bars are drawn unrotated: scale and translate only
            x0, y0 = a * x + e, d * y + f
            x1, y1 = a * (x + w) + e, d * (y + h) + f
            left, right = sorted((x0, x1))
            low, high = sorted((y0, y1))
            out.append(
                (left / MM, PAGE_HEIGHT_MM - high / MM, (right - left) / MM, (high - low) / MM)
            )

    reader.pages[page].extract_text(visitor_operand_before=visit)
    return out


def _baseline_of(pdf_bytes, start, page=0):
    """How far from the top (mm) the baseline of the text holding ``start`` is."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if start in text:
            found.append(PAGE_HEIGHT_MM - (tm[5] * cm[3] + cm[5]) / MM)

    PdfReader(io.BytesIO(pdf_bytes)).pages[page].extract_text(visitor_text=visit)
    return found[0]


def letter(settings, **destination):
    dest = {"name": "新宿 花子", "postal_code": POSTAL, "address": ADDRESS,
            "address2": ADDRESS2, "care_of": None, **destination}  # fmt: skip
    return covers.build_letter(
        settings, kind="new", fiscal_year=2026, control_no=123,
        letter_date=date(2026, 4, 1), destination=dest, office=OFFICE,
    )  # fmt: skip


@pytest.fixture
def settings(app):
    return settings_from_config(app.config)


def _render(app, letters):
    """The letters as the screens print them (covers.print_cover_letters)."""
    overlays = [cover_letter_overlay(one) for one in letters]
    with app.test_request_context():
        return render_pdf(covers.TEMPLATE, {"letters": letters, "layer": "all"}, overlays=overlays)


def _bars_of(rects):
    """The customer barcode's bars: 0.6 mm wide rectangles, left to right."""
    bars = [r for r in rects if abs(r[2] - 0.6) < 0.02 and r[3] <= 3.7]
    return sorted(bars)


def test_the_bars_are_drawn_where_and_as_big_as_the_manual_says(app, db, settings):
    pdf = _render(app, [letter(settings)])
    bars = _bars_of(rectangles(pdf))
    expected = encode(POSTAL, f"{ADDRESS} {ADDRESS2}").bars
    assert len(bars) == 67
    top = min(b[1] for b in bars)
    bottom = max(b[1] + b[3] for b in bars)
    assert bottom - top == pytest.approx(3.6, abs=0.02)
    kinds = ""
    for i, (x, y, width, height) in enumerate(bars):
        assert x - bars[0][0] == pytest.approx(1.2 * i, abs=0.02)  # the pitch
        assert width == pytest.approx(0.6, abs=0.02)
        starts_top = abs(y - top) < 0.05
        ends_bottom = abs(y + height - bottom) < 0.05
        kinds += {
            (True, True): "F", (True, False): "A", (False, True): "D", (False, False): "T",
        }[(starts_top, ends_bottom)]  # fmt: skip
        assert height == pytest.approx(
            {"F": 3.6, "A": 2.4, "D": 2.4, "T": 1.2}[kinds[-1]], abs=0.02
        )
    assert kinds == expected
    # Inside the window with 2 mm clear all round, even with the sheet moved 2 mm.
    left, right = bars[0][0], bars[-1][0] + 0.6
    assert left - WINDOW["left"] >= 2 + SHIFT - 0.01
    assert WINDOW["right"] - right >= 2 + SHIFT
    assert WINDOW["bottom"] - bottom >= 2 + SHIFT
    assert top - _baseline_of(pdf, "整理番号") >= 2 + 0.4
    assert right - left == pytest.approx(79.8, abs=0.05)


def test_the_barcode_fits_under_three_address_lines(app, db, settings):
    three = letter(settings, address="東京都新宿区西新宿二丁目八番一号" * 2,
                   name="長い名前" * 10)  # fmt: skip
    assert len(three["address_lines"]) == 3
    pdf = _render(app, [three, letter(settings)])
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    bars = _bars_of(rectangles(pdf, 0))
    assert len(bars) == 67
    assert max(b[1] + b[3] for b in bars) <= WINDOW["bottom"] - 2 - SHIFT
    # 2 mm of nothing above the bars: the lowest text is the 整理番号 line,
    # whose glyphs reach 0.12 em (0.4 mm) below its baseline
    assert min(b[1] for b in bars) - _baseline_of(pdf, "整理番号") >= 2 + 0.4
    save_png(pdf, "postal_barcode_three_lines", dpi=150)


def test_a_full_window_keeps_the_address_and_goes_without(app, db, settings):
    long = "東京都新宿区西新宿二丁目八番一号" * 6
    full = letter(settings, address=long, address2="さくらハイツ" * 6 + "３０５号室",
                  care_of="新宿 太郎　様方", name="長い名前" * 10)  # fmt: skip
    assert full["postal_barcode"] == ""
    assert full["postal_barcode_reason"] == WINDOW_FULL
    pdf = _render(app, [full, letter(settings)])
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert _bars_of(rectangles(pdf, 0)) == []
    assert len(_bars_of(rectangles(pdf, 1))) == 67


def test_without_a_postal_code_the_letter_prints_without_a_barcode(app, db, settings):
    one = letter(settings, postal_code="")
    assert one["postal_barcode"] == ""
    assert one["postal_barcode_reason"] == "郵便番号（7けた）がありません。"
    pdf = _render(app, [one])
    assert _bars_of(rectangles(pdf)) == []
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_the_control_number_barcode_is_outside_the_window_and_reads_back(app, db, settings):
    one = letter(settings)
    assert one["control_barcode"] == "2026-123"
    # what the scanner types is what the returns screen parses
    assert parse_control_input(one["control_barcode"], 2025) == (2026, 123)
    assert parse_control_input(control_barcode_text(2027, 9), 2026) == (2027, 9)
    pdf = _render(app, [one])
    code128 = [r for r in rectangles(pdf) if r[3] == pytest.approx(5, abs=0.05)]
    assert len(code128) > 20
    for x, y, _width, _h in code128:
        outside = x >= WINDOW["right"] or y >= WINDOW["bottom"]
        assert outside, (x, y)
    save_png(pdf, "postal_barcode_letter", dpi=150)


def test_the_postcard_carries_the_barcode_under_the_name(app, db):
    from app.notices import postcard

    long = {"name": "長い名前" * 10, "postal_code": POSTAL, "address": "東京都新宿区西新宿二丁目八番一号" * 6,
            "address2": ADDRESS2, "care_of": "新宿 太郎　様方"}  # fmt: skip
    none = {**long, "postal_code": "", "care_of": None}
    with app.test_request_context():
        pdf = postcard.render_postcards([long, none])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 4
    height = float(reader.pages[0].mediabox.height) / MM
    bars = [(x, y - (PAGE_HEIGHT_MM - height), w, h) for x, y, w, h in _bars_of(rectangles(pdf))]
    assert len(bars) == 67
    assert [len(_bars_of(rectangles(pdf, page))) for page in (1, 2, 3)] == [0, 0, 0]
    top = min(b[1] for b in bars)
    # the name's glyphs reach 0.12 em (0.55 mm at 13 pt) below its baseline
    name_baseline = _baseline_of(pdf, "長い名前") - (PAGE_HEIGHT_MM - height)
    assert top - name_baseline >= 2 + 0.55
    assert bars[0][0] >= 9 - 0.01
    assert bars[-1][0] + 0.6 <= 100 - 2
    save_png(pdf, "postal_barcode_postcard", dpi=150)
