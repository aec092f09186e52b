import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import SYSTEM
from lindung.core.models import Organisation, User
from lindung.core.parsing import id_or_none
from lindung.maritime import services

SHOWN_PROBLEMS = 50  # per kind on the terminal; --json lists them all


class Command(BaseCommand):
    help = (
        "Incidents at sea. 'lindung maritime import FILE --format mmp' imports an IOM Missing Migrants "
        "Project CSV (2019, 2021 or current layout) as TLP:CLEAR incidents; importing the same file again "
        "changes nothing (idempotent by the source id). The whole file is imported or nothing is, unless "
        "--partial: then the valid rows are imported and the others reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=sorted(services.IMPORT_FORMATS), required=True)
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
