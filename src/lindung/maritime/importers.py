"""Parsing of public incident data files into incident fields (no database writes here).

IOM Missing Migrants Project (MMP) CSV, as IOM publishes it, in the layouts seen so far (the
column names of each are in docs/maritime.md):

* older (2019, 2021): ``Web ID`` is the key, ``Reported Date``, ``Number Dead``, ``Total Dead and
  Missing``, ``Location Coordinates``, ``Migration Route``, free-text causes of death;
* current (2022 onwards): ``Incident ID`` is the key and ``Main ID`` groups the incidents of one
  event (several incidents may share it); ``Incident Date`` as ``Thu, 01/01/2026 - 12:00``,
  ``Number of Dead``, ``Coordinates``, ``Migration route``.

Column names are matched without regard to case or spacing. Every row error names the row (as
numbered in the file, header = 1) and the column, and carries a code. A row whose only fault is
fixable (coordinates written longitude first) is fixed and the fix reported; a row with a value
that cannot be used but is not essential (coordinates out of range) is imported without it and a
warning reported. Labels of routes and causes that match no code are counted and reported.
"""

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.standard import registry

from .models import Incident

MMP_SOURCE = "IOM Missing Migrants Project"

# column roles -> the header names each layout uses, first match wins
MMP_COLUMNS = {
    "id": ("Incident ID", "Main ID", "Web ID"),
    "event": ("Main ID",),
    "date": ("Incident Date", "Reported Date"),
    "region": ("Region of Incident", "Region"),
    "dead": ("Number of Dead", "Number Dead"),
    "missing": ("Minimum Estimated Number of Missing",),
    "total": ("Total Number of Dead and Missing", "Total Dead and Missing"),
    "survivors": ("Number of Survivors",),
    "females": ("Number of Females",),
    "males": ("Number of Males",),
    "children": ("Number of Children",),
    "cause": ("Cause of Death",),
    "location": ("Location of death", "Location of Incident", "Location Description"),
    "information_source": ("Information Source",),
    "coordinates": ("Coordinates", "Location Coordinates"),
    "route": ("Migration route", "Migration Route"),
    "url": ("URL",),
    "source_quality": ("Source Quality",),
}
MMP_REQUIRED = ("id", "date", "dead", "missing", "coordinates")
# MMP "Source Quality" (1 = a single media source ... 5 = official or several verified sources)
# read as the Admiralty credibility of the information.
SOURCE_QUALITY_CREDIBILITY = {"5": "1", "4": "2", "3": "2", "2": "3", "1": "3"}
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%Y-%m-%dT%H:%M:%S",
)
# The current MMP export (a Drupal site) writes "Thu, 01/01/2026 - 12:00"; the weekday tells
# month-first from day-first.
WEEKDAY_DATE_RE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+(\d{1,2})/(\d{1,2})/(\d{4})(?:\s*-\s*(\d{1,2}):(\d{2}))?$",
    re.IGNORECASE,
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COORDINATES_RE = re.compile(r"^\s*\(?\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*\)?\s*$")
MAX_COUNT = 1_000_000  # persons in one incident; more is a typing error
ID_RE = re.compile(r"[0-9A-Za-z._-]{1,60}")


def normalise(text: str) -> str:
    """Case, punctuation and spacing folded: 'Bay of Bengal/Andaman Sea' -> 'bay of bengal andaman sea'."""
    text = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


# Route labels MMP has used, beyond the `mmp` crosswalk of the migration_route code list (which
# gives the current labels). Matched after normalise().
ROUTE_VARIANTS = {
    "western africa atlantic route to the canary islands": "atlantic_canary",
    "western african atlantic route to the canary islands": "atlantic_canary",
    "horn africa to yemen": "horn_of_africa_yemen",
    "eastern route to from ehoa": "horn_of_africa_yemen",
    "calais to united kingdom": "english_channel",
    "mainland europe to the uk": "english_channel",
    "bay of bengal andaman sea": "bay_of_bengal_andaman",
    "sea crossings to mayotte": "comoros_mayotte",
}

