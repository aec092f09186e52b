import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lindung.frameworks import exports, reference, services


class Command(BaseCommand):
    help = (
        "Frameworks knowledge base. 'load-reference [--examples]' loads the shipped reference content; "
        "'import FILE --user NAME' imports instruments from CSV or JSON (all rows or none); "
        "'export --countries IDN,MYS,THA --format csv|xlsx|docx|pdf --user NAME [--theme atd] -o FILE'."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load-reference", "import", "export"])
        parser.add_argument("file", nargs="?", help="the file to import")
        parser.add_argument("--examples", action="store_true", help="also load the national examples")
        parser.add_argument("--user", help="username the import or export is made as")
        parser.add_argument("--countries", default="IDN,MYS,THA")
        parser.add_argument("--format", choices=["csv", "xlsx", "docx", "pdf"], default="csv")
        parser.add_argument("--theme", default="")
        parser.add_argument("-o", "--output", help="file to write (default: standard output for csv)")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "load-reference":
            counts = reference.load(examples=options["examples"])
            created, known = counts["instruments_created"], counts["instruments_known"]
            self.stdout.write(self.style.SUCCESS(f"{created} instruments created, {known} known."))
            return
        user = self._user(options["user"])
        if action == "import":
            self._import(user, options["file"])
        else:
            self._export(user, options)

    def _user(self, username):
        if not username:
            raise CommandError(
                "--user is required: imports and exports are made as, and audited for, a person."
            )
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user

    def _import(self, user, file):
        if not file:
            raise CommandError("Name the file to import.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        result = services.instruments_import(acting_user=user, name=path.name, content=path.read_bytes())
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{len(result.errors)} problems: nothing was imported.")
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"{len(result.created)} instruments imported."))

    def _export(self, user, options):
        countries = [c.strip().upper() for c in options["countries"].split(",") if c.strip()]
        fmt = options["format"]
        review = exports.desk_review(user, countries, options["theme"])
        builders = {
            "csv": exports.matrix_csv,
            "xlsx": exports.matrix_xlsx,
            "docx": exports.report_docx,
            "pdf": exports.report_pdf,
        }
        content = builders[fmt](review)
        services.export_recorded(
            acting_user=user, kind=f"command.{fmt}", countries=countries, theme=options["theme"]
        )
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']} ({len(content)} bytes)."))
        elif fmt == "csv":
            self.stdout.write(content.decode("utf-8-sig"))
        else:
            raise CommandError(f"Give -o FILE for {fmt}.")
