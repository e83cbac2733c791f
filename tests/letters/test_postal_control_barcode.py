"""The 整理番号's Code 128 on a letter: decoded from the bars drawn into the PDF,
it is the text the returns screen's ``find_pass`` takes from a scanner."""

import io

from pypdf import PdfReader
from reportlab.graphics.barcode.code128 import _patterns

from app.letters import covers
from app.passes.returns import find_pass
from tests.factories import make_resident

MM = 72 / 25.4
MODULE_MM = 0.25
START = {103: "A", 104: "B", 105: "C"}
STOP = 106
_BY_WIDTHS = {
    tuple(ord(c.upper()) - ord("A") + 1 for c in pattern): value
    for value, pattern in _patterns.items()
    if isinstance(value, int)
}


def _code128_runs(pdf_bytes):
    """Bar and space widths in modules of the 5 mm high bars, left to right
    (the stop code's last bar included)."""
    rects = []

    def visit(op, args, cm, _tm):
        if op == b"re":
            x, w, h = (float(v) for v in (args[0], args[2], args[3]))
            # the bars, not the white ground ReportLab draws under them
            if abs(abs(h * cm[3]) / MM - 5) < 0.05 and abs(w) / MM <= 4 * MODULE_MM + 0.01:
                rects.append((cm[0] * x + cm[4], abs(cm[0] * w)))

    PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text(visitor_operand_before=visit)
    rects.sort()
    runs = []
    for i, (x, w) in enumerate(rects):
        if i:
            prev_x, prev_w = rects[i - 1]
            runs.append(round((x - prev_x - prev_w) / MM / MODULE_MM))
        runs.append(round(w / MM / MODULE_MM))
    return runs


def decode_code128(runs):
    """The text of a Code 128 symbol (sets B and C), its check verified."""
    values = [_BY_WIDTHS[tuple(runs[i : i + 6])] for i in range(0, len(runs) - 7, 6)]
    assert values[0] in START
    assert len(runs) % 6 == 1  # the stop code is 7 bars and spaces
    check = values[-1]
    assert (values[0] + sum(i * v for i, v in enumerate(values[1:-1], 1))) % 103 == check
    text, code_set = "", START[values[0]]
    for value in values[1:-1]:
        if code_set == "C" and value < 100:
            text += f"{value:02d}"
        elif code_set == "C" and value == 100:
            code_set = "B"
        elif code_set == "B" and value == 99:
            code_set = "C"
        else:
            text += chr(value + 32)
    return text


def test_the_scanned_control_number_finds_the_pass(app, db, march, mailed_pass):
    person = make_resident(name="返戻\u3000花子", postal_code="1600023",
                           address="東京都新宿区西新宿２－８－１")  # fmt: skip
    issuance = mailed_pass(person, fiscal_year=2025)
    with app.test_request_context():
        pdf = covers.print_cover_letters([issuance], username="test")
    scanned = decode_code128(_code128_runs(pdf))
    assert scanned == f"2025-{issuance.control_no}"
    # what the scanner types is found, in any default year of the screen
    assert find_pass(scanned, 2026).id == issuance.id
    assert find_pass(f" {scanned}\n", 2024).id == issuance.id
