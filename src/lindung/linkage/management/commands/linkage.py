import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import SYSTEM
from lindung.core.models import Organisation
from lindung.core.parsing import id_or_none
from lindung.linkage import pprl_services, services
from lindung.linkage.models import LinkageAgreement


class Command(BaseCommand):
    help = (
        "Record linkage jobs. 'lindung linkage index' rebuilds the duplicate-check keys (keyed digests "
        "of name tokens, phonetic codes, dates of birth and document numbers) of every person, or of "
        "one organisation's: for persons registered before linkage existed. "
        "'lindung linkage encode --agreement REF [--organisation ORG] [--out FILE]' writes the party's "
        "Bloom-filter encodings under a linkage agreement; 'lindung linkage match --agreement REF A.json "
        "B.json [--threshold 0.8] [--out FILE]' matches two parties' encodings and writes the matched "
        "pairs of pseudonymous references."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["index", "encode", "match"])
        parser.add_argument("files", nargs="*", help="match: the two parties' encodings files")
        parser.add_argument("--organisation", help="an organisation's id or short name")
        parser.add_argument("--agreement", help="encode, match: the linkage agreement's reference")
        parser.add_argument("--out", help="encode, match: the file to write (default: standard output)")
        parser.add_argument("--threshold", default=str(pprl_services.DEFAULT_THRESHOLD))
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        organisation = self._organisation(options["organisation"])
        if options["job"] == "index":
            return self._index(organisation, options)
        agreement = LinkageAgreement.objects.filter(reference=options["agreement"] or "").first()
        if agreement is None:
            raise CommandError(f"No linkage agreement {options['agreement']!r}: give --agreement REF.")
        try:
            if options["job"] == "encode":
                data, run = pprl_services.pprl_encode(
                    acting_user=SYSTEM, agreement=agreement, organisation=organisation
                )
                summary = {"run": run.pk, "records": run.records[0]}
            else:
                files = [self._read(name) for name in options["files"]]
                result = pprl_services.pprl_match(
                    acting_user=SYSTEM, agreement=agreement, files=files, threshold=options["threshold"]
                )
                data = result.data
                summary = {"run": result.run.pk, "records": result.run.records, "matched": len(result.pairs)}
        except ValidationError as exc:
            raise CommandError(f"{' '.join(exc.messages)} ({exc.code})") from None
        self._write(data, options["out"], summary, options["json"])

    def _organisation(self, ref):
        if not ref:
            return None
        pk = id_or_none(ref)
        lookup = {"pk": pk} if pk else {"short_name": ref}
        organisation = Organisation.objects.filter(**lookup).first()
        if organisation is None:
            raise CommandError(f"No organisation {ref!r}.")
        return organisation

    def _read(self, name) -> bytes:
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None

    def _write(self, data: bytes, out, summary: dict, as_json: bool):
        if not out:
            self.stdout.write(data.decode())
            return
        Path(out).write_bytes(data)
        if as_json:
            self.stdout.write(json.dumps({**summary, "out": out}))
        else:
            self.stdout.write(self.style.SUCCESS(f"Wrote {out}: {json.dumps(summary)}"))

    def _index(self, organisation, options):
        counts = services.blocking_keys_rebuild(acting_user=SYSTEM, organisation=organisation)
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Keys rebuilt for {counts['persons']} person(s): {counts['keys']} key(s)."
                )
            )
