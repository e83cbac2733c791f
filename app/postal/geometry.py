"""Where the bars go, in millimetres (the manual's dimensions).

At the standard size (10 pt) a long bar is 3.6 mm, the timing bar 1.2 mm,
ascender and descender 2.4 mm, the bars 0.6 mm wide at a pitch of 1.2 mm; the
manual allows the whole symbol scaled from 8 pt to 11.5 pt.  The symbol is
67 bars: 66 pitches and one bar wide (79.8 mm at 10 pt), 3.6 mm high.
"""

from dataclasses import dataclass

__all__ = ["DEFAULT_POINTS", "MAX_POINTS", "MIN_POINTS", "Bar", "bar_rectangles", "symbol_size"]

DEFAULT_POINTS = 10.0
MIN_POINTS = 8.0
MAX_POINTS = 11.5
# At 10 pt, in mm.
_PITCH = 1.2
_WIDTH = 0.6
_UNIT = 1.2  # a third of the long bar: the timing bar's height


@dataclass(frozen=True)
class Bar:
    """One bar: ``x`` from the symbol's left, ``y`` up from its bottom (mm)."""

    x: float
    y: float
    width: float
    height: float


def _scale(points: float) -> float:
    if not MIN_POINTS <= points <= MAX_POINTS:
        raise ValueError(f"the customer barcode is {MIN_POINTS}–{MAX_POINTS} pt, not {points}")
    return points / DEFAULT_POINTS


def symbol_size(bar_count: int = 67, points: float = DEFAULT_POINTS) -> tuple[float, float]:
    """``(width, height)`` in mm of a symbol of ``bar_count`` bars."""
    k = _scale(points)
    return ((bar_count - 1) * _PITCH + _WIDTH) * k, 3 * _UNIT * k


# Each kind of bar: (bottom, height) in units of the timing bar.
_SPANS = {"F": (0, 3), "A": (1, 2), "D": (0, 2), "T": (1, 1)}


def bar_rectangles(bars: str, points: float = DEFAULT_POINTS) -> list[Bar]:
    """The rectangles of ``bars`` (``F``/``A``/``D``/``T``), left to right.

    :raises ValueError: for a size outside 8–11.5 pt or an unknown bar.
    """
    k = _scale(points)
    out = []
    for i, kind in enumerate(bars):
        if kind not in _SPANS:
            raise ValueError(f"not a bar: {kind!r}")
        bottom, height = _SPANS[kind]
        out.append(Bar(i * _PITCH * k, bottom * _UNIT * k, _WIDTH * k, height * _UNIT * k))
    return out
