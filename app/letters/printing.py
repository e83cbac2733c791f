"""Text made safe for the printed page: glyphs the font has, lines that fit.

Pure helpers (no Flask, no database), used by the context builders of every
PDF and by the rendering worker processes.

* A character the embedded font has no glyph for would simply vanish from the
  PDF (ReportLab has no fallback font), so it is printed as 〓 instead, like a
  外字: :func:`for_print`.
* Anything that must stay inside a fixed box — the address window of a 長3
  envelope above all — is cut into measured lines beforehand, ending with an
  ellipsis when it is too long: :func:`fit_lines`.  Measuring here rather than
  trusting the layout engine is what guarantees one letter per page.
"""

import functools
import hashlib
import unicodedata

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

from app.text.kana import GAIJI_PLACEHOLDER, gaiji_for_print

__all__ = ["ELLIPSIS", "fit_line", "fit_lines", "font_glyphs", "for_print", "text_width"]

ELLIPSIS = "…"
MM = 72 / 25.4

# Marks that belong to the character before them (variation selectors, zero
# width joiners, combining marks the font lacks) are dropped, not shown as 〓.
_DROPPED_CATEGORIES = {"Mn", "Me", "Cf", "Cc", "Cs", "Zl", "Zp"}
_SPACES = {"\n": " ", "\r": " ", "\t": " "}


@functools.lru_cache(maxsize=8)
def font_glyphs(*font_paths):
    """Code points every one of ``font_paths`` has a glyph for (read once)."""
    sets = [frozenset(TTFontFile(path).charToGlyph) for path in font_paths]
    return frozenset.intersection(*sets) if sets else frozenset()


def for_print(text, glyphs, gaiji_map=None):
    """``text`` as it can be printed with a font covering ``glyphs``.

    外字 (private-use characters) become their configured replacement or 〓;
    characters the font cannot draw (emoji, 𠮷 …) become 〓; control and
    combining characters without a glyph are dropped; line breaks and tabs
    become spaces.  ``None`` gives ``""``.
    """
    if text is None:
        return ""
    text = gaiji_for_print(str(text), gaiji_map)
    out = []
    for ch in text:
        if ch in _SPACES:
            out.append(_SPACES[ch])
        elif ord(ch) in glyphs:
            out.append(ch)
        elif unicodedata.category(ch) in _DROPPED_CATEGORIES:
            continue
        else:
            out.append(GAIJI_PLACEHOLDER)
    return "".join(out)


@functools.lru_cache(maxsize=8)
def _measure_font(font_path):
    name = "WardMeasure-" + hashlib.md5(font_path.encode()).hexdigest()[:8]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, font_path))
    return name


def text_width(text, font_path, size_pt):
    """Width of ``text`` in points in the font at ``font_path``."""
    return pdfmetrics.stringWidth(text, _measure_font(font_path), size_pt)


def fit_lines(text, font_path, size_pt, width_mm, max_lines):
    """Cut ``text`` into at most ``max_lines`` lines no wider than ``width_mm``.

    Japanese has no spaces to break at, so a line breaks after the last
    character that fits; when the text needs more lines than allowed, the last
    one ends with an ellipsis.  Empty text gives no lines.
    """
    text = " ".join(text.split()) if text else ""
    if not text or max_lines < 1:
        return []
    font = _measure_font(font_path)
    limit = width_mm * MM
    widths = [pdfmetrics.stringWidth(ch, font, size_pt) for ch in text]
    lines, start, used = [], 0, 0.0
    for i, w in enumerate(widths):
        if used + w > limit and i > start:
            lines.append(text[start:i].strip())
            start, used = i, 0.0
            if len(lines) == max_lines:
                break
        used += w
    else:
        lines.append(text[start:].strip())
        return [line for line in lines if line]
    # Out of lines with text left: end the last line with an ellipsis.
    ellipsis_w = pdfmetrics.stringWidth(ELLIPSIS, font, size_pt)
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last, font, size_pt) + ellipsis_w > limit:
        last = last[:-1]
    lines[-1] = last.rstrip() + ELLIPSIS
    return lines


def fit_line(text, font_path, size_pt, width_mm):
    """``text`` on one line of ``width_mm``, cut with an ellipsis if needed."""
    lines = fit_lines(text, font_path, size_pt, width_mm, 1)
    return lines[0] if lines else ""
