"""Demo notifications: watch rules of the two demo fusion centres' analysts, and the notifications
the earlier loaders' data calls for (referrals received and overdue, tasks due, incidents matching
the rules), so that a newcomer sees an inbox with something in it.

The demo loads in one transaction, so the signals of the other loaders arrive only after it; the
notifications are made here directly, each told once (running the demo again, or the signals
arriving afterwards, adds none).
"""

from decimal import Decimal

from lindung.maritime.models import Incident
from lindung.referrals.models import Referral

from . import services, tasks
from .models import Event, Notification, WatchRule

# (username, organisation key, name, fields)
RULES = [
    (
        "analyst",
        "rmifc",
        "Deaths in the Mozambique Channel (demo)",
        {"area_name": "Mozambique Channel", "min_dead_and_missing": 1},
    ),
    (
        "analyst_sey",
        "sey_centre",
        "Shipwrecks, western Indian Ocean box (demo)",
        {
            "incident_type": "shipwreck",
            "min_latitude": Decimal("-27"),
            "max_latitude": Decimal("0"),
            "min_longitude": Decimal("32"),
            "max_longitude": Decimal("60"),
        },
    ),
]


def load(ctx: dict) -> None:
    users, orgs = ctx["users"], ctx["orgs"]
    for username, org_key, name, fields in RULES:
        owner = users[username]
        if not WatchRule.objects.filter(owner=owner, name=name).exists():
            services.watch_rule_save(acting_user=owner, organisation=orgs[org_key], name=name, **fields)
    # The analyst's captured e-mails (var/mail/ in the demo) show what an alert by e-mail says.
    analyst = users["analyst"]
    if not analyst.email:
        analyst.email = "analyst@example.org"
        analyst.save(update_fields=["email"])
    tasks.email_soon(services.incidents_match(Incident.objects.values_list("pk", flat=True)))
    for referral in Referral.objects.select_related("sent_by").order_by("pk"):
        services.on_referral_sent(referral, referral.sent_by)
    services.scan_due()
    # One alert read already, so that the inbox shows both kinds.
    first = Notification.objects.filter(recipient=analyst, event=Event.WATCH_MATCH).order_by("pk").first()
    if (
        first is not None
        and not Notification.objects.filter(recipient=analyst, read_at__isnull=False).exists()
    ):
        services.notification_mark_read(acting_user=analyst, notification=first)
