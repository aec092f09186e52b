"""Frameworks knowledge base at scale: full-text search and the country x theme matrix.

Data: ``LINDUNG_BENCH_FRAMEWORKS_PROVISIONS`` provisions (default 10,000) over instruments of three
countries (10 provisions each), generated in a throwaway SQLite database (or
``LINDUNG_BENCH_FRAMEWORKS_DATABASE_URL`` for PostgreSQL), in a child process.

Figures (median of several rounds, ms):
- ``search``: ``selectors.search_entries`` for a phrase (policy, filters, FTS5 or tsvector, rank)
  vs ``baseline_search``: ``Provision.objects.filter(text__icontains=phrase)``, the scan the index
  replaces. ``search_ratio`` = indexed / scan (below 1 means the index pays off).
- ``matrix``: ``selectors.country_matrix`` for the three countries vs ``baseline_matrix``: loading
  the same instruments with their provisions and statuses, without computing anything.
  ``matrix_ratio`` = matrix / load (the cost of standings, cells and gaps over reading the data).
"""

import json
import os
import sys
import tempfile
from pathlib import Path

from child import median_ms, run_child

HERE = Path(__file__).resolve().parent
ROUNDS = 5
PER_INSTRUMENT = 10
WORDS = [
    "return",
    "readmission",
    "reintegration",
    "detention",
    "alternative",
    "children",
    "shelter",
    "referral",
    "screening",
    "border",
    "labour",
    "recruitment",
    "identity",
    "consular",
    "remittance",
    "trafficking",
    "smuggling",
    "protection",
    "victim",
    "agency",
]


def run() -> dict:
    """Entry point for bench/run.py: runs in a child process bound to a throwaway database."""
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("LINDUNG_BENCH_FRAMEWORKS_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        return run_child(__file__, {"DATABASE_URL": url, "LINDUNG_VAR_DIR": tmp})


def _median_ms(func):
    return median_ms(func, ROUNDS)


def _generate(provisions: int):
    import random

    from lindung.core.models import Membership, Organisation, User
    from lindung.core.roles import Role
    from lindung.frameworks import search
    from lindung.frameworks.models import Instrument, Provision, SearchEntry
    from lindung.standard import registry

    rng = random.Random(8)
    org = Organisation.objects.create(name="Bench research unit", kind="government", country="IDN")
    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, organisation=org, role=Role.RESEARCHER)
    themes = registry.code_list("framework_theme").values()
    instruments = Instrument.objects.bulk_create(
        Instrument(
            title_en=f"Bench law {n}",
            title_original=f"Bench law {n}",
            instrument_type="national_law",
            country=("IDN", "MYS", "THA")[n % 3],
            status="in_force",
            entered_in=org,
            citation="bench",
        )
        for n in range(provisions // PER_INSTRUMENT)
    )
    rows = []
    for instrument in instruments:
        for k in range(PER_INSTRUMENT):
            text = " ".join(rng.choice(WORDS) for _word in range(40))
            rows.append(
                Provision(
                    instrument=instrument,
                    reference=f"Art. {k}",
                    text=text,
                    position=k,
                    themes=rng.sample(themes, 2),
                )
            )
    # One needle, so the phrase has exactly one answer in the haystack.
    rows[len(rows) // 2].text += " persons shall not be penalised for irregular entry"
    created = Provision.objects.bulk_create(rows, batch_size=2000)
    SearchEntry.objects.bulk_create(
        [SearchEntry(instrument=i, body=search.instrument_body(i)) for i in instruments]
        + [
            SearchEntry(instrument_id=p.instrument_id, provision=p, body=search.provision_body(p))
            for p in created
        ],
        batch_size=2000,
    )
    return user


def child() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db.models import Prefetch

    from lindung.frameworks import selectors
    from lindung.frameworks.models import Instrument, Provision

    provisions = int(os.environ.get("LINDUNG_BENCH_FRAMEWORKS_PROVISIONS", "10000"))
    user = _generate(provisions)
    phrase = "not be penalised for irregular entry"
    assert len(list(selectors.search_entries(user, f'"{phrase}"'))) == 1
    assert Provision.objects.filter(text__icontains=phrase).count() == 1
    figures = {"provisions": provisions}
    figures["search_ms"] = _median_ms(lambda: list(selectors.search_entries(user, f'"{phrase}"')[:25]))
    figures["baseline_search_ms"] = _median_ms(
        lambda: list(Provision.objects.filter(text__icontains=phrase)[:25])
    )
    figures["search_ratio"] = round(figures["search_ms"] / figures["baseline_search_ms"], 3)
    countries = ["IDN", "MYS", "THA"]
    figures["matrix_ms"] = _median_ms(lambda: selectors.country_matrix(user, countries))
    figures["baseline_matrix_ms"] = _median_ms(
        lambda: [
            (list(i.provisions.all()), list(i.party_statuses.all()))
            for i in Instrument.objects.prefetch_related(
                Prefetch("provisions"), "party_statuses", "implements"
            )
        ]
    )
    figures["matrix_ratio"] = round(figures["matrix_ms"] / figures["baseline_matrix_ms"], 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        print(json.dumps(run(), indent=2))
