"""Parsing of public incident data files into incident fields (no database writes here).

IOM Missing Migrants Project (MMP) CSV, as IOM publishes it, in two layouts:

* older (to about 2020): ``Web ID``, ``Region of Incident`` (or ``Region``), ``Reported Date``,
  ``Number Dead``, ``Minimum Estimated Number of Missing``, ``Total Dead and Missing``,
  ``Location Coordinates``, ``Migration Route``, ...
* current: ``Main ID``, ``Incident ID``, ``Incident Date``, ``Number of Dead``,
  ``Total Number of Dead and Missing``, ``Location of death``, ``Coordinates``,
  ``Migration route``, ...

Files may start with a UTF-8 byte order mark; dates come as ``9-Jul-19``, ``2019-07-09``,
``July 9, 2019`` or ``7/9/2019``; coordinates as ``"lat, lon"`` text. Every row error names the
row (as numbered in the file, header = 1) and the column.
"""

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from lindung.standard import registry

MMP_SOURCE = "IOM Missing Migrants Project"

# column roles -> the header names each layout uses, first match wins
MMP_COLUMNS = {
    "id": ("Main ID", "Web ID"),
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
    "location": ("Location of death", "Location of Death", "Location Description"),
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
COORDINATES_RE = re.compile(r"^\s*\(?\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*\)?\s*$")


class FileRefused(Exception):
    """The file as a whole cannot be read (encoding, missing columns)."""


def parse_date(text: str) -> datetime.datetime:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=datetime.UTC)
    raise ValueError(f"{text!r} is not a date (expected e.g. 9-Jul-19, 2019-07-09 or July 9, 2019)")


def parse_coordinates(text: str) -> tuple[Decimal, Decimal]:
    match = COORDINATES_RE.match(text)
    if not match:
        raise ValueError(f"{text[:60]!r} is not 'latitude, longitude'")
    lat, lon = (Decimal(match.group(1)), Decimal(match.group(2)))
    if not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        raise ValueError(f"{text[:60]!r} is out of range (latitude -90..90, longitude -180..180)")
    return lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))


def parse_count(text: str) -> int | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{text[:20]!r} is not a number") from exc
    if value < 0 or value != value.to_integral_value():
        raise ValueError(f"{text[:20]!r} is not a whole number of persons")
    return int(value)


def _crosswalk(list_id: str, text: str) -> str | None:
    wanted = text.strip().lower()
    for code in registry.code_list(list_id).codes:
        label = code.crosswalk.get("mmp", "")
        if label and label.lower() == wanted:
            return code.code
    return None


def cause_of_death(text: str) -> str:
    """MMP causes, sometimes several separated by commas; several or unknown -> mixed or unknown."""
    if not text.strip():
        return ""
    found = {_crosswalk("cause_of_death", text)} - {None}
    if not found:
        found = {_crosswalk("cause_of_death", part) for part in text.split(",")} - {None}
    return found.pop() if len(found) == 1 else "mixed_unknown"


def migration_route(text: str) -> str:
    if not text.strip():
        return ""
    return _crosswalk("migration_route", text) or "other"


def _columns(header: list[str]) -> dict[str, str]:
    present = {name.strip(): name for name in header}
    columns = {}
    for role, names in MMP_COLUMNS.items():
        for name in names:
            if name in present:
                columns[role] = present[name]
                break
    missing = [
        MMP_COLUMNS[role][0] + " / " + MMP_COLUMNS[role][-1]
        if len(MMP_COLUMNS[role]) > 1
        else MMP_COLUMNS[role][0]
        for role in MMP_REQUIRED
        if role not in columns
    ]
    if missing:
        raise FileRefused("not a Missing Migrants Project file: missing column(s) " + "; ".join(missing))
    return columns


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"the file is not UTF-8 text (byte {exc.start})") from exc


def parse_mmp(data: bytes) -> tuple[list[dict], list[dict], int]:
    """(records, errors, number of data rows). A record holds incident fields and ``_row``."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise FileRefused("the file is empty")
    columns = _columns(header)
    index = {role: header.index(name) for role, name in columns.items()}
    records, errors, seen, rows = [], [], {}, 0
    now = timezone.now()
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows += 1
        if len(values) != len(header):
            errors.append(
                {"row": line, "errors": [f"has {len(values)} values, the header has {len(header)}"]}
            )
            continue

        def get(role, values=values):
            return values[index[role]].strip() if role in index else ""

        record, row_errors = _record(get, lambda role: columns.get(role, MMP_COLUMNS[role][0]), now)
        if record.get("source_id") in seen:
            row_errors.append(f"{columns['id']}: the same id is on row {seen[record['source_id']]}")
        if row_errors:
            errors.append({"row": line, "errors": row_errors})
            continue
        seen[record["source_id"]] = line
        record["_row"] = line
        records.append(record)
    return records, errors, rows


def _record(get, name, now) -> tuple[dict, list[str]]:
    """Incident fields from one row; ``get(role)`` is the value, ``name(role)`` the file's column."""
    errors: list[str] = []
    record: dict = {"incident_type": "death_or_disappearance", "source_reliability": "B"}

    def column(role, parse, target=None):
        raw = get(role)
        try:
            value = parse(raw)
        except ValueError as exc:
            errors.append(f"{name(role)}: {exc}")
            return None
        if target:
            record[target] = value
        return value

    source_id = get("id")
    if not re.fullmatch(r"[0-9A-Za-z._-]{1,60}", source_id):
        errors.append(f"{name('id')}: {source_id[:20]!r} is not an identifier")
    record["source_id"] = f"mmp:{source_id}"
    occurred = column("date", parse_date, "occurred_at")
    if occurred and occurred > now:
        errors.append(f"{name('date')}: {get('date')!r} is in the future")
    dead = column("dead", parse_count, "dead")
    missing = column("missing", parse_count, "missing")
    column("survivors", parse_count, "survivors")
    for role in ("females", "males", "children"):
        column(role, parse_count)
    total = column("total", parse_count)
    if total is not None and None not in (dead, missing) and total != (dead or 0) + (missing or 0):
        errors.append(f"{name('total')}: {total} is not dead ({dead}) plus missing ({missing})")
    if get("coordinates"):
        coordinates = column("coordinates", parse_coordinates)
        if coordinates:
            record["latitude"], record["longitude"] = coordinates
    record["area"] = get("region")[:200]
    record["location_description"] = get("location")[:300]
    record["cause_of_death"] = cause_of_death(get("cause"))
    record["route"] = migration_route(get("route"))
    information_source = get("information_source")
    record["source"] = f"{MMP_SOURCE} — {information_source}"[:200] if information_source else MMP_SOURCE
    record["source_url"] = _first_url(get("url"))
    record["information_credibility"] = SOURCE_QUALITY_CREDIBILITY.get(
        get("source_quality").split(".")[0], "6"
    )
    if record["cause_of_death"] and not (dead or missing):
        record["cause_of_death"] = ""
    return record, errors


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
