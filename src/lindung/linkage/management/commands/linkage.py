import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import SYSTEM
from lindung.core.models import Organisation
from lindung.core.parsing import id_or_none
from lindung.linkage import services


class Command(BaseCommand):
    help = (
        "Record linkage jobs. 'lindung linkage index' rebuilds the duplicate-check keys (keyed digests "
        "of name tokens, phonetic codes, dates of birth and document numbers) of every person, or of "
        "one organisation's: for persons registered before linkage existed. 'lindung linkage dedupe' "
        "looks for duplicates among the persons of each organisation (or of one) with Splink on "
        "DuckDB in memory, trained without labels, and puts the pairs found in the review queue."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["index", "dedupe"])
        parser.add_argument("--organisation", help="an organisation's id or short name (default: all)")
        parser.add_argument(
            "--agreement", help="dedupe across the organisations of a sharing agreement (not available yet)"
        )
        parser.add_argument(
            "--engine", choices=["duckdb", "spark"], default="duckdb", help="Splink's backend (duckdb)"
        )
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def _organisation(self, ref):
        pk = id_or_none(ref)
        organisation = Organisation.objects.filter(**({"pk": pk} if pk else {"short_name": ref})).first()
        if organisation is None:
            raise CommandError(f"No organisation {ref!r} (code: unknown_organisation).")
        return organisation

    def handle(self, *args, **options):
        organisation = self._organisation(options["organisation"]) if options["organisation"] else None
        if options["job"] == "dedupe":
            return self._dedupe(organisation, options)
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
            # Agreements belong to sharing, above linkage: pairs across organisations wait for it.
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
