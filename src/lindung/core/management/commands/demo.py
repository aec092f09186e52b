from django.core.management.base import BaseCommand

from lindung.core import demo


class Command(BaseCommand):
    help = "Load synthetic demo organisations, users and data for every module (idempotent)."

    def handle(self, *args, **options):
        ctx = demo.run_all()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
        for username, _first, org_key, roles in demo.USERS:
            org = ctx["orgs"][org_key]
            self.stdout.write(f"  {username:<15} {', '.join(str(r.label) for r in roles)} — {org.name}")
