"""Monthly trend charts as SVG drawn on the server (no chart library, no script, no inline style).

A chart is a stacked bar per month, one colour per route, each bar segment titled with its value
so that screen readers and mouse users get the number; the page also gives the same figures as a
table and as CSV, so colour is never the only way to read it.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from lindung.standard import registry

# Colour-blind-safe palette (Okabe-Ito), repeated when there are more routes.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 44


def route_label(code: str) -> str:
    return registry.label("migration_route", code)


def _tick_step(value: int) -> int:
    """A round step (1, 2 or 5 × 10^k) so that four steps reach at least ``value``."""
    step = 1
    while step * 4 < value:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if step * 4 >= value:
                break
    return step


def trend_table(trends: dict, measure: str) -> dict:
    """Rows (month, [value per route], total) for the table view and the CSV download."""
    routes = trends["routes"]
    values = trends["values"][measure]
    rows = []
    for month in trends["months"]:
        cells = [values.get(route, {}).get(month, 0) for route in routes]
        rows.append({"month": month, "cells": cells, "total": sum(cells)})
    return {"routes": routes, "route_labels": [route_label(r) for r in routes], "rows": rows}


def trend_svg(trends: dict, measure: str, title: str) -> str:
    table = trend_table(trends, measure)
    rows, routes = table["rows"], table["routes"]
    chart_id = f"chart-{measure}"
    parts = [
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT + 24 * ((len(routes) + 1) // 2)}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = _tick_step(max((r["total"] for r in rows), default=0))
    top = step * 4
    for i in range(5):
        value = step * i
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d3d6"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{value}</text>')
    if rows:
        slot = plot_w / len(rows)
        bar = max(slot * 0.7, 1)
        label_every = max(1, len(rows) // 12)
        for index, row in enumerate(rows):
            x = LEFT + index * slot + (slot - bar) / 2
            y = TOP + plot_h
            for route_index, value in enumerate(row["cells"]):
                if not value:
                    continue
                h = plot_h * value / top
                y -= h
                colour = PALETTE[route_index % len(PALETTE)]
                route = routes[route_index]
                label = f"{row['month']} — {route_label(route)}: {value}"
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}" '
                    f'data-month="{row["month"]}" data-route="{escape(route)}" data-value="{value}">'
                    f"<title>{escape(label)}</title></rect>"
                )
            if index % label_every == 0:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                    f'font-size="10">{row["month"]}</text>'
                )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#0b0c0c"/>'
    )
    for route_index, route in enumerate(routes):
        lx = LEFT + (route_index % 2) * 330
        ly = HEIGHT + 24 * (route_index // 2) - 8
        colour = PALETTE[route_index % len(PALETTE)]
        parts.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 18}" y="{ly}" font-size="12">{escape(route_label(route))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every interpolated text is escaped above)
