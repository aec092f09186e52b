"""Demo organisations and users. Synthetic: no name here belongs to a real person.

Every app may have a ``demo.py`` with ``load(ctx)``; ``lindung demo`` calls them in the order of
LINDUNG_APPS. ``ctx`` is a dict that carries what earlier loaders created (organisations, users).
Loaders must be idempotent: running the demo twice changes nothing.
"""

from django.conf import settings
from django.db import transaction

from .models import Membership, Organisation, User
from .roles import Role

DEMO_PASSWORD = "lindung-demo-2026"

# (key, name, short name, kind, country)
ORGANISATIONS = [
    ("ngo_bkk", "Sheltering Hands Foundation", "SHF", Organisation.Kind.NGO, "THA"),
    ("agency_kl", "Migrant Assistance Office Kuala Lumpur", "MAO-KL", Organisation.Kind.INTERNATIONAL, "MYS"),
    ("gov_id", "Directorate of Migrant Protection (demo)", "DMP", Organisation.Kind.GOVERNMENT, "IDN"),
    (
        "rmifc",
        "Regional Maritime Information Fusion Centre (demo)",
        "RMIFC",
        Organisation.Kind.REGIONAL_CENTRE,
        "MDG",
    ),
    (
        "sey_centre",
        "Seychelles Regional Coordination Centre (demo)",
        "RCOC",
        Organisation.Kind.REGIONAL_CENTRE,
        "SYC",
    ),
    ("clinic_bkk", "Riverside Health Clinic", "RHC", Organisation.Kind.SERVICE_PROVIDER, "THA"),
    ("stats_kz", "Bureau of Migration Statistics (demo)", "BMS", Organisation.Kind.GOVERNMENT, "KAZ"),
]

# (username, first name, organisation key, roles)
USERS = [
    ("admin", "Ayu", "ngo_bkk", [Role.ADMINISTRATOR, Role.AUDITOR]),
    ("caseworker", "Somchai", "ngo_bkk", [Role.CASEWORKER]),
    ("supervisor", "Nok", "ngo_bkk", [Role.SUPERVISOR]),
    ("caseworker_kl", "Farid", "agency_kl", [Role.CASEWORKER]),
    ("provider", "Malee", "clinic_bkk", [Role.SERVICE_PROVIDER]),
    ("analyst", "Hery", "rmifc", [Role.ANALYST, Role.ADMINISTRATOR]),
    ("analyst_sey", "Marie", "sey_centre", [Role.ANALYST, Role.ADMINISTRATOR]),
    # Screens the persons who come ashore after a disembarkation (maritime screening batches).
    ("protection", "Soa", "rmifc", [Role.ANALYST, Role.CASEWORKER]),
    ("datamanager", "Aigerim", "stats_kz", [Role.DATA_MANAGER]),
    ("researcher", "Dewi", "gov_id", [Role.RESEARCHER]),
    ("coordinator", "Lina", "ngo_bkk", [Role.ENGAGEMENT_COORDINATOR]),
    ("auditor", "Pim", "ngo_bkk", [Role.AUDITOR]),
]


def load(ctx: dict) -> None:
    orgs = {}
    for key, name, short, kind, country in ORGANISATIONS:
        orgs[key], _ = Organisation.objects.get_or_create(
            name=name, defaults={"short_name": short, "kind": kind, "country": country}
        )
    users = {}
    for username, first_name, org_key, roles in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first_name)
            user.set_password(DEMO_PASSWORD)
            user.save()
        for role in roles:
            Membership.objects.get_or_create(user=user, organisation=orgs[org_key], role=role)
        users[username] = user
    ctx["orgs"] = orgs
    ctx["users"] = users


def run_all() -> dict:
    """Load every app's demo data in dependency order, in one transaction."""
    from importlib import import_module
    from importlib.util import find_spec

    from .audit import audit_record
    from .audit_actions import AuditAction

    ctx: dict = {}
    with transaction.atomic():
        for app_path in settings.LINDUNG_APPS:
            if find_spec(f"{app_path}.demo"):
                import_module(f"{app_path}.demo").load(ctx)
        audit_record(action=AuditAction.DEMO_LOADED, detail={"apps": list(settings.LINDUNG_APPS)})
    return ctx
