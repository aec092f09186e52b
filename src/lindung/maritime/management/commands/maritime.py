import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import SYSTEM
from lindung.core.models import Organisation, User
from lindung.core.parsing import id_or_none
from lindung.maritime import importers, services

FORMATS = {"mmp": importers.parse_mmp}


class Command(BaseCommand):
    help = (
        "Incidents at sea. 'lindung maritime import FILE --format mmp' imports an IOM Missing Migrants "
        "Project CSV (older or current layout) as TLP:CLEAR incidents; importing the same file again "
        "changes nothing (idempotent by the source id). The whole file is imported or nothing is."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=sorted(FORMATS), required=True)
        parser.add_argument(
            "--organisation",
            help="owning organisation (id or short name); may be left out when there is only one",
        )
        parser.add_argument("--user", help="import as this user (their role must allow recording incidents)")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, **options):
        organisation = self._organisation(options["organisation"])
        acting_user = self._user(options["user"])
        summary = services.ImportSummary(format=options["format"])
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from exc
        try:
            records, summary.errors, summary.rows = FORMATS[options["format"]](data)
        except importers.FileRefused as exc:
            summary.errors = [{"row": 1, "errors": [str(exc)]}]
            records = []
        try:
            services.incidents_import_public(
                acting_user=acting_user, organisation=organisation, records=records, summary=summary
            )
        except PermissionDenied as exc:
            raise CommandError(f"{acting_user} may not record incidents for {organisation}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        result = summary.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        elif not summary.errors:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{summary.rows} row(s): {summary.created} created, {summary.updated} updated, "
                    f"{summary.unchanged} already present and unchanged."
                )
            )
        if summary.errors:
            if not options["json"]:
                for error in summary.errors[:50]:
                    self.stderr.write(f"row {error['row']}: {'; '.join(error['errors'])}")
            raise CommandError(f"{len(summary.errors)} row(s) refused; nothing was imported.")

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
