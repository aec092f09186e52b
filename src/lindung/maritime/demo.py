"""Demo incidents at sea: synthetic, in the Western Indian Ocean, the Mozambique Channel and the
Andaman Sea, recorded by the two demo fusion centres under various TLP markings, plus a few public
(MMP-style, TLP:CLEAR) ones, so that the map and the trend charts are populated.

Every value here is invented. Idempotent: incidents are keyed by their ``source_id``.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP, Distribution
from lindung.core.models import SharingGroup

from . import services
from .models import Incident

# The same community as the sharing demo's (whichever loader runs first creates it), so that AMBER
# incidents for the group are in the collection the demo nodes exchange.
GROUP_NAME = "Western Indian Ocean maritime community"

# (key, org, months ago, day, type, lat, lon, area, route, pob, dead, missing, survivors, outcome,
#  departure (name, country, lat, lon), disembarkation (name, country, lat, lon), tlp, distribution,
#  vessel (type, name, flag, length, engine), persons [(sex, age, nationality, count)], facilitators)
INCIDENTS = [
    (
        "rmifc-001",
        "rmifc",
        1,
        4,
        "interception",
        -12.55,
        44.95,
        "Mozambique Channel",
        "comoros_mayotte",
        24,
        0,
        0,
        24,
        "intercepted_returned",
        ("Mutsamudu (demo)", "COM", -12.17, 44.40),
        ("Dzaoudzi (demo)", "MYT", -12.78, 45.26),
        TLP.GREEN,
        Distribution.COMMUNITY,
        ("kwassa", "Kwassa blue hull (demo)", "COM", 9.0, "outboard"),
        [("M", "21-23", "COM", 12), ("F", "24-26", "COM", 8), ("U", "0-8", "COM", 4)],
        ["RMIFC-NET-0007"],
    ),
    (
        "rmifc-002",
        "rmifc",
        2,
        17,
        "shipwreck",
        -12.62,
        44.70,
        "Mozambique Channel",
        "comoros_mayotte",
        30,
        4,
        9,
        17,
        "vessel_lost",
        ("Domoni (demo)", "COM", -12.26, 44.53),
        ("Mamoudzou (demo)", "MYT", -12.78, 45.23),
        TLP.AMBER,
        Distribution.SHARING_GROUP,
        ("kwassa", "", "", 8.5, "outboard"),
        [("M", "27-29", "COM", 14), ("F", "18-20", "MDG", 10)],
        ["RMIFC-NET-0007", "RMIFC-FAC-0042"],
    ),
    (
        "rmifc-003",
        "rmifc",
        3,
        9,
        "sighting",
        -15.10,
        41.20,
        "Mozambique Channel",
        "southern_route",
        60,
        None,
        None,
        None,
        "continued_journey",
        ("Mocímboa da Praia area (demo)", "MOZ", -11.35, 40.35),
        ("Angoche area (demo)", "MOZ", -16.23, 39.91),
        TLP.AMBER_STRICT,
        Distribution.ORGANISATION,
        ("dhow", "Dhow without name (demo)", "", 18.0, "inboard"),
        [],
        ["RMIFC-FAC-0051"],
    ),
    (
        "rmifc-004",
        "rmifc",
        4,
        22,
        "search_and_rescue",
        -16.80,
        43.10,
        "Mozambique Channel",
        "mozambique_channel",
        42,
        1,
        0,
        41,
        "rescued",
        ("Mahajanga (demo)", "MDG", -15.72, 46.32),
        ("Pemba (demo)", "MOZ", -12.97, 40.52),
        TLP.CLEAR,
        Distribution.CONNECTED,
        ("fishing_vessel", "FV Demo Star", "MDG", 14.5, "inboard"),
        [("M", "30-38", "ETH", 30), ("M", "18-20", "SOM", 12)],
        [],
    ),
    (
        "rmifc-005",
        "rmifc",
        5,
        2,
        "departure",
        -12.20,
        44.42,
        "Anjouan coast",
        "comoros_mayotte",
        18,
        0,
        0,
        None,
        "unknown",
        ("Mutsamudu (demo)", "COM", -12.17, 44.40),
        None,
        TLP.RED,
        Distribution.ORGANISATION,
        None,
        [],
        ["RMIFC-FAC-0042"],
    ),
    (
        "rmifc-006",
        "rmifc",
        6,
        11,
        "disembarkation",
        -12.78,
        45.25,
        "Mayotte",
        "comoros_mayotte",
        35,
        0,
        0,
        35,
        "disembarked",
        ("Moroni (demo)", "COM", -11.70, 43.25),
        ("Dzaoudzi (demo)", "MYT", -12.78, 45.26),
        TLP.GREEN,
        Distribution.COMMUNITY,
        None,
        [("F", "30-38", "COM", 15), ("M", "30-38", "COM", 15), ("U", "9-17", "COM", 5)],
        [],
    ),
    (
        "rmifc-007",
        "rmifc",
        8,
        26,
        "death_or_disappearance",
        -13.40,
        48.10,
        "North-west of Madagascar",
        "mozambique_channel",
        20,
        2,
        5,
        13,
        "deaths_recorded",
        ("Nosy Be (demo)", "MDG", -13.33, 48.26),
        ("Moroni (demo)", "COM", -11.70, 43.25),
        TLP.AMBER,
        Distribution.SHARING_GROUP,
        None,
        [],
        [],
    ),
    (
        "sey-001",
        "sey_centre",
        1,
        20,
        "interception",
        11.80,
        45.20,
        "Gulf of Aden",
        "horn_of_africa_yemen",
        110,
        0,
        0,
        110,
        "intercepted_returned",
        ("Bosaso (demo)", "SOM", 11.28, 49.18),
        ("Aden (demo)", "YEM", 12.79, 45.03),
        TLP.GREEN,
        Distribution.COMMUNITY,
        ("wooden_boat", "", "SOM", 16.0, "inboard"),
        [("M", "18-20", "ETH", 80), ("F", "18-20", "ETH", 30)],
        ["RCOC-NET-11"],
    ),
    (
        "sey-002",
        "sey_centre",
        2,
        5,
        "shipwreck",
        12.60,
        43.70,
        "Bab-el-Mandeb",
        "horn_of_africa_yemen",
        150,
        23,
        41,
        86,
        "vessel_lost",
        ("Obock (demo)", "DJI", 11.97, 43.29),
        ("Dhubab (demo)", "YEM", 12.94, 43.41),
        TLP.CLEAR,
        Distribution.CONNECTED,
        ("wooden_boat", "", "", 12.0, "outboard"),
        [("M", "21-23", "ETH", 100), ("F", "21-23", "ETH", 50)],
        [],
    ),
    (
        "sey-003",
        "sey_centre",
        3,
        14,
        "sighting",
        -4.90,
        56.10,
        "Seychelles EEZ",
        "other",
        None,
        None,
        None,
        None,
        "unknown",
        None,
        None,
        TLP.AMBER,
        Distribution.SHARING_GROUP,
        ("dhow", "Unnamed dhow (demo)", "", 20.0, "sail"),
        [],
        ["RCOC-NET-11"],
    ),
    (
        "sey-004",
        "sey_centre",
        4,
        8,
        "interception",
        7.90,
        97.60,
        "Andaman Sea",
        "bay_of_bengal_andaman",
        140,
        3,
        0,
        137,
        "intercepted_returned",
        ("Cox's Bazar area (demo)", "BGD", 21.43, 91.98),
        ("Ranong (demo)", "THA", 9.96, 98.64),
        TLP.AMBER,
        Distribution.ORGANISATION,
        ("fishing_vessel", "", "", 22.0, "inboard"),
        [("F", "18-20", "MMR", 60), ("M", "21-23", "MMR", 50), ("U", "9-17", "MMR", 30)],
        ["RCOC-NET-23"],
    ),
    (
        "sey-005",
        "sey_centre",
        6,
        19,
        "search_and_rescue",
        5.60,
        95.30,
        "Andaman Sea, off Aceh",
        "bay_of_bengal_andaman",
        180,
        12,
        30,
        138,
        "rescued",
        ("Teknaf (demo)", "BGD", 20.86, 92.30),
        ("Lhokseumawe (demo)", "IDN", 5.18, 97.15),
        TLP.GREEN,
        Distribution.COMMUNITY,
        ("wooden_boat", "", "", 25.0, "inboard"),
        [("F", "24-26", "MMR", 90), ("M", "24-26", "MMR", 90)],
        [],
    ),
    (
        "sey-006",
        "sey_centre",
        7,
        3,
        "death_or_disappearance",
        13.10,
        48.30,
        "Gulf of Aden",
        "horn_of_africa_yemen",
        80,
        5,
        15,
        60,
        "deaths_recorded",
        ("Bosaso (demo)", "SOM", 11.28, 49.18),
        ("Shabwah coast (demo)", "YEM", 13.95, 47.80),
        TLP.RED,
        Distribution.ORGANISATION,
        None,
        [],
        [],
    ),
]

# Public-data style incidents (as the MMP import stores them): TLP:CLEAR, their source kept.
# Rows as the MMP import makes them: where the incident happened, and what the import noted on the
# source row (DEMO-106's coordinates came longitude first; DEMO-105 is a death on land, not at sea).
PUBLIC = [
    ("DEMO-101", 2, 28, -12.70, 44.90, "Eastern Africa", "comoros_mayotte", 3, 8, "drowning", "sea", []),
    ("DEMO-102", 5, 15, 12.40, 44.10, "Horn of Africa", "horn_of_africa_yemen", 9, 20, "drowning", "sea", []),
    ("DEMO-103", 9, 6, 6.30, 94.80, "South-eastern Asia", "bay_of_bengal_andaman", 0, 25, "mixed_unknown",
     "sea", []),
    ("DEMO-104", 10, 21, -11.90, 43.60, "Eastern Africa", "comoros_mayotte", 2, 0, "drowning", "sea", []),
    ("DEMO-105", 4, 9, 11.96, 43.29, "Horn of Africa", "horn_of_africa_yemen", 2, 0, "violence", "land", []),
    ("DEMO-106", 3, 17, 12.60, 43.40, "Horn of Africa", "horn_of_africa_yemen", 4, 6, "drowning", "sea",
     ["coordinates_swapped"]),
]  # fmt: skip


def _when(months_ago: int, day: int) -> datetime.datetime:
    today = timezone.now().date().replace(day=1)
    year, month = today.year, today.month - months_ago
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.datetime(year, month, day, 6, 30, tzinfo=datetime.UTC)


def _point(value):
    return Decimal(str(value)) if value is not None else None


def load(ctx: dict) -> None:
    orgs, users = ctx["orgs"], ctx["users"]
    group, _ = SharingGroup.objects.get_or_create(
        name=GROUP_NAME, defaults={"description": "Regional centres exchanging reports of incidents at sea."}
    )
    group.organisations.add(orgs["rmifc"], orgs["sey_centre"])
    recorders = {"rmifc": users["analyst"], "sey_centre": users["analyst_sey"]}
    existing = set(Incident.objects.filter(source_id__startswith="demo:").values_list("source_id", flat=True))
    for (key, org_key, months_ago, day, kind, lat, lon, area, route, pob, dead, missing, survivors, outcome,
         departure, landing, tlp, distribution, vessel, persons, facilitators) in INCIDENTS:  # fmt: skip
        if f"demo:{key}" in existing:
            continue
        fields = {
            "incident_type": kind, "occurred_at": _when(months_ago, day), "latitude": _point(lat),
            "longitude": _point(lon), "position_precision_m": 1852, "area": area, "route": route,
            "persons_on_board": pob, "dead": dead, "missing": missing, "survivors": survivors,
            "outcome": outcome,
            "source": "Demo patrol report", "source_reliability": "B", "information_credibility": "2",
            "source_id": f"demo:{key}", "tlp": tlp, "distribution": distribution,
            "sharing_group": group if distribution == Distribution.SHARING_GROUP else None,
            "narrative": "Synthetic demo narrative: no real event or person is described.",
        }  # fmt: skip
        if departure:
            name, country, dlat, dlon = departure
            fields.update(departure_point=name, departure_country=country, departure_latitude=_point(dlat),
                          departure_longitude=_point(dlon))  # fmt: skip
        if landing:
            name, country, llat, llon = landing
            fields.update(disembarkation_port=name, disembarkation_country=country,
                          disembarkation_latitude=_point(llat), disembarkation_longitude=_point(llon),
                          intended_destination=name)  # fmt: skip
        new_vessel = None
        if vessel:
            vtype, vname, flag, length, engine = vessel
            new_vessel = {"vessel_type": vtype, "name": vname, "flag": flag, "length_m": Decimal(str(length)),
                          "engine": engine}  # fmt: skip
        incident = services.incident_create(
            acting_user=recorders[org_key], organisation=orgs[org_key], new_vessel=new_vessel,
            persons=[{"sex": s, "age_group": a, "nationality": n, "count": c} for s, a, n, c in persons],
            facilitators=[(ref, "Demo network") for ref in facilitators], **fields,
        )  # fmt: skip
        services.attachment_add(
            acting_user=recorders[org_key],
            incident=incident,
            title="Patrol log extract",
            uploaded_file=SimpleUploadedFile(
                "patrol-log.txt",
                f"Synthetic patrol log for demo incident {key}: no real event or person.\n".encode(),
                content_type="text/plain",
            ),
            tlp=tlp,
        )
    public_existing = set(
        Incident.objects.filter(source_id__startswith="mmp:DEMO-").values_list("source_id", flat=True)
    )
    records = [
        {
            "incident_type": "death_or_disappearance",
            "occurred_at": _when(months_ago, day),
            "latitude": _point(lat),
            "longitude": _point(lon),
            "area": area,
            "route": route,
            "dead": dead,
            "missing": missing,
            "cause_of_death": cause,
            "source": "IOM Missing Migrants Project (synthetic demo row)",
            "source_reliability": "B",
            "information_credibility": "2",
            "source_id": f"mmp:{mmp_id}",
            "location_description": f"{area} (synthetic)",
            "setting": setting,
            "source_notes": notes,
        }  # fmt: skip
        for mmp_id, months_ago, day, lat, lon, area, route, dead, missing, cause, setting, notes in PUBLIC
        if f"mmp:{mmp_id}" not in public_existing
    ]
    if records:
        summary = services.incidents_import_public(
            acting_user=SYSTEM, organisation=orgs["rmifc"], records=records,
            summary=services.ImportSummary(format="mmp", rows=len(records)),
        )  # fmt: skip
        _finished_import_job(orgs["rmifc"], users["analyst"], summary)
    _coastguard_report(orgs, users)
    _screening_batch(orgs, users)


def _coastguard_report(orgs, users):
    """A coastguard's report of the event the MMP row DEMO-101 counts: a few hours later, 4 km away,
    one more missing. The same-event page proposes the pair for an analyst to merge or keep apart."""
    if Incident.objects.filter(source_id="demo:coastguard-101").exists():
        return
    services.incident_create(
        acting_user=users["analyst"], organisation=orgs["rmifc"], incident_type="shipwreck",
        occurred_at=_when(2, 28) + datetime.timedelta(hours=5), latitude=_point(-12.72),
        longitude=_point(44.93), area="Mozambique Channel", route="comoros_mayotte", dead=3, missing=9,
        survivors=6, persons_on_board=18, source="Coastguard report (demo)", source_reliability="A",
        information_credibility="2", source_id="demo:coastguard-101", tlp=TLP.GREEN,
        distribution=Distribution.COMMUNITY,
    )  # fmt: skip


SCREENED_ON_LANDING = 10


def _screening_batch(orgs, users):
    """Screenings opened by the fusion centre's protection officer for ten of the 35 persons who came
    ashore at Dzaoudzi (demo incident rmifc-006)."""
    from lindung.screening.models import InstrumentVersion

    from .screening_batches import screening_batch_open

    incident = Incident.objects.filter(source_id="demo:rmifc-006").first()
    version = (
        InstrumentVersion.objects.filter(status=InstrumentVersion.Status.PUBLISHED).order_by("pk").first()
    )
    if incident is None or version is None or incident.screening_batches.exists():
        return
    screening_batch_open(
        acting_user=users["protection"], incident=incident, count=SCREENED_ON_LANDING, instrument=version,
        organisation=orgs["rmifc"],
    )  # fmt: skip


def _finished_import_job(organisation, analyst, summary) -> None:
    """The public import as the analyst's background job, as a worker leaves it: the job's page
    (linked from the operations page) shows the import summary."""
    from django.utils import timezone

    from lindung.core.models import Job

    from . import tasks

    Job.objects.create(
        kind="maritime.import", subject=f"maritime.import:{organisation.pk}", organisation=organisation,
        created_by=analyst, status=Job.Status.DONE, task_path=tasks.import_file.module_path,
        started_at=timezone.now(), finished_at=timezone.now(), attempts=1, phase="import",
        done=summary.rows, total=summary.rows, result=summary.as_dict(),
        params={"organisation": organisation.pk, "format": "mmp", "partial": False},
    )  # fmt: skip
