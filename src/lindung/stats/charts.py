"""Bar charts of protected tables as SVG drawn on the server (no script, no inline style).

Horizontal bars read well on a small screen: the chart grows downwards, never sideways. Every bar
carries its category name and its value as text, so colour is never the only way to read it, and
suppressed cells are drawn as a hatched mark labelled "suppressed" (their value is not known here:
the table holds none). The page shows the same figures as a table.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .tables import ProtectedTable

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 90
BAR = 16
GAP = 4
HEADER = 22


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value:,}"


def bar_chart(table: ProtectedTable) -> str:
    """The interior cells (totals and zeros left out) as grouped horizontal bars, one group per row."""
    if not isinstance(table, ProtectedTable):
        raise TypeError("charts draw protected tables only")
    columns = list(range(len(table.col_keys) - 1))
    rows = list(range(len(table.row_keys) - 1)) if table.row_dims else [0]
    values = [table.values[i][j] for i in rows for j in columns if table.values[i][j] is not None]
    top = max(values, default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / top
    parts, y = [], 4
    for i in rows:
        if table.row_dims:
            heading = " · ".join(
                table.label(d, c) for d, c in zip(table.row_dims, table.row_keys[i], strict=True)
            )
            parts.append(
                f'<text x="0" y="{y + 15}" font-weight="700" font-size="13">{escape(heading)}</text>'
            )
            y += HEADER
        for j in columns:
            label = table.label(table.col_dim, table.col_keys[j])
            value, status = table.values[i][j], table.status[i][j]
            if value == 0 and not status:
                continue  # zeros stay in the table; in a sparse table they would bury the bars
            colour = PALETTE[j % len(PALETTE)]
            parts.append(
                f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR - 4}" text-anchor="end" font-size="12">'
                f"{escape(label[:34])}</text>"
            )
            if status:
                parts.append(
                    f'<rect x="{LABEL_WIDTH}" y="{y}" width="18" height="{BAR}" fill="url(#stats-hatch)" '
                    f'stroke="#505a5f"><title>{escape(label)}: {escape(_("suppressed"))}</title></rect>'
                    f'<text x="{LABEL_WIDTH + 24}" y="{y + BAR - 4}" font-size="12" font-style="italic">'
                    f"{escape(_('suppressed'))}</text>"
                )
            else:
                width = max(1.0, (value or 0) * scale) if value else 0
                parts.append(
                    f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{colour}">'
                    f"<title>{escape(label)}: {_number(value)}</title></rect>"
                    f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR - 4}" font-size="12">'
                    f"{_number(value)}</text>"
                )
            y += BAR + GAP
        y += GAP * 2
    title = escape(f"{table.name} ({table.unit})")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {y}" role="img" class="stats-chart" '
        f'aria-label="{title}"><title>{title}</title>'
        '<defs><pattern id="stats-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#505a5f" stroke-width="2"/></pattern></defs>'
        + "".join(parts)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text in it is escaped above
