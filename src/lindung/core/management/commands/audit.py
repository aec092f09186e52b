import sys
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lindung.core.audit import AnchorError, anchor_write, audit_purge, verify_chain


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks the keyed hash chain against the anchors (exit 1 names the "
        "first broken entry); 'anchor' appends the chain's signed head to the anchor file (schedule "
        "it, e.g. every few minutes); 'purge --before DATE' removes older entries under the retention "
        "period, leaving a marker in the chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor", "purge"])
        parser.add_argument("--anchors", help="the anchor file (default: LINDUNG_AUDIT_ANCHOR_FILE)")
        parser.add_argument("--before", help="purge: remove the entries older than this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        getattr(self, options["action"])(options)

    def verify(self, options):
        report = verify_chain(options["anchors"])
        if report.ok:
            intact = f"Audit chain intact: {report.checked} entries verified, {report.anchors} anchor(s)."
            self.stdout.write(self.style.SUCCESS(intact))
            if report.warning:
                self.stderr.write(f"Warning: {report.warning}.")
            return
        where = f" at entry {report.broken_id}" if report.broken_id is not None else ""
        self.stderr.write(
            f"Audit chain BROKEN{where} [{report.code}]: {report.reason} "
            f"({report.checked} entries before it verified)."
        )
        sys.exit(1)

    def anchor(self, options):
        try:
            record = anchor_write(options["anchors"])
        except AnchorError as exc:
            raise CommandError(f"No anchor written: {exc}") from exc
        self.stdout.write(f"Anchored entry {record['id']} ({record['hash'][:16]}…) at {record['at']}.")

    def purge(self, options):
        if not options["before"]:
            raise CommandError("purge needs --before YYYY-MM-DD")
        try:
            day = datetime.strptime(options["before"], "%Y-%m-%d").date()
        except ValueError as exc:
            raise CommandError(f"--before {options['before']!r} is not a date (YYYY-MM-DD)") from exc
        deleted = audit_purge(before=timezone.make_aware(datetime.combine(day, time.min)))
        self.stdout.write(f"Removed {deleted} audit entries older than {day}.")
