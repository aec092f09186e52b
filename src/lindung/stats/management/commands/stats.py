import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from lindung.core.models import User
from lindung.stats import exports, indicators, microdata, sources
from lindung.stats.disclosure import DisclosureError
from lindung.stats.tables import protected_table


class Command(BaseCommand):
    help = (
        "Safe statistics. 'lindung stats table INDICATOR --by year,sex --user NAME "
        "[--format csv|xlsx|hxl|sdmx-csv] [--dp EPSILON] [--threshold N] [--rounding 3|5] "
        "[--filter dim:code]' writes a protected table; 'lindung stats indicators' lists the "
        "indicators; 'lindung stats microdata --user NAME [--k 11] [--hxl]' writes the imported "
        "records k-anonymised. Tables count what the user's organisations may see."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["table", "indicators", "microdata"])
        parser.add_argument("indicator", nargs="?")
        parser.add_argument("--by", default="", help="comma-separated dimensions (default: the indicator's)")
        parser.add_argument("--format", default="csv", choices=sorted(exports.FORMATS))
        parser.add_argument(
            "--dp", type=float, default=None, help="epsilon for differentially private counts"
        )
        parser.add_argument("--threshold", type=int, default=None)
        parser.add_argument("--rounding", type=int, default=None)
        parser.add_argument("--filter", action="append", default=[], help="dimension:code (repeatable)")
        parser.add_argument("--user", help="compute as this user (their organisations' data and rules)")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument(
            "--k", type=int, default=None, help="k for microdata (default: the organisation's)"
        )
        parser.add_argument("--hxl", action="store_true", help="microdata with an HXL hashtag row")

    def handle(self, *args, **options):
        if options["action"] == "indicators":
            for indicator in indicators.all_indicators():
                state = "" if indicator.source_adapter.available() else "  (source not installed)"
                self.stdout.write(
                    f"{indicator.id}\t{indicator.name}\t{', '.join(indicator.dimensions)}{state}"
                )
            return
        user = self._user(options["user"])
        try:
            if options["action"] == "microdata":
                content, report = microdata.export_csv(user, k=options["k"], hxl=options["hxl"])
                self.stderr.write(
                    f"k={report.k} on {', '.join(report.quasi_identifiers)}: {report.records} records, "
                    f"{report.suppressed_values} values suppressed, {report.dropped_records} records "
                    f"dropped, generalised {report.generalised or 'nothing'}"
                )
            else:
                if not options["indicator"]:
                    raise CommandError(
                        "name the indicator: lindung stats table INDICATOR (see 'lindung stats indicators')"
                    )
                filters: dict = {}
                for item in options["filter"]:
                    dimension, _sep, code = item.partition(":")
                    if not code:
                        raise CommandError(f"write filters as dimension:code, not {item!r}")
                    filters.setdefault(dimension, []).append(code)
                table = protected_table(
                    user,
                    options["indicator"],
                    options["by"],
                    filters=filters,
                    threshold=options["threshold"],
                    rounding=options["rounding"],
                    epsilon=options["dp"],
                )
                for line in table.coverage_lines():
                    self.stderr.write(line)
                for warning in table.warning_messages():
                    self.stderr.write(f"warning: {warning}")
                content, _type, _name = exports.render(table, options["format"])
        except DisclosureError as exc:
            raise CommandError(f"{exc.code}: {exc}") from exc
        except (indicators.UnknownIndicator, sources.SourceUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(
                f"{user} may not read statistics (VIEW_STATS) or publish them (PUBLISH_STATS)"
            ) from exc
        if options["output"]:
            with open(options["output"], "wb") as handle:
                handle.write(content)
        else:
            sys.stdout.buffer.write(content) if options["format"] == "xlsx" else self.stdout.write(
                content.decode()
            )

    def _user(self, username):
        if not username:
            raise CommandError("--user is required: a table counts what that user's organisations may see")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user
