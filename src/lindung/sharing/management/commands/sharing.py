"""``lindung sharing ...``: exchange with other Lindung nodes from the command line.

    lindung sharing sync [--peer NAME] [--no-validate]       pull from peers (cron it: see docs/sharing.md)
    lindung sharing export-stix --agreement REF --out FILE   what the agreement lets out, as a STIX bundle
    lindung sharing add-organisation --name N --kind K --country ISO3 [--short-name S]
    lindung sharing add-peer --name N --organisation ORG --api-root URL [--incoming-secret S]
                             [--outgoing-username U --outgoing-secret S] [--partner ORG ...]
    lindung sharing add-agreement --reference R --organisation ORG --peer N --partner ORG ...
                             --categories C,... [--fields F,...|all] [--tlp-ceiling T] ...
    lindung sharing revoke-agreement REF
    lindung sharing received [--json]                       what this node holds from peers
    lindung sharing purge                                   delete received objects past retention

Secrets may be given as ``env:VARIABLE`` so that they do not appear in the process list.
"""

import json
import os
import sys
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from lindung.core.actors import SYSTEM
from lindung.core.interpreter import bulk_process
from lindung.core.markings import TLP
from lindung.core.models import Organisation
from lindung.core.services import organisation_create

from ... import selectors, services, stix, sync, tasks
from ...models import Peer, SharingAgreement


def _secret(value: str) -> str:
    if value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise CommandError(f"The environment variable {name} is not set.")
        return os.environ[name]
    return value


def _organisation(key: str) -> Organisation:
    found = Organisation.objects.filter(Q(name=key) | Q(short_name=key))
    if found.count() != 1:
        raise CommandError(f"No single organisation is named or abbreviated {key!r}.")
    return found.get()


def _agreement(reference: str, peer: str | None) -> SharingAgreement:
    found = SharingAgreement.objects.filter(reference=reference)
    if peer:
        found = found.filter(peer__name=peer)
    if found.count() > 1:
        raise CommandError(f"Several agreements have the reference {reference!r}: add --peer.")
    if not found:
        raise CommandError(f"No agreement {reference!r}.")
    return found.get()


def _date(text):
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CommandError(f"{text!r} is not an ISO date-time.") from exc


