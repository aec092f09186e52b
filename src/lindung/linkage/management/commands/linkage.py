import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
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
        "one organisation's: for persons registered before linkage existed. 'lindung linkage dedupe' "
        "looks for duplicates among the persons of each organisation (or of one) with Splink on "
        "DuckDB in memory, trained without labels, and puts the pairs found in the review queue. "
        "'lindung linkage encode --agreement REF [--organisation ORG] [--out FILE]' writes the party's "
        "Bloom-filter encodings under a linkage agreement; 'lindung linkage match --agreement REF A.json "
        "B.json [--threshold 0.8] [--out FILE]' matches two parties' encodings and writes the matched "
        "pairs of pseudonymous references."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["index", "dedupe", "encode", "match"])
        parser.add_argument("files", nargs="*", help="match: the two parties' encodings files")
        parser.add_argument("--organisation", help="an organisation's id or short name (default: all)")
        parser.add_argument(
            "--agreement",
            help="encode, match: the linkage agreement's reference; dedupe: across the organisations "
            "of a sharing agreement (not available yet)",
        )
        parser.add_argument(
            "--engine", choices=["duckdb", "spark"], default="duckdb", help="dedupe: Splink's backend"
        )
        parser.add_argument("--out", help="encode, match: the file to write (default: standard output)")
        parser.add_argument("--threshold", default=str(pprl_services.DEFAULT_THRESHOLD))
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        organisation = self._organisation(options["organisation"]) if options["organisation"] else None
        if options["job"] == "index":
            return self._index(organisation, options)
        if options["job"] == "dedupe":
            return self._dedupe(organisation, options)
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
        pk = id_or_none(ref)
        organisation = Organisation.objects.filter(**({"pk": pk} if pk else {"short_name": ref})).first()
        if organisation is None:
            raise CommandError(f"No organisation {ref!r} (code: unknown_organisation).")
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

    def _dedupe(self, organisation, options):
        if options["engine"] == "spark":
            raise CommandError("The Spark engine is not available yet (code: engine_unavailable).")
        if options["agreement"]:
            # Sharing agreements belong to sharing, above linkage: pairs across organisations wait for it.
            raise CommandError(
                "Deduplication across the organisations of an agreement is not available yet "
                "(code: agreement_unavailable)."
            )
        organisations = [organisation] if organisation else list(Organisation.objects.order_by("pk"))
        report = []
        for org in organisations:
            try:
                run = services.dedupe_run(acting_user=SYSTEM, organisation=org)
            except ValidationError as exc:
                if organisation is not None:
                    raise CommandError(f"{' '.join(exc.messages)} (code: {exc.code}).") from exc
                continue  # an organisation with fewer than two persons has nothing to compare
            except PermissionDenied as exc:
                raise CommandError("Not allowed (code: forbidden).") from exc
            report.append(
                {
                    "organisation": org.pk,
                    "run": run.pk,
                    "persons": run.persons,
                    "pairs": run.pairs,
                    "proposed": run.proposed,
                }
            )
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        for row in report:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Organisation {row['organisation']}: {row['persons']} person(s) compared, "
                    f"{row['pairs']} pair(s) found, {row['proposed']} proposed for review (run {row['run']})."
                )
            )
