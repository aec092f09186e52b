"""STIX 2.1 objects for incidents at sea, and the fields an agreement may let out.

An incident becomes a ``report`` that references a ``location``, the reporting centre's
``identity`` and one ``threat-actor`` per suspected smuggling network; the incident and vessel
details travel in two property extensions (each described by an ``extension-definition``); the
TLP 2.0 marking is a ``marking-definition`` from the OASIS TLP 2.0 extension.

Objects are built as plain dicts (the stix2 library is used in tests and the bench, not on the
exchange path, where it would cost more than the exchange itself). Ids are deterministic so that
the same incident keeps its ids across exports and versions.
"""

import functools
import json
import uuid
from datetime import UTC, datetime

from lindung.core import crypto
from lindung.core.markings import TLP

from .models import LINDUNG_NAMESPACE

SPEC_VERSION = "2.1"
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
# The OASIS TLP 2.0 marking definitions (cti-stix-common-objects); ids are fixed by the standard.
TLP2_MARKING_IDS = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_BY_MARKING_ID = {v: k for k, v in TLP2_MARKING_IDS.items()}
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
# Fixed timestamp of this project's own definitions, so every export repeats them identically.
DEFINITIONS_CREATED = "2026-01-01T00:00:00.000Z"


def _id(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(LINDUNG_NAMESPACE, name)}"


PROJECT_IDENTITY_ID = _id("identity", "project:lindung")
INCIDENT_EXTENSION_ID = _id("extension-definition", "extension:lindung-incident-at-sea:1")
VESSEL_EXTENSION_ID = _id("extension-definition", "extension:lindung-vessel:1")
SCHEMA_BASE = "https://lindung.example.org/stix/extensions/"

# Categories of data an agreement can name, and the exact fields in each.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "incident": (
        "incident_type",
        "occurred_at",
        "outcome",
        "cause_of_death",
        "persons_on_board",
        "dead",
        "missing",
        "survivors",
    ),
    "position": ("latitude", "longitude", "position_precision_m", "area", "location_description"),
    "route": (
        "route",
        "departure_point",
        "departure_country",
        "departure_latitude",
        "departure_longitude",
        "intended_destination",
        "destination_country",
        "disembarkation_port",
        "disembarkation_country",
        "disembarkation_latitude",
        "disembarkation_longitude",
    ),
    "vessel": (
        "vessel_type",
        "vessel_name",
        "vessel_flag",
        "vessel_length_m",
        "vessel_engine",
        "vessel_engine_power_hp",
        "vessel_registration",
        "vessel_mmsi",
    ),
    "persons": ("persons_breakdown",),
    "facilitators": ("facilitators",),
    "source": ("source", "source_url", "source_reliability", "information_credibility"),
}
ALL_FIELDS = tuple(f for fields in CATEGORIES.values() for f in fields)
CATEGORY_OF = {f: cat for cat, fields in CATEGORIES.items() for f in fields}
INCIDENT_FIELDS = (
    CATEGORIES["incident"]
    + CATEGORIES["route"]
    + CATEGORIES["source"]
    + (
        "area",
        "location_description",
    )
)
DECIMAL_FIELDS = {
    "latitude",
    "longitude",
    "departure_latitude",
    "departure_longitude",
    "disembarkation_latitude",
    "disembarkation_longitude",
    "vessel_length_m",
}
# Vessel extension property -> Vessel model field.
VESSEL_FIELDS = {f: f.removeprefix("vessel_") if f != "vessel_type" else f for f in CATEGORIES["vessel"]}


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def parse_timestamp(text: str) -> datetime:
    if not isinstance(text, str) or not text.endswith("Z"):
        raise ValueError(f"{text!r} is not a STIX timestamp (UTC, ending in Z)")
    return datetime.fromisoformat(text[:-1] + "+00:00")


@functools.lru_cache(maxsize=1024)
def organisation_identity_id(name: str) -> str:
    """The same organisation has the same STIX identity on every node (its name is unique)."""
    return _id("identity", f"organisation:{name}")


def identity(organisation) -> dict:
    return {
        "type": "identity",
        "spec_version": SPEC_VERSION,
        "id": organisation_identity_id(organisation.name),
        "created": DEFINITIONS_CREATED,
        "modified": DEFINITIONS_CREATED,
        "name": organisation.name,
        "identity_class": "organization",
    }


def tlp_marking(tlp: str) -> dict:
    return {
        "type": "marking-definition",
        "spec_version": SPEC_VERSION,
        "id": TLP2_MARKING_IDS[tlp],
        "created": TLP2_CREATED,
        "name": TLP(tlp).label,
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": str(tlp)}},
    }