class Command(BaseCommand):
    help = "Exchange with other Lindung nodes: sync, export-stix, peers and agreements."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("sync", help="Pull from peers over TAXII 2.1.")
        p.add_argument("--peer", default=None)
        p.add_argument(
            "--no-validate",
            action="store_true",
            help="Skip the OASIS validator on pulled pages (structural checks still run).",
        )
        p.add_argument("--page-size", type=int, default=sync.PAGE_SIZE)
        p = sub.add_parser("export-stix", help="Write what an agreement lets out as a STIX 2.1 bundle.")
        p.add_argument("--agreement", required=True)
        p.add_argument("--peer", default=None, help="When several agreements share the reference.")
        p.add_argument("--out", required=True)
        p = sub.add_parser("add-organisation")
        p.add_argument("--name", required=True)
        p.add_argument("--short-name", default="")
        p.add_argument("--kind", default=Organisation.Kind.REGIONAL_CENTRE, choices=Organisation.Kind.values)
        p.add_argument("--country", required=True)
        p = sub.add_parser("add-peer")
        p.add_argument("--name", required=True)
        p.add_argument("--organisation", required=True, help="Our organisation administering the link.")
        p.add_argument("--api-root", required=True, help="The peer's TAXII API root URL.")
        p.add_argument(
            "--incoming-secret", default="", help="Secret the peer signs in with (default: generated)."
        )
        p.add_argument("--outgoing-username", default="")
        p.add_argument("--outgoing-secret", default="")
        p.add_argument("--partner", action="append", default=[], help="An organisation at that node.")
        p = sub.add_parser("add-agreement")
        p.add_argument("--reference", required=True)
        p.add_argument("--organisation", required=True)
        p.add_argument("--peer", required=True)
        p.add_argument("--partner", action="append", required=True)
        p.add_argument("--title", default="")
        p.add_argument("--purpose", required=True)
        p.add_argument("--categories", required=True)
        p.add_argument("--fields", default="all", help="Comma-separated, or 'all' fields of the categories.")
        p.add_argument("--tlp-ceiling", default=TLP.AMBER_STRICT, choices=TLP.values)
        p.add_argument("--retention-days", type=int, default=365)
        p.add_argument("--valid-until", default="")
        p.add_argument("--peer-may-write", action="store_true")
        p = sub.add_parser("revoke-agreement")
        p.add_argument("reference")
        p.add_argument("--peer", default=None, help="When several agreements share the reference.")
        p = sub.add_parser("received")
        p.add_argument("--json", action="store_true")
        sub.add_parser("purge")

    def handle(self, *args, **options):
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise CommandError(f"Refused: {detail}") from exc

    def do_sync(self, options):
        if options["peer"] and not Peer.objects.filter(name=options["peer"]).exists():
            raise CommandError(f"No peer named {options['peer']!r}.")
        # This process's work is the pull: the interpreter is set for it here, at its entry point.
        with bulk_process():
            reports = sync.sync(
                peer_name=options["peer"],
                full_validation=not options["no_validate"],
                page_size=options["page_size"],
            )
        for r in reports:
            line = (
                f"{r.agreement}: {'ok' if r.ok else 'REFUSED'} — {r.objects} objects, {r.created} new, "
                f"{r.updated} updated, {r.unchanged} unchanged. {r.message}"
            )
            self.stdout.write(line.strip())
        if not reports:
            self.stdout.write("No agreement in force to pull.")
        if any(not r.ok for r in reports):
            sys.exit(1)

    def do_export_stix(self, options):
        agreement = _agreement(options["agreement"], options["peer"])
        if not agreement.in_force():
            raise CommandError(
                f"The agreement {agreement.reference} is not in force: nothing may leave under it."
            )
        written = tasks.export_stix_file(agreement, Path(options["out"]))
        self.stdout.write(
            f"Wrote {written['objects']} STIX objects ({written['incidents']} incidents) to {options['out']}."
        )

    def do_add_organisation(self, options):
        org = Organisation.objects.filter(name=options["name"]).first()
        if org is None:
            org = organisation_create(
                acting_user=SYSTEM,
                name=options["name"],
                kind=options["kind"],
                country=options["country"],
                short_name=options["short_name"],
            )
        self.stdout.write(f"Organisation {org.pk}: {org.name}")

    def do_add_peer(self, options):
        peer, secret = services.peer_create(
            acting_user=SYSTEM,
            organisation=_organisation(options["organisation"]),
            name=options["name"],
            api_root_url=options["api_root"],
            incoming_secret=_secret(options["incoming_secret"]),
            outgoing_username=options["outgoing_username"],
            outgoing_secret=_secret(options["outgoing_secret"]),
            organisations=[_organisation(p) for p in options["partner"]],
        )
        self.stdout.write(f"Peer {peer.name} registered.")
        if not options["incoming_secret"]:
            self.stdout.write(f"Give the peer this secret (shown once): {secret}")

    def do_add_agreement(self, options):
        peer = Peer.objects.filter(name=options["peer"]).first()
        if peer is None:
            raise CommandError(f"No peer named {options['peer']!r}.")
        categories = [c.strip() for c in options["categories"].split(",") if c.strip()]
        if options["fields"] == "all":
            fields = [f for c in categories for f in stix.CATEGORIES.get(c, ())]
        else:
            fields = [f.strip() for f in options["fields"].split(",") if f.strip()]
        agreement = services.agreement_create(
            acting_user=SYSTEM,
            organisation=_organisation(options["organisation"]),
            peer=peer,
            partner_organisations=[_organisation(p) for p in options["partner"]],
            reference=options["reference"],
            title=options["title"] or options["reference"],
            purpose=options["purpose"],
            categories=categories,
            fields=fields,
            tlp_ceiling=options["tlp_ceiling"],
            retention_days=options["retention_days"],
            valid_until=_date(options["valid_until"]),
            peer_may_write=options["peer_may_write"],
        )
        self.stdout.write(f"Agreement {agreement.reference} recorded; collection {agreement.collection_id}.")

    def do_revoke_agreement(self, options):
        agreement = _agreement(options["reference"], options["peer"])
        services.agreement_revoke(acting_user=SYSTEM, agreement=agreement)
        self.stdout.write(f"Agreement {agreement.reference} revoked: exchange under it has stopped.")

    def do_received(self, options):
        rows = selectors.received_summary()
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=1))
            return
        for row in rows:
            self.stdout.write(
                f"{row['stix_id']} v{row['version']} {row['tlp']} from {row['peer']} "
                f"({row['agreement']}) shared with {', '.join(row['shared_with'])}"
            )

    def do_purge(self, options):
        self.stdout.write(f"Deleted {services.purge_expired_imports()} received incidents past retention.")
