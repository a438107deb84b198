"""Charts drawn on the server as SVG: no script, no library, readable by a screen reader.

Each chart is a ``<figure>`` holding an ``<svg role="img">`` that scales to its container
(``viewBox``, no fixed width) and a visually hidden table with the same numbers. Bars may be
stacked (``Series``: one colour per series, e.g. recovered over lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

__all__ = ["Series", "bar_chart"]

_W, _H = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 36, 8, 10, 34


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]
    css_class: str  # the fill comes from the stylesheet, so it follows the page's colours


def _nice_max(value: int) -> int:
    """A round top for the axis: 1, 2, 5, 10, 20, 50, …"""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


def bar_chart(title: str, labels: list[str], series: list[Series], *, chart_id: str,
              label_every: int = 1) -> Markup:
    """A (stacked) bar chart with one bar per label; ``label_every`` thins the x labels."""
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = max(slot * 0.7, 1.0)
    parts: list[str] = []
    for tick in (0, top // 2 if top >= 2 else None, top):
        if tick is None:
            continue
        y = _TOP + plot_h - plot_h * tick / top
        parts.append(f'<line class="grid" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/><text class="axis" x="{_LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{tick}</text>')
    for i, label in enumerate(labels):
        x = _LEFT + i * slot + (slot - bar_w) / 2
        base = float(_TOP + plot_h)
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = plot_h * value / top
            base -= h
            parts.append(f'<rect class="{escape(s.css_class)}" x="{x:.1f}" y="{base:.1f}" '
                         f'width="{bar_w:.1f}" height="{h:.1f}"><title>{escape(label)}: '
                         f'{value} {escape(s.name)}</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{_H - _BOTTOM + 16}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    legend = "".join(f'<li><span class="swatch {escape(s.css_class)}"></span>{escape(s.name)}'
                     f"</li>" for s in series)
    head = "".join(f"<th scope=col>{escape(s.name)}</th>" for s in series)
    rows = "".join(f"<tr><th scope=row>{escape(label)}</th>"
                   + "".join(f"<td>{s.values[i]}</td>" for s in series) + "</tr>"
                   for i, label in enumerate(labels))
    total = sum(totals)
    summary = f"{title}: {total} in all" if series else title
    return Markup(
        f'<figure class="chart" id="{escape(chart_id)}"><figcaption>{escape(title)}</figcaption>'
        f'<svg viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(summary)}" '
        f'preserveAspectRatio="xMidYMid meet">{"".join(parts)}</svg>'
        f'<ul class="legend">{legend}</ul>'
        f'<table class="visually-hidden"><caption>{escape(title)}</caption><tr><th>'
        f"</th>{head}</tr>{rows}</table></figure>"
    )
