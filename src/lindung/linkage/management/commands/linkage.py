import json

from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import SYSTEM
from lindung.core.models import Organisation
from lindung.core.parsing import id_or_none
from lindung.linkage import services


class Command(BaseCommand):
    help = (
        "Record linkage jobs. 'lindung linkage index' rebuilds the duplicate-check keys (keyed digests "
        "of name tokens, phonetic codes, dates of birth and document numbers) of every person, or of "
        "one organisation's: for persons registered before linkage existed."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["index"])
        parser.add_argument("--organisation", help="an organisation's id or short name (default: all)")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        organisation = None
        if options["organisation"]:
            ref = options["organisation"]
            pk = id_or_none(ref)
            lookup = {"pk": pk} if pk else {"short_name": ref}
            organisation = Organisation.objects.filter(**lookup).first()
            if organisation is None:
                raise CommandError(f"No organisation {ref!r}.")
        counts = services.blocking_keys_rebuild(acting_user=SYSTEM, organisation=organisation)
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Keys rebuilt for {counts['persons']} person(s): {counts['keys']} key(s)."
                )
            )
