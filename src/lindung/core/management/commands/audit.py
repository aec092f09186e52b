import sys

from django.core.management.base import BaseCommand

from lindung.core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Audit log tools. 'lindung audit verify' checks the hash chain; exit 1 names the first broken entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries verified."))
            return
        self.stderr.write(
            f"Audit chain BROKEN at entry {report.broken_id}: {report.reason} "
            f"({report.checked} entries before it verified)."
        )
        sys.exit(1)
