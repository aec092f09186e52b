import datetime

from django.core.management.base import BaseCommand, CommandError

from lindung.cases import services


class Command(BaseCommand):
    help = (
        "Case management jobs. 'lindung cases retention' anonymises or deletes every case past its "
        "retention date (per case type; legal holds excepted) and logs what it did. Schedule it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["retention"])
        parser.add_argument("--dry-run", action="store_true", help="count what would be done, change nothing")
        parser.add_argument("--today", help="run as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be a date as YYYY-MM-DD") from exc
        report = services.retention_run(today=today, dry_run=options["dry_run"])
        prefix = "Would have" if report["dry_run"] else "Retention:"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix} anonymised {report['anonymised']} case(s), deleted {report['deleted']} case(s); "
                f"persons anonymised {report['persons_anonymised']}, deleted {report['persons_deleted']}."
            )
        )
