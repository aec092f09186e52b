"""How a document number is indexed and searched, and what a search says it matched.

A document number is written "AB 123-456", "ab123456" or "AB-123 456" depending on the clerk and
the form; only its letters and digits tell it apart, so only they are indexed."""

import unicodedata

from django.utils.translation import gettext_lazy as _

# What an identity search found a person by (codes of cases and of ``hooks.person_search_extenders``).
MATCH_LABELS = {
    "name": _("name"),
    "name_part": _("part of a name"),
    "name_variant": _("another spelling of a name"),
    "document": _("document number"),
    "document_near": _("document number, one character apart"),
}
# A code that says less than another one found for the same person is not shown beside it.
SUPERSEDED_BY = {"name_part": "name", "name_variant": "name", "document_near": "document"}


def document_key(number: str) -> str:
    """Upper-case letters and digits only: spaces, hyphens, dots and case do not count."""
    text = unicodedata.normalize("NFKC", str(number or "")).upper()
    return "".join(ch for ch in text if ch.isalnum())


def merge(found: dict[int, set[str]], more: dict[int, set[str]]) -> None:
    for person_id, codes in more.items():
        found.setdefault(person_id, set()).update(c for c in codes if c in MATCH_LABELS)


def shown(codes) -> list[str]:
    """The codes to show, the strongest first, without one that another already says."""
    return [c for c in MATCH_LABELS if c in codes and SUPERSEDED_BY.get(c) not in codes]


def labels(codes) -> list[str]:
    """The words for what matched (``shown``)."""
    return [str(MATCH_LABELS[c]) for c in shown(codes)]