# Causes of death: MMP's current categories come from the `mmp` crosswalk of the cause_of_death
# code list; these are the older free-text labels and their spellings (after normalise()).
CAUSE_VARIANTS = {
    "presumed drowning": "drowning",
    "drowning or exhaustion related to river crossing": "drowning",
    "sickness and lack of access to medicines": "sickness",
    "sickness and lack of access to medicine": "sickness",
    "sickness": "sickness",
    "illness": "sickness",
    "vehicle accident": "transport",
    "vehicle accident death linked to hazardous transport": "transport",
    "death linked to hazardous transport": "transport",
    "harsh weather lack of adequate shelter": "environment",
    "harsh environmental conditions": "environment",
    "harsh conditions": "environment",
    "shot": "violence",
    "mixed": "mixed_unknown",
    "unknown": "mixed_unknown",
    "unknown skeletal remains": "mixed_unknown",
    "skeletal remains": "mixed_unknown",
    "accident": "accidental",
}
# Free-text causes not in the table above are read by these word stems, in this order (the first
# that matches wins: "killed by train" is transport, "heat stroke" harsh conditions).
CAUSE_STEMS = (
    (r"drown", "drowning"),
    (r"vehicle|\bcar\b|truck|lorry|\bbus\b|\btrain|\brail|road|traffic|plane|aircraft|stowaway|suffocat|asphyx",
     "transport"),
    (r"dehydrat|hypotherm|hypertherm|heat|exposure|starv|hunger|exhaust|harsh|cold|freez|weather|thirst|"
     r"malnutri|environment", "environment"),
    (r"shot|gunshot|stab|beat|murder|kill|violen|tortur|homicide|assault|abuse|lynch", "violence"),
    (r"sick|\bill|disease|medic|health|heart|infection|diabet|fever|cancer|organ failure|tubercul|covid|"
     r"pneumonia",
     "sickness"),
    (r"fall|fell|electrocut|crush|burn|fire|landmine|accident|animal|snake", "accidental"),
    (r"unknown|unspecified|skeletal|mixed|undetermined|not known", "mixed_unknown"),
)  # fmt: skip

# Where the incident happened (Incident.Setting), from the MMP row. Inland water first: a drowning
# in the Rio Grande is not a death at sea.
INLAND_WATER_RE = re.compile(r"\b(river|rio|canal|lake|reservoir|dam)\b")
SEA_WORDS_RE = re.compile(
    r"\b(sea|seas|coast|coastal|offshore|ocean|strait|straits|gulf|bay|beach|shore|island|islet|"
    r"shipwreck|nautical|waters|channel)\b|\b(km|miles|nm) off\b|\boff the coast\b"
)
SEA_REGIONS = {"mediterranean"}
# MMP regions where, with no sign of the sea in the row, the incident happened on land.
LAND_REGIONS = {
    "us mexico border", "north america", "northern america", "central america", "south america",
    "central asia", "europe", "north africa", "northern africa", "sub saharan africa", "horn of africa",
    "eastern africa", "western africa", "middle africa", "southern africa", "middle east",
    "western asia", "southern asia", "south asia", "eastern asia", "east asia", "south eastern asia",
    "southeast asia",
}  # fmt: skip
# Causes with which an incident on a sea route is taken to be at sea.
SEA_CAUSES = {"drowning", "environment", "mixed_unknown"}


class FileRefused(Exception):
    """The file as a whole cannot be read (encoding, missing columns); ``code`` names the rule."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class RowError(ValueError):
    """A value of a row that cannot be used; ``code`` names the rule."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class ParseResult:
    """What a file gave: records to store, and every error, fix, warning and unmatched label."""

    rows: int = 0
    records: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # {"row", "column", "code", "message"}
    fixes: list = field(default_factory=list)  # same shape, for values corrected
    warnings: list = field(default_factory=list)  # same shape, for values left out
    unmatched: dict = field(default_factory=lambda: {"route": Counter(), "cause": Counter()})


