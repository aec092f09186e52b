"""Alert latency: from an incident received from another node to the watch-rule alert stored.

In a child process with a throwaway SQLite database (or ``LINDUNG_BENCH_NOTIFICATIONS_DATABASE_URL``):
two organisations whose nodes exchange incidents under an agreement, and ``RULES`` analysts of the
receiving one, each with a watch rule (half of them match the incidents sent). Each round the
sending side records one incident and the receiving side takes it in as a TAXII push does
(``sharing.receive.objects_receive``, in its own transaction); the clock stops when the alerts
are stored: the commit sends ``incidents_arrived``, notifications queues ``match_watch_rules``,
which runs at once here (Django's immediate task backend), matches every rule and stores the
alerts under the policy.

Figures (ms, over ``ROUNDS`` rounds each, alternating):
- ``alert_latency_p50_ms`` / ``alert_latency_p95_ms``: received → alerts stored, rules active.
- ``baseline_receive_p95_ms``: the same receipt with every rule paused (no alert to make).
- ``alert_overhead_ratio``: p95 with alerts / p95 without; ``goal_seconds`` is the issue's minute.
With the database task backend a worker adds its polling interval (about a second) to the latency.
"""

import json
import os
import statistics
import sys
import tempfile
import time

from child import run_child

ROUNDS = int(os.environ.get("LINDUNG_BENCH_NOTIFICATIONS_ROUNDS", "40"))
RULES = int(os.environ.get("LINDUNG_BENCH_NOTIFICATIONS_RULES", "40"))
GOAL_SECONDS = 60


def run() -> dict:
    """Entry point for bench/run.py: runs in a child process bound to a throwaway database."""
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("LINDUNG_BENCH_NOTIFICATIONS_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        key = os.environ.get("LINDUNG_MASTER_KEY") or "YmVuY2gtbWFzdGVyLWtleS1mb3ItbGluZHVuZy0wMDA="
        return run_child(__file__, {"DATABASE_URL": url, "LINDUNG_MASTER_KEY": key, "LINDUNG_VAR_DIR": tmp})


def _setup():
    from lindung.core.actors import SYSTEM
    from lindung.core.markings import TLP
    from lindung.core.models import Membership, Organisation, User
    from lindung.core.roles import Role
    from lindung.notifications import services as notifications
    from lindung.sharing import services, stix

    sender = Organisation.objects.create(name="Alpha centre (bench)", kind="regional_centre", country="MDG")
    receiver = Organisation.objects.create(name="Beta centre (bench)", kind="regional_centre", country="SYC")
    agreements = []
    for me, other, peer_name in ((sender, receiver, "node-b"), (receiver, sender, "node-a")):
        peer, _secret = services.peer_create(
            acting_user=SYSTEM,
            organisation=me,
            name=peer_name,
            api_root_url="http://127.0.0.1:9/taxii2/api/",
            incoming_secret="bench-secret-000000000001",
            outgoing_username=peer_name,
            outgoing_secret="bench-secret-000000000001",
            organisations=[other],
        )
        categories = list(stix.CATEGORIES)
        agreements.append(
            services.agreement_create(
                acting_user=SYSTEM,
                organisation=me,
                peer=peer,
                partner_organisations=[other],
                reference="bench",
                title="Bench",
                purpose="Benchmark",
                categories=categories,
                fields=[f for c in categories for f in stix.CATEGORIES[c]],
                tlp_ceiling=TLP.AMBER_STRICT,
                retention_days=30,
            )
        )
    for n in range(RULES):
        analyst = User.objects.create_user(username=f"analyst{n}", password="bench-password-0001")
        Membership.objects.create(user=analyst, organisation=receiver, role=Role.ANALYST)
        area = "Mozambique Channel (bench)" if n % 2 == 0 else "Andaman Sea (bench)"
        notifications.watch_rule_save(
            acting_user=analyst,
            organisation=receiver,
            name=f"Rule {n}",
            area_name=area,
            min_dead_and_missing=1,
        )
    return sender, agreements[0], agreements[1]


def _incident(sender):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from lindung.core.markings import TLP, Distribution
    from lindung.maritime.models import Incident

    return Incident.objects.create(
        organisation=sender,
        incident_type="shipwreck",
        occurred_at=timezone.now() - timedelta(hours=2),
        latitude=Decimal("-12.5"),
        longitude=Decimal("43.2"),
        area="Mozambique Channel (bench)",
        persons_on_board=30,
        dead=2,
        missing=3,
        survivors=25,
        tlp=TLP.GREEN,
        distribution=Distribution.CONNECTED,
    )


def _p95(samples):
    ordered = sorted(samples)
    return round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 2)


def child():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    # The alert is made by a task: here it runs in this process, at once, so the figure is the
    # work itself (a database worker adds its polling interval).
    override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ).enable()
    call_command("migrate", verbosity=0)
    import uuid

    from lindung.core.actors import SYSTEM
    from lindung.notifications.models import Notification, WatchRule
    from lindung.sharing import exchange, receive

    sender, sending, receiving = _setup()
    receive.load_code_lists()
    alerted, quiet = [], []
    for round_number in range(ROUNDS * 2):
        with_alerts = round_number % 2 == 0
        WatchRule.objects.update(active=with_alerts)
        incident = _incident(sender)
        objects = exchange.outgoing_page(sending, ids=[incident.stix_id]).objects
        before = Notification.objects.count()
        started = time.perf_counter()
        with transaction.atomic():
            receive.objects_receive(
                acting_user=SYSTEM,
                peer=receiving.peer,
                agreement=receiving,
                pages=[objects],
                how=receive.Push(status_id=uuid.uuid4(), status={}, full_validation=False),
            )
        elapsed = time.perf_counter() - started
        made = Notification.objects.count() - before
        expected = (RULES + 1) // 2 if with_alerts else 0
        if made != expected:
            raise RuntimeError(f"round {round_number}: {made} alerts stored, {expected} expected")
        (alerted if with_alerts else quiet).append(elapsed)
    p95, baseline = _p95(alerted), _p95(quiet)
    print(
        json.dumps(
            {
                "rounds": ROUNDS,
                "watch_rules": RULES,
                "alerts_per_incident": (RULES + 1) // 2,
                "alert_latency_p50_ms": round(statistics.median(alerted) * 1000, 2),
                "alert_latency_p95_ms": p95,
                "baseline_receive_p95_ms": baseline,
                "alert_overhead_ratio": round(p95 / baseline, 2),
                "goal_seconds": GOAL_SECONDS,
                "goal_met": p95 / 1000 < GOAL_SECONDS,
            }
        )
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        print(json.dumps(run(), indent=2))
