import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import SYSTEM
from lindung.core.models import Organisation, User
from lindung.core.parsing import id_or_none
from lindung.maritime import same_event, services

SHOWN_PROBLEMS = 50  # per kind on the terminal; --json lists them all


class Command(BaseCommand):
    help = (
        "Incidents at sea. 'lindung maritime import FILE --format mmp' imports an IOM Missing Migrants "
        "Project CSV (2019, 2021 or current layout) as TLP:CLEAR incidents; importing the same file again "
        "changes nothing (idempotent by the source id). The whole file is imported or nothing is, unless "
        "--partial: then the valid rows are imported and the others reported. "
        "'lindung maritime match-events' lists pairs of incidents that look like reports of one event "
        "(within a day, 25 km, similar dead and missing) for an analyst to merge or keep apart."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "match-events"])
        parser.add_argument("file", type=Path, nargs="?", help="the file to import")
        parser.add_argument("--format", choices=sorted(services.IMPORT_FORMATS))
        parser.add_argument(
            "--organisation",
            help="owning organisation (id or short name); may be left out when there is only one",
        )
        parser.add_argument("--user", help="import as this user (their role must allow recording incidents)")
        parser.add_argument(
            "--partial", action="store_true", help="import the valid rows and report the others"
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, **options):
        if options["action"] == "match-events":
            return self._match_events(self._user(options["user"]), options["json"])
        if options["file"] is None or options["format"] is None:
            raise CommandError("import needs a FILE and --format")
        organisation = self._organisation(options["organisation"])
        acting_user = self._user(options["user"])
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from exc
        try:
            summary = services.incidents_import_file(
                acting_user=acting_user,
                organisation=organisation,
                data=data,
                fmt=options["format"],
                partial=options["partial"],
            )
        except PermissionDenied as exc:
            raise CommandError(f"{acting_user} may not record incidents for {organisation}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))
        else:
            self._report(summary)
        if summary.refused_whole:
            raise CommandError(f"{summary.refused} row(s) refused; nothing was imported.")

    def _match_events(self, acting_user, as_json):
        """Candidate pairs among the incidents ``acting_user`` sees (everything for the console)."""
        found = same_event.candidates(acting_user)
        if as_json:
            rows = [vars(c) for c in found]
            self.stdout.write(json.dumps({"candidates": len(rows), "pairs": rows}, indent=2))
            return
        for c in found:
            reasons = ", ".join(r["code"] for r in c.reasons)
            self.stdout.write(f"incidents {c.first} and {c.second}: score {c.score} ({reasons})")
        self.stdout.write(self.style.SUCCESS(f"{len(found)} pair(s) proposed as the same event."))

    def _report(self, summary):
        for kind, problems in (
            ("error", summary.errors),
            ("fix", summary.fixes),
            ("warning", summary.warnings),
        ):
            for problem in problems[:SHOWN_PROBLEMS]:
                column = f"{problem['column']}: " if problem["column"] else ""
                self.stderr.write(
                    f"{kind}: row {problem['row']}: {column}{problem['message']} [{problem['code']}]"
                )
            if len(problems) > SHOWN_PROBLEMS:
                self.stderr.write(f"... and {len(problems) - SHOWN_PROBLEMS} more {kind}(s) (see --json)")
        for kind, labels in summary.unmatched.items():
            for label, count in sorted(labels.items()):
                self.stderr.write(f"unmatched {kind}: {label!r} on {count} row(s)")
        if not summary.refused_whole:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{summary.rows} row(s): {summary.created} created, {summary.updated} updated, "
                    f"{summary.unchanged} already present and unchanged, {summary.refused} refused; "
                    f"{len(summary.fixes)} fix(es), {len(summary.warnings)} warning(s)."
                )
            )

    def _organisation(self, given):
        if given:
            pk = id_or_none(given)
            query = (
                Organisation.objects.filter(pk=pk)
                if pk is not None
                else Organisation.objects.filter(short_name=given)
            )
            org = query.first()
            if org is None:
                raise CommandError(f"no organisation {given!r}")
            return org
        orgs = list(Organisation.objects.all()[:2])
        if len(orgs) != 1:
            raise CommandError("name the owning organisation with --organisation (id or short name)")
        return orgs[0]

    def _user(self, username):
        if not username:
            return SYSTEM  # the operator at the server's console
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user
