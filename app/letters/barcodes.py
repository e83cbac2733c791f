"""The barcodes printed on letters, stamped as vectors onto the rendered pages.

Two, each a set of filled rectangles added to the page's content stream after
xhtml2pdf has laid the page out (:func:`app.letters.pdf.render_pdf` and the
mass mailing's :func:`app.letters.pdf.render_batch` take the per-page
overlays :func:`cover_letter_overlay` makes):

* the Japan Post customer barcode (:func:`app.postal.encode`) at the manual's
  10 pt — bars 0.6 mm wide at a 1.2 mm pitch, 3.6 mm high, 79.8 mm long —
  under the addressee's name inside the envelope window, at the place
  :data:`COVER_BARCODE` (see :func:`with_barcodes` for the clear zones);
  and on the お知らせ postcards under the addressee (:func:`postcard_overlays`);
* the 整理番号 as Code 128 from ReportLab's own barcode module, small and
  outside the window (:data:`COVER_CONTROL`), carrying the text of
  :func:`control_barcode_text`, which the returns screen's
  :func:`app.passes.returns.find_pass` reads as a scanner types it.

Why stamped and not laid out by xhtml2pdf (``<pdf:barcode>``): a barcode as
one more element of the window made each letter of the mass mailing 30–40 %
slower to lay out (measured, bench/barcode.py); rectangles written into the
content stream cost a fraction of a millisecond.  No Flask imports: the mass
mailing's rendering processes use this module too.
"""

import logging
from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm

from app.postal import NoBarcode, bar_rectangles, encode

log = logging.getLogger(__name__)

__all__ = [
    "COVER_BARCODE",
    "COVER_CONTROL",
    "POSTCARD_BARCODE",
    "WINDOW_FULL",
    "Place",
    "barcode_context",
    "code128_rectangles",
    "control_barcode_text",
    "cover_letter_overlay",
    "overlay",
    "postcard_overlays",
    "with_barcodes",
]

A4_HEIGHT_MM = 297.0
# Why a letter whose window is full prints without a customer barcode.
WINDOW_FULL = "宛先が窓の行数いっぱいで、バーコードの余白が取れません。"


@dataclass(frozen=True)
class Place:
    """Where a barcode goes: its top left corner, in mm from the page's top left."""

    left: float
    top: float


# The 長3 envelope's window on the folded sheet is 23–113 mm from the left and
# 15–60 mm from the top (pdf/cover_letter.html).  The customer barcode's
# 79.8 × 3.6 mm keep 4 mm from the window's left, right (6.2 mm) and bottom
# edges — the manual's 2 mm clear zone even when the sheet moves 2 mm in the
# envelope — and 2 mm below the lowest text the window can hold while a
# barcode is printed (the 整理番号 line of a window with four lines above the
# name: its baseline 49.7 mm from the top).
COVER_BARCODE = Place(left=27.0, top=52.3)
# The 整理番号's Code 128: right of the window, above the letter's title.
COVER_CONTROL = Place(left=150.0, top=61.0)
# The お知らせ postcard (100 × 148 mm, pdf/notice_postcard.html): under the
# addressee, in the room the template keeps there — 2 mm and more below the
# name however many lines the address takes (its lowest baseline, under four
# lines, is 66.0 mm from the top), 9 mm from the left like the address.
POSTCARD_BARCODE = Place(left=9.0, top=70.0)
POSTCARD_HEIGHT_MM = 148.0
CONTROL_MODULE_MM = 0.25
CONTROL_HEIGHT_MM = 5.0


def control_barcode_text(fiscal_year, control_no):
    """What the 整理番号's Code 128 carries: ``2026-123`` (the year and the
    number, as the returns screen reads it)."""
    return f"{int(fiscal_year)}-{int(control_no)}"


