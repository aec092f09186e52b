"""ISO 3166-1 alpha-3 countries and ISO 639-3 languages, taken from pycountry, never typed."""

from functools import cache

import pycountry


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_3, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code) if code else None
    return country.name if country else code


def is_country(code: str) -> bool:
    return bool(code) and pycountry.countries.get(alpha_3=code) is not None
