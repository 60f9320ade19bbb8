"""Horizontal bar charts drawn as SVG by the application itself (no JS library, no CDN).

Horizontal bars suit Chinese category names (statuses, cities, grades) that would collide
under vertical bars. Sizes live in the viewBox and the page's CSS (``svg.chart``), never in a
style attribute.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW = 26
LABEL_W = 132
VALUE_W = 44


def hbar_chart(data: Sequence[tuple[str, int]], *, title: str, width: int = 520,
               colour: str = "#1f5fa8", highlight: Sequence[str] = (), highlight_colour: str = "#b42318") -> SafeString:
    """One bar per (label, value); labels in ``highlight`` (e.g. overdue) drawn in ``highlight_colour``."""
    rows = list(data) or [("暂无数据", 0)]
    height = ROW * len(rows) + 12
    peak = max((v for _, v in rows), default=0) or 1
    plot_w = width - LABEL_W - VALUE_W
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LABEL_W}" y1="4" x2="{LABEL_W}" y2="{height - 6}" stroke="#9fb3c8"/>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 6 + index * ROW
        bar_w = round(plot_w * value / peak, 1)
        fill = highlight_colour if label in highlight else colour
        short = label if len(label) <= 9 else label[:8] + "…"
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" font-size="12" text-anchor="end">{escape(short)}</text>')
        parts.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{bar_w}" height="{ROW - 8}" fill="{fill}" rx="2">'
                     f"<title>{escape(label)}：{value}</title></rect>")
        parts.append(f'<text x="{LABEL_W + bar_w + 5:.1f}" y="{y + 15}" font-size="12">{value}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built above from escaped labels and numbers
