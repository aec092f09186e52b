from django.core.management.base import BaseCommand, CommandError

from lindung.core.keys import rotate_keys


class Command(BaseCommand):
    help = (
        "Key management. 'lindung keys rotate' gives every organisation a new data key, re-encrypts all "
        "personal data with it and re-wraps every key with the first master key in LINDUNG_MASTER_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate"])
        parser.add_argument("--organisation", type=int, help="only this organisation's data key")

    def handle(self, *args, **options):
        try:
            report = rotate_keys(organisation_id=options["organisation"])
        except Exception as exc:
            raise CommandError(f"Rotation failed and was rolled back: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Rotated {report['organisations']} organisation key(s); "
                f"re-encrypted {report['values']} value(s) "
                f"in {report['rows']} row(s); re-wrapped {report['rewrapped']} key(s)."
            )
        )
