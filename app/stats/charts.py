"""Bar and line charts drawn on the server as SVG (pure: no Flask, no DB).

The charts are pictures of tables the page also shows: each SVG has
``role="img"`` and an ``aria-label`` naming that table, so a screen reader
reads the table, not the drawing.  No script runs: the page's content
security policy stays as it is and the charts print as they show.
"""

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48
BAR_COLOUR = "#2a6ebb"
# Earlier years in lighter blues, the year asked for in red (the last series).
LINE_COLOURS = ("#b8cce8", "#8fb0dc", "#5f8fcb", "#2a6ebb", "#c0392b")
LEGEND_STEP = 120


def _nice_max(value: int) -> int:
    """The top of the value axis: ``value`` rounded up to 1, 2 or 5 × 10ⁿ
    (at least 4, so that the four steps of the axis are whole numbers)."""
    if value <= 4:
        return 4  # four whole steps on the axis
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _axis(top_value: int) -> list[str]:
    parts = []
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = top_value * i // 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#dddddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{value:,}</text>"
        )
    return parts


def _frame(label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(label)}" class="ward-chart">'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(label: str, points: Sequence[tuple[str, int]]) -> str:
    """Vertical bars, one per ``(category, value)``."""
    top_value = _nice_max(max((v for _, v in points), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    body = _axis(top_value)
    slot = plot_w / max(len(points), 1)
    for i, (name, value) in enumerate(points):
        h = plot_h * value / top_value
        x = LEFT + slot * i + slot * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{BAR_COLOUR}"><title>{escape(name)}: {value:,}</title></rect>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11">{escape(name)}</text>'
        )
    return _frame(label, body)


def line_chart(
    label: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> str:
    """One line per ``(name, values)`` over ``categories``, with a legend."""
    top_value = _nice_max(max((v for _, vs in series for v in vs), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    body = _axis(top_value)
    step = plot_w / max(len(categories) - 1, 1)
    for i, name in enumerate(categories):
        body.append(
            f'<text x="{LEFT + step * i:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11">{escape(name)}</text>'
        )
    for n, (name, values) in enumerate(series):
        colour = LINE_COLOURS[(n - len(series)) % len(LINE_COLOURS)]
        xy = [
            (LEFT + step * i, TOP + plot_h - plot_h * v / top_value) for i, v in enumerate(values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in xy)
        body.append(
            f'<rect x="{LEFT + LEGEND_STEP * n}" y="{HEIGHT - 18}" width="12" height="12" '
            f'fill="{colour}"/><text x="{LEFT + LEGEND_STEP * n + 16}" y="{HEIGHT - 8}" '
            f'font-size="11">{escape(name)}</text>'
        )
    return _frame(label, body)
