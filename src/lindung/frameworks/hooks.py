"""Hooks other apps plug into, so frameworks never imports them.

Statistics next to each country's frameworks: the stats app registers a provider in its
``AppConfig.ready()`` (``stats.country_figures``), in this manner::

    from lindung.frameworks import hooks

    def migrants_assisted(user, countries):
        # Only figures the user may see, already disclosure-controlled.
        return {"IDN": [(_("Returns assisted, 2025"), 1200)], ...}

    hooks.register_country_counts(migrants_assisted)

The comparison pages and the desk-review report show every (label, value) pair under the
country's name. A provider that raises is skipped and logged, so a stats failure never hides the
frameworks.
"""

import logging

logger = logging.getLogger(__name__)

_providers: list = []


def register_country_counts(provider) -> None:
    """``provider(user, countries) -> {country code: [(label, value), ...]}``."""
    if provider not in _providers:
        _providers.append(provider)


def unregister_country_counts(provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def country_counts(user, countries) -> dict:
    counts: dict = {c: [] for c in countries}
    for provider in _providers:
        try:
            figures = provider(user, list(countries)) or {}
        except Exception:
            logger.exception(
                "frameworks: country count provider %s failed", getattr(provider, "__name__", provider)
            )
            continue
        for country, pairs in figures.items():
            if country in counts:
                counts[country].extend(pairs)
    return counts