def _problem(row, column, code, message) -> dict:
    return {"row": row, "column": column, "code": code, "message": message}


def parse_date(text: str) -> datetime.datetime:
    text = text.strip()
    match = WEEKDAY_DATE_RE.match(text)
    if match:
        return _weekday_date(match, text)
    for fmt in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=datetime.UTC)
    raise RowError(
        "date_invalid",
        _("%(value)r is not a date (expected e.g. 9-Jul-19, 2019-07-09, July 9, 2019 or Thu, 01/01/2026)")
        % {"value": text[:40]},
    )


def _weekday_date(match, text) -> datetime.datetime:
    weekday, first, second, year, hour, minute = match.groups()
    first, second, year = int(first), int(second), int(year)
    hour, minute = int(hour or 0), int(minute or 0)
    for month, day in ((first, second), (second, first)):
        try:
            found = datetime.date(year, month, day)
        except ValueError:
            continue
        if WEEKDAYS[found.weekday()] == weekday[:3].lower() and hour < 24 and minute < 60:
            return datetime.datetime.combine(found, datetime.time(hour, minute), tzinfo=datetime.UTC)
    raise RowError(
        "date_invalid", _("%(value)r is not a date whose weekday matches the day") % {"value": text[:40]}
    )


def _in_range(lat: Decimal, lon: Decimal) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180


def parse_coordinates(text: str) -> tuple[Decimal | None, Decimal | None, str]:
    """(latitude, longitude, note): note is "" when read as written, a SourceNote code otherwise
    (swapped back in order, or out of range and left out)."""
    match = COORDINATES_RE.match(text)
    if not match:
        raise RowError(
            "coordinates_invalid", _("%(value)r is not 'latitude, longitude'") % {"value": text[:60]}
        )
    lat, lon = Decimal(match.group(1)), Decimal(match.group(2))
    note = ""
    if not _in_range(lat, lon):
        if not _in_range(lon, lat):
            return None, None, Incident.SourceNote.COORDINATES_OUT_OF_RANGE
        lat, lon, note = lon, lat, Incident.SourceNote.COORDINATES_SWAPPED
    quantum = Decimal("0.000001")
    return lat.quantize(quantum), lon.quantize(quantum), note


def parse_count(text: str) -> int | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise RowError("count_invalid", _("%(value)r is not a number") % {"value": text[:20]}) from exc
    if not value.is_finite() or value < 0 or value > MAX_COUNT or value != value.to_integral_value():
        raise RowError(
            "count_invalid", _("%(value)r is not a whole number of persons") % {"value": text[:20]}
        )
    return int(value)


def _crosswalk(list_id: str) -> dict[str, str]:
    """{normalised MMP label: code} from the code list's `mmp` crosswalk."""
    return {
        normalise(code.crosswalk["mmp"]): code.code
        for code in registry.code_list(list_id).codes
        if code.crosswalk.get("mmp")
    }


def migration_route(text: str) -> tuple[str, bool]:
    """(route code, matched): an unmatched label becomes "other" and is reported by the caller."""
    wanted = normalise(text)
    if not wanted:
        return "", True
    code = _crosswalk("migration_route").get(wanted) or ROUTE_VARIANTS.get(wanted)
    return (code, True) if code else ("other", False)


def _cause_code(text: str) -> str | None:
    wanted = normalise(text)
    found = _crosswalk("cause_of_death").get(wanted) or CAUSE_VARIANTS.get(wanted)
    if found:
        return found
    for stem, code in CAUSE_STEMS:
        if re.search(stem, wanted):
            return code
    return None


def causes_of_death(text: str) -> tuple[set[str], list[str]]:
    """(codes of the causes named, labels that match none). MMP's current labels hold commas
    ("... shelter, food, water"), so they are taken out whole before the rest is split at commas."""
    rest, codes = text, set()
    for label, code in _crosswalk_labels("cause_of_death"):
        pattern = re.compile(re.escape(label), re.IGNORECASE)
        if pattern.search(rest):
            codes.add(code)
            rest = pattern.sub(",", rest)
    unmatched = []
    for part in re.split(r"[,;]", rest):
        if not part.strip():
            continue
        code = _cause_code(part)
        if code:
            codes.add(code)
        else:
            unmatched.append(part.strip())
    return codes, unmatched


