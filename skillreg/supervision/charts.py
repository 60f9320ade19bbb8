"""Bar charts drawn as inline SVG by the application itself (no JS library, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bar_chart(data: Sequence[tuple[str, int]], *, title: str, width: int = 480, height: int = 200,
              colour: str = "#1f5fa8") -> SafeString:
    """Vertical bars with their values; every label is escaped before it enters the markup."""
    top, bottom, left = 24, 36, 8
    plot_h = height - top - bottom
    n = max(len(data), 1)
    slot = (width - 2 * left) / n
    peak = max((v for _, v in data), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - left}" y2="{top + plot_h}" stroke="#9fb3c8"/>',
    ]
    for index, (label, value) in enumerate(data):
        bar_h = round(plot_h * value / peak, 1)
        x = left + index * slot + slot * 0.15
        w = slot * 0.7
        y = top + plot_h - bar_h
        cx = x + w / 2
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                     f"<title>{escape(label)}：{value}</title></rect>")
        parts.append(f'<text x="{cx:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">{value}</text>')
        parts.append(f'<text x="{cx:.1f}" y="{height - bottom + 16}" font-size="11" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built above from escaped labels and numbers
