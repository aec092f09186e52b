"""Full-text search over instrument titles and provision texts.

One table, ``SearchEntry``, holds the searchable text of every instrument (titles, citation,
summary) and every provision (reference, heading, text), and the word forms of that text (stems in
each language, Thai segmented: ``lindung.frameworks.wordforms``); the services keep it in step.
A quoted phrase matches the text as written; a single word matches any of its forms as a prefix,
so "child" finds "children" and "travailleur" finds "travailleurs". The index itself depends on
the database (see migrations 0002 and 0003):

- SQLite (the embedded default): an external-content FTS5 table fed by triggers on the entries;
- PostgreSQL: GIN indexes on ``to_tsvector('simple', ...)``, queried through Django's
  ``SearchVector``/``SearchQuery``.
"""

import re

from django.db import connection
from django.db.models import F, FloatField
from django.db.models.expressions import RawSQL

from . import wordforms
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


def _indexed(body: str) -> dict:
    return {"body": body, "word_forms": wordforms.index_text(body)}


def index_instrument(instrument) -> None:
    SearchEntry.objects.update_or_create(
        instrument=instrument, provision=None, defaults=_indexed(instrument_body(instrument))
    )


def index_provision(provision) -> None:
    SearchEntry.objects.update_or_create(
        provision=provision,
        defaults={"instrument": provision.instrument, **_indexed(provision_body(provision))},
    )


def _groups(query: str) -> list[tuple[str, list[str]]]:
    """Each term as ("phrase", [text]) or ("forms", [form, ...]); a term of several words (a-b)
    gives one group per word. Empty groups (nothing searchable) are dropped."""
    groups = []
    for term in terms(query):
        if " " in term:
            groups.append(("phrase", [term]))
            continue
        for word in wordforms.words(term):
            groups.append(("forms", wordforms.forms(word)))
    return groups


def _fts5_string(text: str) -> str:
    # Every term becomes a quoted FTS5 string, so no user input is read as FTS5 syntax.
    return '"' + text.replace('"', '""') + '"'


def _fts5_query(groups) -> str:
    # Juxtaposed groups are ANDed; a word's forms are ORed prefixes within the word-forms column.
    parts = []
    for kind, texts in groups:
        if kind == "phrase":
            parts.append("body : " + _fts5_string(texts[0]))
        else:
            parts.append("word_forms : (" + " OR ".join(_fts5_string(t) + " *" for t in texts) + ")")
    return " AND ".join(parts)


def _postgres_queries(groups):
    """The AND of the phrases (on the body) and the AND of the words (on the word forms)."""
    from django.contrib.postgres.search import SearchQuery

    phrases = forms = None
    for kind, texts in groups:
        if kind == "phrase":
            part = SearchQuery(texts[0], search_type="phrase", config="simple")
            phrases = part if phrases is None else phrases & part
        else:
            # Forms are runs of word characters (no quote can occur): quoted prefix lexemes.
            raw = " | ".join(f"'{t}':*" for t in texts)
            part = SearchQuery(raw, search_type="raw", config="simple")
            forms = part if forms is None else forms & part
    return phrases, forms


def _postgres_matching(queryset, groups):
    from django.contrib.postgres.search import SearchRank, SearchVector

    rank = None
    for column, search in zip(("body", "word_forms"), _postgres_queries(groups), strict=True):
        if search is None:
            continue
        vector = SearchVector(column, config="simple")
        queryset = queryset.annotate(**{f"{column}_document": vector}).filter(
            **{f"{column}_document": search}
        )
        rank = SearchRank(vector, search) if rank is None else rank + SearchRank(vector, search)
    return queryset.annotate(rank=rank).order_by("-rank", "id")


def matching(queryset, query: str):
    """Entries of ``queryset`` matching every term of ``query``, best first, with a ``rank``."""
    groups = _groups(query)
    if not groups:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _postgres_matching(queryset, groups)
    # Table names are constants of this module; the user's query only ever travels as a parameter.
    fts = _fts5_query(groups)
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
