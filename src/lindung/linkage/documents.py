"""Passport number formats of the countries whose passports the region sees most, to catch a
number typed against the wrong issuing country (or the wrong number in the right field).

Sources: the formats printed on current passports of these countries (ICAO Doc 9303 allows up to
nine letters and digits in the machine-readable zone's document number). A country not listed
here is not checked.
"""

import re

PASSPORT_FORMATS = {
    "THA": r"[A-Z]{1,2}\d{6,7}",
    "MYS": r"[AHK]\d{8}",
    "IDN": r"[A-Z]{1,2}\d{6,7}",
    "MMR": r"[A-Z]{1,2}\d{6,7}",
    "KHM": r"[A-Z]\d{7,8}",
    "PHL": r"[A-Z]{1,2}\d{6,7}[A-Z]?",
    "VNM": r"[A-Z]\d{7,8}",
    "RUS": r"\d{9}",
    "UZB": r"[A-Z]{2}\d{7}",
}
_COMPILED = {country: re.compile(pattern) for country, pattern in PASSPORT_FORMATS.items()}


def fits_country(doc_type: str, number: str, country: str) -> bool:
    """Whether a normalised passport number has the issuing country's format (True when the
    type or the country is not one whose format is known)."""
    pattern = _COMPILED.get(country) if doc_type == "passport" else None
    return pattern is None or bool(pattern.fullmatch(number))