def _extension_definition(ext_id: str, name: str, description: str) -> dict:
    return {
        "type": "extension-definition",
        "spec_version": SPEC_VERSION,
        "id": ext_id,
        "created": DEFINITIONS_CREATED,
        "modified": DEFINITIONS_CREATED,
        "created_by_ref": PROJECT_IDENTITY_ID,
        "name": name,
        "description": description,
        "schema": f"{SCHEMA_BASE}{name}.json",
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    }


def definitions() -> list[dict]:
    """The objects every bundle repeats: the project identity and the two extension definitions."""
    return [
        {
            "type": "identity",
            "spec_version": SPEC_VERSION,
            "id": PROJECT_IDENTITY_ID,
            "created": DEFINITIONS_CREATED,
            "modified": DEFINITIONS_CREATED,
            "name": "Lindung project",
            "identity_class": "organization",
        },
        _extension_definition(
            INCIDENT_EXTENSION_ID,
            "lindung-incident-at-sea",
            "Details of an incident at sea involving migrants (Lindung).",
        ),
        _extension_definition(
            VESSEL_EXTENSION_ID, "lindung-vessel", "The vessel involved in an incident at sea (Lindung)."
        ),
    ]


def _plain(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return timestamp(value)
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return value


def _picked(pairs, allowed) -> dict:
    out = {}
    for name, value in pairs:
        if name in allowed:
            plain = _plain(value)
            if plain is not None:
                out[name] = plain
    return out


def incident_objects(
    incident, *, agreement, allowed: frozenset, recipient_ids: list[str], persons=(), facilitators=()
) -> list[dict]:
    """The STIX objects of one incident, with only ``allowed`` fields; people as pseudonyms."""
    report_id = incident.stix_id
    created = timestamp(incident.created_at)
    modified = timestamp(max(incident.modified_at, incident.created_at))
    author = organisation_identity_id(incident.organisation.name)
    marking = [TLP2_MARKING_IDS[incident.tlp]]
    common = {
        "spec_version": SPEC_VERSION,
        "created": created,
        "modified": modified,
        "created_by_ref": author,
        "object_marking_refs": marking,
    }
    objects = []
    refs = [author]
    if incident.has_position and "latitude" in allowed and "longitude" in allowed:
        location = {
            "type": "location",
            "id": _id("location", f"{report_id}:location"),
            **common,
            "latitude": float(incident.latitude),
            "longitude": float(incident.longitude),
        }
        if incident.position_precision_m and "position_precision_m" in allowed:
            location["precision"] = float(incident.position_precision_m)
        if incident.area and "area" in allowed:
            location["name"] = incident.area
        objects.append(location)
        refs.append(location["id"])
    if "facilitators" in allowed:
        for facilitator in facilitators:
            alias = crypto.pseudonym(
                facilitator.reference,
                organisation_id=incident.organisation_id,
                purpose=agreement.pseudonym_purpose(),
                prefix="FN",
            )
            actor = {
                "type": "threat-actor",
                "id": _id("threat-actor", f"pseudonym:{alias}"),
                **common,
                "name": alias,
                "threat_actor_types": ["crime-syndicate"],
            }
            objects.append(actor)
            refs.append(actor["id"])
    details = _picked(((f, getattr(incident, f)) for f in INCIDENT_FIELDS), allowed)
    if "persons_breakdown" in allowed and persons:
        details["persons_breakdown"] = [
            {
                k: v
                for k, v in (
                    ("sex", p.sex),
                    ("age_group", p.age_group),
                    ("nationality", p.nationality),
                    ("count", p.count),
                )
                if v not in ("", None)
            }
            for p in persons
        ]
    details.update(
        extension_type="property-extension",
        version=incident.version,
        agreement=agreement.reference,
        retention_days=agreement.retention_days,
        recipient_refs=recipient_ids,
    )
    extensions = {INCIDENT_EXTENSION_ID: details}
    vessel = incident.vessel
    if vessel is not None:
        vessel_details = _picked(((p, getattr(vessel, f)) for p, f in VESSEL_FIELDS.items()), allowed)
        if vessel_details:
            extensions[VESSEL_EXTENSION_ID] = {
                "extension_type": "property-extension",
                "vessel_id": vessel.stix_id,
                **vessel_details,
            }
    occurred = incident.occurred_at if "occurred_at" in allowed else incident.created_at
    report = {
        "type": "report",
        "id": report_id,
        **common,
        "name": f"Incident at sea {occurred:%Y-%m-%d}",
        "published": timestamp(occurred),
        "report_types": ["threat-report"],
        "object_refs": refs,
        "extensions": extensions,
    }
    return [report, *objects]


def bundle(objects: list[dict]) -> dict:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