def _crosswalk_labels(list_id: str) -> list[tuple[str, str]]:
    """(MMP label as written, code), longest first, for labels holding a comma or semicolon."""
    labels = [
        (code.crosswalk["mmp"], code.code)
        for code in registry.code_list(list_id).codes
        if re.search(r"[,;]", code.crosswalk.get("mmp", ""))
    ]
    return sorted(labels, key=lambda item: -len(item[0]))


def cause_of_death(codes: set[str], unmatched: list[str]) -> str:
    """One code: the cause named, or "mixed or unknown" when several (or an unreadable one) are."""
    if not codes and not unmatched:
        return ""
    return codes.pop() if len(codes) == 1 and not unmatched else "mixed_unknown"


def incident_setting(*, region: str, location: str, route: str, causes: set[str]) -> str:
    """At sea, on land, or not known, from the row's region, location, route and causes, in order:
    inland water named -> land; sea named -> sea; the Mediterranean region -> sea; a sea route with
    drowning, harsh conditions or unknown causes -> sea; a region MMP records land deaths in -> land."""
    place, region = normalise(location), normalise(region)
    if INLAND_WATER_RE.search(place):
        return Incident.Setting.LAND
    if SEA_WORDS_RE.search(place) or region in SEA_REGIONS:
        return Incident.Setting.SEA
    if route not in ("", "other", "unknown") and (not causes or causes <= SEA_CAUSES):
        return Incident.Setting.SEA
    if region in LAND_REGIONS:
        return Incident.Setting.LAND
    return Incident.Setting.UNKNOWN


def _columns(header: list[str]) -> dict[str, int]:
    """{role: column index}; names are compared without regard to case, spacing or a BOM."""
    present = {}
    for position, name in enumerate(header):
        present.setdefault(" ".join(name.replace("\ufeff", "").split()).casefold(), position)
    columns = {}
    for role, names in MMP_COLUMNS.items():
        for name in names:
            if name.casefold() in present:
                columns[role] = present[name.casefold()]
                break
    if columns.get("event") == columns.get("id"):
        columns.pop("event", None)  # a file keyed by Main ID has no separate event grouping
    missing = [" / ".join(MMP_COLUMNS[role]) for role in MMP_REQUIRED if role not in columns]
    if missing:
        raise FileRefused(
            "columns_missing",
            _("not a Missing Migrants Project file: missing column(s) %(names)s")
            % {"names": "; ".join(missing)},
        )
    return columns


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            "encoding", _("the file is not UTF-8 text (byte %(n)s)") % {"n": exc.start}
        ) from exc


def parse_mmp(data: bytes) -> ParseResult:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise FileRefused("file_empty", _("the file is empty"))
    columns = _columns(header)
    result, seen, now = ParseResult(), {}, timezone.now()
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        result.rows += 1
        if len(values) != len(header):
            result.errors.append(
                _problem(
                    line, "", "row_length",
                    _("has %(n)s values, the header has %(m)s") % {"n": len(values), "m": len(header)},
                )
            )  # fmt: skip
            continue
        row = _Row(line, values, header, columns, result)
        record = row.record(now)
        if record["source_id"] in seen:
            row.error(
                "id", "id_repeated", _("the same id is on row %(n)s") % {"n": seen[record["source_id"]]}
            )
        if row.refused:
            continue  # what the row would have fixed or left out is moot: it is reported as refused
        seen[record["source_id"]] = line
        record["_row"] = line
        result.records.append(record)
        result.fixes += row.fixes
        result.warnings += row.warnings
        for kind, labels in row.unmatched.items():
            result.unmatched[kind].update(labels)
    return result


