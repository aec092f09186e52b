"""Engagement outputs at scale: the consent-checked door vs a plain query, and withdrawal.

Data: one organisation, ``LINDUNG_BENCH_ENGAGEMENT_ITEMS`` cleared feedback items and quotes
(default 5,000) over 40 sessions and 400 participants, generated in a throwaway SQLite database
(or ``LINDUNG_BENCH_ENGAGEMENT_DATABASE_URL``), in a child process.

Figures (median of several rounds, ms):
- ``synthesis``: ``selectors.synthesis`` (policy, consent subqueries for participation, quotes and
  attribution, decrypting every cleared text) vs ``baseline_synthesis``: the same rows by a plain
  status filter, decrypted the same way, no consent checks. ``synthesis_ratio`` = door / plain
  (goal ≤ 2: checking consent at read time must stay cheap, since every output relies on it).
- ``withdrawal``: ``services.consent_withdraw`` of quote consent for a participant with many quotes
  (erase, audit, notify) vs ``baseline_withdrawal``: one bulk UPDATE of the same rows.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from child import median_ms, run_child

HERE = Path(__file__).resolve().parent
ROUNDS = 7


def run() -> dict:
    """Entry point for bench/run.py: runs in a child process bound to a throwaway database."""
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("LINDUNG_BENCH_ENGAGEMENT_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        key = os.environ.get("LINDUNG_MASTER_KEY") or "YmVuY2gtbWFzdGVyLWtleS1mb3ItbGluZHVuZy0wMDA="
        return run_child(__file__, {"DATABASE_URL": url, "LINDUNG_MASTER_KEY": key})


def _median_ms(func):
    return median_ms(func, ROUNDS)


def _generate(items):
    import datetime

    from django.utils import timezone

    from lindung.core.models import Membership, Organisation, User
    from lindung.core.roles import Role
    from lindung.engagement import services
    from lindung.engagement.models import Consent, Contribution, Participant, Session

    org = Organisation.objects.create(name="Bench organisation", kind="ngo", country="THA")
    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, organisation=org, role=Role.ENGAGEMENT_COORDINATOR)
    sheet = services.guidance_adopt(acting_user=user, organisation=org, key="information_sheet").versions.get(
        language="en"
    )
    engagement = services.engagement_save(
        acting_user=user, organisation=org, title="Bench", purpose="p", feeds="f"
    )
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            organisation=org,
            engagement=engagement,
            title=f"S{n}",
            format="focus_group",
            languages="eng",
            setting="remote",
            starts_at=now,
            status=Session.Status.IN_PROGRESS,
        )
        for n in range(40)
    )
    people = Participant.objects.bulk_create(
        Participant(organisation=org, code=f"LE-B{n:05d}", preferred_language="en") for n in range(400)
    )
    given = timezone.localdate() - datetime.timedelta(days=1)
    Consent.objects.bulk_create(
        Consent(
            organisation=org,
            participant=p,
            scope=scope,
            information_sheet=sheet,
            method="written",
            given_on=given,
        )
        for p in people
        for scope in (Consent.Scope.PARTICIPATION, Consent.Scope.QUOTES)
    )
    themes = ["access_to_information", "safety_and_protection", "health_and_psychosocial", "other"]
    Contribution.objects.bulk_create(
        Contribution(
            organisation=org,
            session=sessions[n % 40],
            participant=people[n % 400],
            kind=Contribution.Kind.QUOTE if n % 2 else Contribution.Kind.FEEDBACK,
            theme=themes[n % 4],
            text=f"Synthetic contribution {n}",
            public_text=f"Cleared synthetic contribution {n}",
            status=Contribution.Status.CLEARED,
        )
        for n in range(items)
    )
    return user, people


def child():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from lindung.engagement import selectors, services
    from lindung.engagement.models import Consent, Contribution

    items = int(os.environ.get("LINDUNG_BENCH_ENGAGEMENT_ITEMS", "5000"))
    user, people = _generate(items)

    def door():
        for _code, _label, rows in selectors.synthesis(user):
            for row in rows:
                assert row.public_text and selectors.attribution(row) == ""

    def plain():
        rows = Contribution.objects.filter(status=Contribution.Status.CLEARED).select_related(
            "session__engagement", "participant"
        )
        rows = rows.defer("text", "participant__contact", "participant__access_needs")
        for row in rows.order_by("theme", "session__starts_at", "pk"):
            assert row.public_text

    synthesis, baseline_synthesis = _median_ms(door), _median_ms(plain)

    started = time.perf_counter()
    services.consent_withdraw(acting_user=user, consent=people[1].consents.get(scope=Consent.Scope.QUOTES))
    withdrawal = round((time.perf_counter() - started) * 1000, 2)
    quotes = Contribution.objects.filter(participant=people[3], kind=Contribution.Kind.QUOTE)
    per_participant = quotes.count()
    started = time.perf_counter()
    quotes.update(status=Contribution.Status.WITHDRAWN, text=None, public_text=None)
    baseline_withdrawal = round((time.perf_counter() - started) * 1000, 2)
    print(
        json.dumps(
            {
                "items": items,
                "synthesis_ms": synthesis,
                "baseline_synthesis_ms": baseline_synthesis,
                "synthesis_ratio": round(synthesis / baseline_synthesis, 2),
                "quotes_withdrawn_per_participant": per_participant,
                "withdrawal_ms": withdrawal,
                "baseline_withdrawal_ms": baseline_withdrawal,
                "withdrawal_ratio": round(withdrawal / max(baseline_withdrawal, 0.01), 2),
            }
        )
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        print(json.dumps(run(), indent=2))
