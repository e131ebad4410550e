"""Server-side SVG charts (WeasyPrint runs no JavaScript): cap against month-end use."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from quotas.models import Kind

PANEL_W, PANEL_H = 300, 190
PLOT_X, PLOT_Y, PLOT_W, PLOT_H = 34, 26, 254, 120
COLOURS = {"committed": "#1c3f6e", "reserved": "#8fb0d6", "overridden": "#d69e2e", "cap": "#b3261e"}
LEGEND = [("committed", "已批准"), ("reserved", "审核中占用"), ("overridden", "特事特办"), ("cap", "年度总量")]


def quota_chart(months: dict, kinds=tuple(Kind.values)) -> str:
    """One SVG with a panel per kind: stacked month-end bars and the cap as a line."""
    panels = [
        _panel(Kind(kind).label, months.get(kind) or [], x=i * (PANEL_W + 10))
        for i, kind in enumerate(kinds)
    ]
    width = len(panels) * PANEL_W + (len(panels) - 1) * 10
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" font-family="Noto Sans CJK SC, sans-serif">{panels}{legend}</svg>',
        w=width, h=PANEL_H + 22, panels=mark_safe("".join(panels)), legend=_legend(PANEL_H + 8),
    )


def _panel(title: str, points: list, *, x: int) -> str:
    top = max([max(p["cap"], p["reserved"] + p["committed"] + p["overridden"]) for p in points] + [1])
    scale = PLOT_H / top
    base = PLOT_Y + PLOT_H
    slot = PLOT_W / 12
    parts = [
        format_html('<text x="{}" y="14" font-size="12" font-weight="bold">{}（按月末）</text>', x, title),
        format_html('<line x1="{x}" y1="{b}" x2="{x2}" y2="{b}" stroke="#52606d" stroke-width="0.8"/>',
                    x=x + PLOT_X, b=base, x2=x + PLOT_X + PLOT_W),
        format_html('<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="#52606d" stroke-width="0.8"/>',
                    x=x + PLOT_X, t=PLOT_Y, b=base),
        format_html('<text x="{}" y="{}" font-size="9" text-anchor="end">{}</text>', x + PLOT_X - 4, PLOT_Y + 4, top),
        format_html('<text x="{}" y="{}" font-size="9" text-anchor="end">0</text>', x + PLOT_X - 4, base + 3),
    ]
    for i, point in enumerate(points):
        left = x + PLOT_X + i * slot + slot * 0.2
        y = base
        for name in ("committed", "reserved", "overridden"):
            height = point[name] * scale
            if height:
                y -= height
                parts.append(format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    _n(left), _n(y), _n(slot * 0.6), _n(height), COLOURS[name],
                ))
        parts.append(format_html(
            '<text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>',
            _n(left + slot * 0.3), base + 12, point["month"],
        ))
    if points:
        steps = []
        for i, point in enumerate(points):
            y = base - point["cap"] * scale
            steps += [(x + PLOT_X + i * slot, y), (x + PLOT_X + (i + 1) * slot, y)]
        parts.append(format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.6" stroke-dasharray="4 2"/>',
            " ".join(f"{px:.1f},{py:.1f}" for px, py in steps), COLOURS["cap"],
        ))
    else:
        parts.append(format_html(
            '<text x="{}" y="{}" font-size="10" fill="#616e7c">未设置本年度总量</text>',
            x + PLOT_X + 70, PLOT_Y + PLOT_H / 2,
        ))
    parts.append(format_html('<text x="{}" y="{}" font-size="9">月</text>', x + PLOT_X + PLOT_W + 2, base + 12))
    return "".join(parts)


def _n(value: float) -> str:
    """format_html escapes its arguments to strings, so numbers are formatted first."""
    return f"{value:.1f}"


def _legend(y: int) -> str:
    keys = []
    for i, (name, label) in enumerate(LEGEND):
        x = PLOT_X + i * 110
        if name == "cap":
            keys.append(format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.6" stroke-dasharray="4 2"/>',
                x, y - 3, x + 12, y - 3, COLOURS[name],
            ))
        else:
            keys.append(format_html('<rect x="{}" y="{}" width="10" height="8" fill="{}"/>', x, y - 7, COLOURS[name]))
        keys.append(format_html('<text x="{}" y="{}" font-size="9">{}</text>', x + 15, y, label))
    return mark_safe("".join(keys))
