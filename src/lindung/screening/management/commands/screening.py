from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lindung.core.models import Organisation, User
from lindung.screening import instrument as ins
from lindung.screening import rules, services
from lindung.screening.models import InstrumentVersion


class Command(BaseCommand):
    help = (
        "Screening instruments. 'build-xlsform' writes instruments/identification.xlsx from its YAML source; "
        "'load' loads the shipped identification interview guide; "
        "'import FILE --organisation ID --user NAME' "
        "imports an XLSForm as a draft; 'export FORM_ID VERSION FILE' writes a version as XLSForm; "
        "'check-rules' checks the identification rules against the instrument."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build-xlsform", "load", "import", "export", "check-rules"])
        parser.add_argument("args", nargs="*")
        parser.add_argument("--organisation", type=int)
        parser.add_argument("--user")

    def handle(self, action, *args, **options):
        if action == "build-xlsform":
            definition = ins.from_source(ins.shipped_source_path())
            target = Path(args[0]) if args else ins.shipped_xlsx_path()
            target.write_bytes(ins.to_xlsx(definition))
            self.stdout.write(self.style.SUCCESS(f"Wrote {target}"))
        elif action == "load":
            version = services.load_shipped_instrument()
            self.stdout.write(self.style.SUCCESS(f"Identification interview guide {version.version} loaded."))
        elif action == "import":
            if len(args) != 1 or not options["organisation"] or not options["user"]:
                raise CommandError("usage: lindung screening import FILE --organisation ID --user USERNAME")
            try:
                version = services.instrument_import(
                    acting_user=User.objects.get(username=options["user"]),
                    organisation=Organisation.objects.get(pk=options["organisation"]),
                    data=Path(args[0]).read_bytes(),
                )
            except ValidationError as exc:
                raise CommandError("\n".join(exc.messages)) from exc
            self.stdout.write(self.style.SUCCESS(f"Imported {version} as a draft."))
        elif action == "export":
            if len(args) != 3:
                raise CommandError("usage: lindung screening export FORM_ID VERSION FILE")
            version = InstrumentVersion.objects.filter(instrument__form_id=args[0], version=args[1]).first()
            if version is None:
                raise CommandError(f"no version {args[1]} of {args[0]}")
            Path(args[2]).write_bytes(ins.to_xlsx(version.definition))
            self.stdout.write(self.style.SUCCESS(f"Wrote {args[2]}"))
        else:
            definition = ins.from_source(ins.shipped_source_path())
            problems = rules.check_rules(rules.rules_for(definition["form_id"]), definition)
            if problems:
                raise CommandError("\n".join(problems))
            self.stdout.write(self.style.SUCCESS("Rules and instrument agree."))
