"""Full-text search over instrument titles and provision texts.

One table, ``SearchEntry``, holds the searchable text of every instrument (titles, citation,
summary) and every provision (reference, heading, text); the services keep it in step. The index
itself depends on the database (see migration 0002):

- SQLite (the embedded default): an external-content FTS5 table fed by triggers on the entries;
- PostgreSQL: a GIN index on ``to_tsvector('simple', body)``, queried through Django's
  ``SearchVector``/``SearchQuery``.

The 'simple' configuration and FTS5's unicode61 tokenizer do not stem, so a search works alike in
every language whose words are separated by spaces; Thai, written without spaces, is matched only
on whole runs of text (a documented limit).
"""

import re

from django.db import connection
from django.db.models import F, FloatField
from django.db.models.expressions import RawSQL

from .models import SearchEntry

FTS_TABLE = "frameworks_search_fts"
_TERM = re.compile(r'"([^"]*)"|(\S+)')


def terms(query: str) -> list[str]:
    """Quoted phrases and single words of a query, dropping anything without a letter or digit."""
    found = [phrase or word for phrase, word in _TERM.findall(query or "")]
    return [t.strip() for t in found if re.search(r"\w", t)]


def instrument_body(instrument) -> str:
    parts = [
        instrument.title_en,
        instrument.title_original,
        instrument.short_title,
        instrument.citation,
        instrument.summary,
    ]
    return "\n".join(p for p in parts if p)


def provision_body(provision) -> str:
    return "\n".join(p for p in (provision.reference, provision.heading, provision.text) if p)


def index_instrument(instrument) -> None:
    SearchEntry.objects.update_or_create(
        instrument=instrument, provision=None, defaults={"body": instrument_body(instrument)}
    )


def index_provision(provision) -> None:
    SearchEntry.objects.update_or_create(
        provision=provision, defaults={"instrument": provision.instrument, "body": provision_body(provision)}
    )


def _fts5_query(words: list[str]) -> str:
    # Every term becomes a quoted FTS5 string, so no user input is read as FTS5 syntax; juxtaposed
    # strings are ANDed.
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def matching(queryset, query: str):
    """Entries of ``queryset`` matching every term of ``query``, best first, with a ``rank``."""
    words = terms(query)
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        search = None
        for word in words:
            part = SearchQuery(word, search_type="phrase", config="simple")
            search = part if search is None else search & part
        vector = SearchVector("body", config="simple")
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "id")
        )
    # Table names are constants of this module; the user's query only ever travels as a parameter.
    fts = _fts5_query(words)
    matches = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    # bm25 is lower for better matches: negate it so "higher is better" on both databases.
    score = (
        f"(SELECT -bm25({FTS_TABLE}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
        f"AND {FTS_TABLE}.rowid = {SearchEntry._meta.db_table}.id)"
    )
    return (
        queryset.filter(id__in=RawSQL(matches, [fts]))  # noqa: S611
        .annotate(rank=RawSQL(score, [fts], output_field=FloatField()))  # noqa: S611
        .order_by(F("rank").desc(nulls_last=True), "id")
    )