def barcode_context(postal_code, address, address2=None):
    """The customer barcode of a destination for the letter's context:
    ``{"postal_barcode": bars or "", "postal_barcode_reason": why not or ""}``."""
    full = " ".join(x for x in (address, address2) if x)
    try:
        return {"postal_barcode": encode(postal_code, full).bars, "postal_barcode_reason": ""}
    except NoBarcode as exc:
        return {"postal_barcode": "", "postal_barcode_reason": exc.reason}


def with_barcodes(letter, destination, fiscal_year, control_no, max_lines):
    """``letter`` (a letter's context) with its barcodes' keys:
    ``postal_barcode``, ``postal_barcode_reason`` and ``control_barcode``.

    The customer barcode takes the room of one line of the window (its
    3.6 mm and the clear zones): a window whose address, care-of and 担当 lines
    already fill the ``max_lines`` lines keeps the whole address, and the
    letter goes without a barcode, saying why.
    """
    context = barcode_context(
        destination.get("postal_code"), destination.get("address"), destination.get("address2")
    )
    used = len(letter.get("address_lines") or ()) + sum(
        1 for key in ("care_of", "contact") if letter.get(key)
    )
    if context["postal_barcode"] and used >= max_lines:
        context = {"postal_barcode": "", "postal_barcode_reason": WINDOW_FULL}
    control = control_barcode_text(fiscal_year, control_no) if control_no else ""
    return {**letter, **context, "control_barcode": control}


class _Recorder:
    """Stands in for a canvas: keeps the rectangles a ReportLab barcode draws."""

    def __init__(self):
        self.rects = []

    def rect(self, x, y, width, height, **_kw):
        self.rects.append((x, y, width, height))

    def __getattr__(self, _name):  # colours, state: nothing to record
        return lambda *args, **kw: None


def code128_rectangles(text, module_mm=CONTROL_MODULE_MM, height_mm=CONTROL_HEIGHT_MM):
    """The bars of ``text`` as Code 128 (ReportLab's), ``(x, y, w, h)`` in mm
    from the symbol's bottom left, quiet zones included in the x."""
    symbol = Code128(text, barWidth=module_mm * mm, barHeight=height_mm * mm, humanReadable=0)
    recorder = _Recorder()
    symbol.canv = recorder
    symbol.draw()
    return [(x / mm, y / mm, w / mm, h / mm) for x, y, w, h in recorder.rects]


def _ops(rects, place, page_height_mm):
    """PDF operators filling ``rects`` (mm, from a symbol's bottom left) with
    the symbol's top left corner at ``place``."""
    height = max(y + h for _x, y, _w, h in rects)
    bottom = page_height_mm - place.top - height
    return "".join(
        f"{(place.left + x) * mm:.3f} {(bottom + y) * mm:.3f} {w * mm:.3f} {h * mm:.3f} re\n"
        for x, y, w, h in rects
    )


def overlay(parts, page_height_mm=A4_HEIGHT_MM):
    """One page's overlay: the content-stream bytes drawing every
    ``(rectangles, place)`` of ``parts`` in black; ``b""`` for none."""
    body = "".join(_ops(rects, place, page_height_mm) for rects, place in parts if rects)
    return f"q 0 g\n{body}f\nQ\n".encode("ascii") if body else b""


def cover_letter_overlay(letter):
    """The overlay of one 送付状: its customer barcode and its 整理番号's Code 128."""
    parts = []
    if letter.get("postal_barcode"):
        parts.append((_customer_bars(letter["postal_barcode"]), COVER_BARCODE))
    if letter.get("control_barcode"):
        parts.append((code128_rectangles(letter["control_barcode"]), COVER_CONTROL))
    return overlay(parts)


def _customer_bars(bars):
    return [(b.x, b.y, b.width, b.height) for b in bar_rectangles(bars)]


def postcard_overlays(cards):
    """The overlays of the お知らせ postcards (two pages each: the address side
    with its customer barcode, then the message side)."""
    out = []
    for card in cards:
        bars = card.get("postal_barcode")
        parts = [(_customer_bars(bars), POSTCARD_BARCODE)] if bars else []
        out += [overlay(parts, POSTCARD_HEIGHT_MM), b""]
    return out
