"""Charts drawn on the server as inline SVG (no script, no CDN): one bar per
point, the value in each bar's title (a tooltip) and a text summary for
screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 640, 160, 24


def bar_chart(
    points: Sequence[tuple[str | int, int]], *, title: str, unit: str, chart_id: str
) -> Markup:
    """A bar chart of (label, value) points, oldest first; an empty chart says so."""
    if not points:
        return Markup(
            f'<p class="chart-empty" id="{escape(chart_id)}">{escape(title)}: nothing yet.</p>'
        )
    top = max(int(value) for _, value in points) or 1
    step = (WIDTH - 2 * PAD) / len(points)
    width = max(1.0, step * 0.8)
    bars = []
    for index, (label, value) in enumerate(points):
        height = (HEIGHT - 2 * PAD) * int(value) / top
        x = PAD + index * step
        y = HEIGHT - PAD - height
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'data-label="{escape(str(label))}" data-value="{int(value)}">'
            f"<title>{escape(str(label))}: {int(value):,} {escape(unit)}</title></rect>"
        )
    first, last = points[0][0], points[-1][0]
    summary = f"{title}: {len(points)} points from {first} to {last}, highest {top:,} {unit}"
    return Markup(
        f'<figure class="chart" id="{escape(chart_id)}"><svg viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(summary)}">'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'class="axis"/>'
        + "".join(bars)
        + f'<text x="{PAD}" y="{HEIGHT - 6}" class="tick">{escape(str(first))}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" class="tick end">{escape(str(last))}</text>'
        f'<text x="{PAD}" y="14" class="tick">{top:,} {escape(unit)}</text>'
        f"</svg><figcaption>{escape(title)}</figcaption></figure>"
    )
