"""``lindung standard export|validate|import``.

Exit codes of ``validate`` (and ``import``): 0 valid (imported; with ``--partial``, the valid rows
imported), 1 invalid (nothing imported), 2 unreadable file or bad arguments.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.core import policy
from lindung.core.models import Organisation, User
from lindung.core.parsing import id_or_none
from lindung.core.roles import Capability

from ... import exports, profiles, registry, selectors, services
from ...validation import EXIT_INVALID, EXIT_UNREADABLE, validate_bytes

DEFAULT_MAX_MB = 1024


class Command(BaseCommand):
    help = "The data standard: export it, validate a file against it, import a file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the standard (or records) in another format.")
        export.add_argument("--format", required=True, choices=[*exports.FORMATS, "ctdc-records"])
        export.add_argument("--out", required=True, help="File to write ('-' for standard output).")
        export.add_argument(
            "--version", dest="std_version", default=None, help="Standard version (default: current)."
        )
        export.add_argument("--user", help="ctdc-records: export the records this user may read.")
        export.add_argument(
            "--ctdc-release",
            choices=list(profiles.ctdc_releases()),
            default=None,
            help="ctdc-records: the CTDC release whose layout and spellings to write (default: "
            f"{profiles.ctdc_release().id}).",
        )
        for name, helptext in (
            ("validate", "Check a CSV or XLSX file."),
            ("import", "Import a CSV or XLSX file."),
        ):
            cmd = sub.add_parser(name, help=helptext)
            cmd.add_argument("file")
            cmd.add_argument("--profile", choices=["lindung", "ctdc"], default="lindung")
            cmd.add_argument("--version", dest="std_version", default=None)
            cmd.add_argument("--json", action="store_true", help="Machine-readable output.")
            cmd.add_argument("--max-mb", type=int, default=DEFAULT_MAX_MB, help="Refuse larger files.")
            if name == "import":
                cmd.add_argument("--user", required=True, help="Username of the data manager importing.")
                cmd.add_argument(
                    "--partial",
                    action="store_true",
                    help="Import the valid rows, report the others (default: an error refuses the file).",
                )
                cmd.add_argument(
                    "--org", help="Organisation (id or short name); default: the user's only one."
                )

    def handle(self, *args, **opts):
        action = opts["action"]
        if opts.get("std_version") and opts["std_version"] not in registry.versions():
            raise CommandError(
                f"unknown standard version {opts['std_version']}; known: {', '.join(registry.versions())}"
            )
        if action == "export":
            return self._export(opts)
        data = self._read(opts)
        if action == "validate":
            return self._validate(data, opts)
        return self._import(data, opts)

    # ------------------------------------------------------------------------------------------

    def _export(self, opts):
        if opts["format"] == "ctdc-records":
            if not opts.get("user"):
                raise CommandError("--user is required to export records")
            user = self._user(opts["user"])
            content = exports.records_ctdc_csv(
                selectors.records_visible(user).iterator(), opts["std_version"], opts["ctdc_release"]
            )
            services.records_exported(acting_user=user, count=content.count(b"\n") - 1, profile="ctdc")
        else:
            content = exports.render(opts["format"], opts["std_version"])
        if opts["out"] == "-":
            sys.stdout.buffer.write(content)
        else:
            Path(opts["out"]).write_bytes(content)
            self.stderr.write(f"wrote {len(content)} bytes to {opts['out']}")

    def _read(self, opts) -> bytes:
        path = Path(opts["file"])
        if not path.is_file():
            self._fail(opts, "file.missing", f"no such file: {path}")
        size = path.stat().st_size
        if size > opts["max_mb"] * 1024 * 1024:
            self._fail(
                opts,
                "file.too_large",
                f"the file is {size / 1048576:.0f} MB; the limit is {opts['max_mb']} MB (--max-mb)",
            )
        return path.read_bytes()

    def _fail(self, opts, rule, message):
        if opts.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "valid": False,
                        "readable": False,
                        "errors": 1,
                        "error_list": [
                            {"row": None, "column": "", "value": "", "rule": rule, "message": message}
                        ],
                    }
                )
            )
        else:
            self.stderr.write(f"error: {message}")
        sys.exit(EXIT_UNREADABLE)

    def _validate(self, data, opts):
        result = validate_bytes(data, profile=opts["profile"], version=opts["std_version"])
        if opts["json"]:
            self.stdout.write(
                json.dumps({**result.summary(), "error_list": result.error_rows()}, ensure_ascii=False)
            )
        else:
            self._print_summary(result)
        sys.exit(result.exit_code)

    def _print_summary(self, result):
        s = result.summary()
        verdict = "VALID" if result.is_valid else ("UNREADABLE" if not result.readable else "INVALID")
        self.stdout.write(
            f"{verdict}: {s['rows']} rows, {s['valid_rows']} valid, {s['errors']} errors "
            f"(profile {s['profile']}, standard {s['standard_version']})"
        )
        for rule, count in s["errors_by_rule"].items():
            self.stdout.write(f"  {rule}: {count}")
        if result.error_count:
            self.stdout.write("row\tcolumn\tvalue\trule\tmessage")
            for e in result.errors.iter_rows(named=True):
                row = "" if e["row"] is None else e["row"]
                self.stdout.write(f"{row}\t{e['column']}\t{e['value'] or ''}\t{e['rule']}\t{e['message']}")

    def _user(self, username):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user

    def _import(self, data, opts):
        user = self._user(opts["user"])
        orgs = policy.organisations_with(user, Capability.MANAGE_STANDARD)
        if opts.get("org"):
            org = _organisation(opts["org"])
            if org is None or org.pk not in orgs:
                raise CommandError(f"{username_hint(user)} cannot import for organisation {opts['org']!r}")
        elif len(orgs) == 1:
            org = Organisation.objects.get(pk=next(iter(orgs)))
        else:
            raise CommandError(
                f"{username_hint(user)} imports for {len(orgs)} organisations; choose one with --org"
            )
        batch = services.batch_import(
            acting_user=user,
            organisation=org,
            file_name=Path(opts["file"]).name,
            data=data,
            profile=opts["profile"],
            version=opts["std_version"],
            partial=opts["partial"],
        )
        counts = ("already_present", "invalid_rows", "identical_in_file", "identical_to_existing")
        summary = {
            "status": batch.status,
            "rows": batch.rows,
            "imported": batch.imported,
            "skipped": batch.skipped,
            "errors": batch.error_count,
            **{name: batch.summary.get(name, 0) for name in counts},
            "error_list": getattr(batch, "error_details", []),
            "warnings": batch.summary.get("warnings", []),
            "batch": batch.pk,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self._print_import(batch, summary)
        if batch.status != batch.Status.DONE:
            sys.exit(EXIT_UNREADABLE if not batch.summary.get("readable", True) else EXIT_INVALID)

    def _print_import(self, batch, summary):
        self.stdout.write(
            f"{batch.get_status_display()}: {summary['rows']} rows, {summary['imported']} imported, "
            f"{summary['skipped']} skipped ({summary['already_present']} already present, "
            f"{summary['invalid_rows']} with errors), {summary['errors']} errors (batch {batch.pk})"
        )
        if summary["identical_to_existing"] or summary["identical_in_file"]:
            self.stdout.write(
                f"Imported as distinct records: {summary['identical_to_existing']} rows equal to records "
                f"of other files, {summary['identical_in_file']} repeated rows within the file."
            )
        for warning in summary["warnings"]:
            self.stdout.write(f"warning: {warning['rule']}: {warning['message']}")
        if batch.error_count:
            self.stdout.write("row\tcolumn\tvalue\trule")
            for e in summary["error_list"]:
                row = "" if e["row"] is None else e["row"]
                self.stdout.write(f"{row}\t{e['column']}\t{e['value'] or ''}\t{e['rule']}")
            if batch.status != batch.Status.DONE:
                self.stdout.write(
                    "Nothing was imported. Run `lindung standard validate` for every error, or import "
                    "the valid rows with --partial."
                )


def _organisation(reference: str):
    pk = id_or_none(reference)
    if pk is not None:
        return Organisation.objects.filter(pk=pk).first()
    return Organisation.objects.filter(short_name=reference).first()


def username_hint(user) -> str:
    return f"user {user.get_username()!r}"