class _Row:
    """One data row: its values by role, and where its errors, fixes and warnings go."""

    def __init__(self, line, values, header, columns, result):
        self.line, self.values, self.header, self.columns, self.result = line, values, header, columns, result
        self.refused = False
        self.fixes, self.warnings = [], []
        self.unmatched = {"route": [], "cause": []}

    def get(self, role) -> str:
        return self.values[self.columns[role]].strip() if role in self.columns else ""

    def name(self, role) -> str:
        return self.header[self.columns[role]].strip() if role in self.columns else MMP_COLUMNS[role][0]

    def error(self, role, code, message):
        self.refused = True
        self.result.errors.append(_problem(self.line, self.name(role), code, message))

    def parse(self, role, parse):
        try:
            return parse(self.get(role))
        except RowError as exc:
            self.error(role, exc.code, str(exc))
            return None

    def record(self, now) -> dict:
        """Incident fields from the row (errors go to the result)."""
        record: dict = {
            "incident_type": "death_or_disappearance",
            "source_reliability": "B",
            "source_notes": [],
        }
        source_id = self.get("id")
        if not ID_RE.fullmatch(source_id):
            self.error("id", "id_invalid", _("%(value)r is not an identifier") % {"value": source_id[:20]})
        record["source_id"] = f"mmp:{source_id}"
        record["source_event_id"] = self.get("event")[:120]
        record["occurred_at"] = self.parse("date", parse_date)
        if record["occurred_at"] and record["occurred_at"] > now:
            self.error(
                "date", "date_future", _("%(value)r is in the future") % {"value": self.get("date")[:40]}
            )
        dead, missing = self.parse("dead", parse_count), self.parse("missing", parse_count)
        record["dead"], record["missing"] = dead, missing
        record["survivors"] = self.parse("survivors", parse_count)
        for role in ("females", "males", "children"):
            self.parse(role, parse_count)  # checked, not kept (see docs/maritime.md)
        total = self.parse("total", parse_count)
        if total is not None and None not in (dead, missing) and total != (dead or 0) + (missing or 0):
            self.error(
                "total", "total_mismatch",
                _("%(total)s is not dead (%(dead)s) plus missing (%(missing)s)")
                % {"total": total, "dead": dead, "missing": missing},
            )  # fmt: skip
        self._coordinates(record)
        record["area"] = self.get("region")[:200]
        record["location_description"] = self.get("location")[:300]
        record["route"] = self._route()
        causes, unmatched = causes_of_death(self.get("cause"))
        self.unmatched["cause"] += unmatched
        record["cause_of_death"] = cause_of_death(set(causes), unmatched) if (dead or missing) else ""
        record["setting"] = incident_setting(
            region=record["area"],
            location=record["location_description"],
            route=record["route"],
            causes=causes,
        )
        information_source = self.get("information_source")
        record["source"] = f"{MMP_SOURCE} — {information_source}"[:200] if information_source else MMP_SOURCE
        record["source_url"] = _first_url(self.get("url"))
        record["information_credibility"] = SOURCE_QUALITY_CREDIBILITY.get(
            self.get("source_quality").split(".")[0], "6"
        )
        return record

    def _coordinates(self, record):
        if not self.get("coordinates"):
            return
        found = self.parse("coordinates", parse_coordinates)
        if found is None:
            return
        record["latitude"], record["longitude"], note = found
        if note:
            record["source_notes"].append(str(note))
            target = self.fixes if note == Incident.SourceNote.COORDINATES_SWAPPED else self.warnings
            target.append(_problem(self.line, self.name("coordinates"), str(note), str(note.label)))

    def _route(self) -> str:
        label = self.get("route")
        code, matched = migration_route(label)
        if not matched:
            self.unmatched["route"].append(label)
        return code


def _first_url(text: str) -> str:
    validate = URLValidator(schemes=["http", "https"])
    for part in re.split(r"[\s,;]+", text):
        if len(part) <= 500:
            try:
                validate(part)
            except ValidationError:
                continue
            return part
    return ""
