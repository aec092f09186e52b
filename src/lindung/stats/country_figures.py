"""Released figures beside each country's frameworks ("the law and its practice").

The frameworks app shows, under each country of a comparison and in the desk-review report, the
pairs that providers registered with ``frameworks.hooks`` return. This provider offers the
figures already published in statistical releases: only released tables (protected when they were
frozen), only releases the reader may see, and for each indicator and country dimension only the
latest release, so an older figure never stands beside a newer one. A suppressed cell is shown as
suppressed, never worked out from other cells.
"""

from django.utils.translation import gettext as _

from . import selectors
from .dimensions import DIMENSIONS, TOTAL
from .models import ReleaseTable

COUNTRY_DIMENSIONS = ("citizenship", "country_of_exploitation", "country")


def released_country_figures(user, countries) -> dict:
    wanted = set(countries)
    figures: dict = {}
    seen: set = set()
    releases = selectors.releases_visible(user)
    tables = (
        ReleaseTable.objects.filter(release__in=releases)
        .select_related("release")
        .order_by("-release__released_on", "-release__pk", "position")
    )
    for table in tables:
        for dimension in COUNTRY_DIMENSIONS:
            if dimension not in table.by or (table.indicator, dimension) in seen:
                continue
            seen.add((table.indicator, dimension))
            for country, shown in _country_cells(table, dimension, wanted):
                label = _("%(indicator)s by %(dimension)s, release %(release)s (%(date)s)") % {
                    "indicator": table.payload["name"],
                    "dimension": DIMENSIONS[dimension].label,
                    "release": table.release.identifier,
                    "date": table.release.released_on.isoformat(),
                }
                figures.setdefault(country, []).append((label, shown))
    return figures


def _country_cells(table, dimension: str, wanted: set):
    """The cells of ``table`` that count one wanted country, every other dimension at its total."""
    data = table.payload
    by = data["by"]
    for i, row_key in enumerate(data["row_keys"]):
        for j, col_key in enumerate(data["col_keys"]):
            key = dict(zip(by, [*row_key, col_key], strict=True))
            country = key[dimension]
            if country not in wanted or any(key[d] != TOTAL for d in by if d != dimension):
                continue
            value = data["values"][i][j]
            if data["status"][i][j] or value is None:  # a status names why a cell was withheld
                yield country, _("suppressed")
            else:
                yield country, value
