"""Receiving shared objects from a peer: ``objects_receive``, the one write path for what arrives.

Objects arrive in pages: a push (TAXII ``POST .../objects/``) is one page, a pull (``lindung sharing
sync``) as many pages as the peer's collection serves. Every object of a page is checked (known
TLP 2.0 markings, author a partner of an agreement in force, our party among the recipients,
marking within the ceiling, values valid for the model) before anything of the page is written.
Everything a receipt writes is one transaction: every page, the exchange-log line and its audit
entry, and for a pull the point the next pull starts from. A refused object refuses the whole
receipt, and nothing received is ever kept without its audit entry. A newer version of an object
replaces the older one; an older or equal version is not applied again (pushed, it is refused as
a replay).

A refusal raises ExchangeRefused and the caller logs it (nothing was stored). What the objects can
get wrong is checked by name before it is used (``_check_structure``, ``_check_report_shape``, the
value checks), so an error raised later, while storing, is a bug and surfaces as one instead of
passing for bad input. How rows are checked and written fast is ``fastpath``'s business.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from lindung.core.actors import require_actor
from lindung.core.events import send_on_commit
from lindung.core.markings import TLP, Distribution, tlp_allowed
from lindung.core.models import ObjectShare
from lindung.core.parsing import INT64_MIN, parse_int
from lindung.maritime.events import incidents_arrived
from lindung.maritime.models import FacilitatorReference, Incident, PersonsOnBoard, Vessel

from . import stix
from .exchange import ExchangeRefused
from .fastpath import check_plan, checked_values, insert_rows
from .models import ExchangeLog, ImportedObject, SharingAgreement
from .services import exchange_record

MALFORMED = "malformed_object"


@dataclass(frozen=True)
class Push:
    """Objects a peer posted to our collection (TAXII). A version held here already means a
    replayed or out-of-order request, refused. ``status`` is the TAXII status resource of the
    request, kept in the exchange log, from which the status endpoint serves it."""

    status_id: uuid.UUID
    status: dict
    request_id: str = ""
    full_validation: bool = True
    refuse_stale = True


@dataclass(frozen=True)
class Pull:
    """Pages of the peer's collection for the agreement, from the agreement's cursor on. A version
    held here already is counted as unchanged."""

    full_validation: bool = True
    refuse_stale = False


@dataclass
class Receipt:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    fields_dropped: int = 0
    objects: int = 0
    latest: datetime | None = None  # the newest modification time of a report received
    log: ExchangeLog | None = None


def objects_receive(
    *, acting_user, peer, agreement: SharingAgreement, pages: Iterable[list], how: Push | Pull
) -> Receipt:
    """Check and store every page of objects, log and audit the receipt, all in one transaction.
    ``pages``: the sets of STIX objects received (a push is one). Raises ExchangeRefused."""
    require_actor(acting_user)
    if not agreement.in_force():
        raise ExchangeRefused(f"The agreement {agreement.reference} is not in force.", status=403)
    receipt = Receipt(latest=agreement.pull_cursor if isinstance(how, Pull) else None)
    with transaction.atomic():
        for objects in pages:
            _receive_page(peer, agreement, objects, how, receipt)
        if isinstance(how, Pull):
            SharingAgreement.objects.filter(pk=agreement.pk).update(pull_cursor=receipt.latest)
            agreement.pull_cursor = receipt.latest
            peer.last_pull_at = timezone.now()
            peer.save(update_fields=["last_pull_at"])
        receipt.log = _log(acting_user, peer, agreement, how, receipt)
    return receipt


def _log(acting_user, peer, agreement, how, receipt) -> ExchangeLog:
    counts = {"created": receipt.created, "updated": receipt.updated}
    if isinstance(how, Push):
        return exchange_record(
            direction=ExchangeLog.Direction.RECEIVED, operation="objects", outcome=ExchangeLog.Outcome.OK,
            peer=peer, agreement=agreement, http_status=202, object_count=receipt.objects,
            detail={"status": how.status, **counts, "fields_dropped": receipt.fields_dropped},
            status_id=how.status_id, request_id=how.request_id, actor=acting_user,
        )  # fmt: skip
    return exchange_record(
        direction=ExchangeLog.Direction.PULLED, operation="pull", outcome=ExchangeLog.Outcome.OK,
        peer=peer, agreement=agreement, object_count=receipt.objects,
        detail={**counts, "unchanged": receipt.unchanged}, actor=acting_user,
    )  # fmt: skip


def _receive_page(peer, agreement, objects, how, receipt: Receipt) -> None:
    by_id = _check_structure(objects)
    if how.full_validation and objects:
        validate_with_stix2(objects)
    receipt.objects += len(objects)
    batch = _Batch(peer, agreement, by_id, receipt)
    checked = []
    for report in (o for o in by_id.values() if o["type"] == "report"):
        report = _check_report(batch, report)
        receipt.latest = max(receipt.latest or report.modified, report.modified)
        if report.previous is not None and report.modified <= report.previous.modified:
            if how.refuse_stale:
                raise ExchangeRefused(
                    f"{report.id}: this version was already received (replayed or out-of-order request).",
                    status=409,
                    object_id=report.id,
                )
            receipt.unchanged += 1
            continue
        checked.append(report)
    batch.look_up_held(checked)
    try:
        for report in checked:
            _store_report(batch, report)
        batch.flush()
    except IntegrityError as exc:
        raise ExchangeRefused("The objects conflict with records held here; nothing was stored.") from exc
    # New incidents and new versions alike: a new version may match a watch rule the old did not.
    arrived = [incident.row["id"] for incident in (*batch.new, *batch.updated)]
    if arrived:
        send_on_commit(incidents_arrived, Incident, incident_ids=arrived, how="received")


# checks of a page, before anything is written -----------------------------------------------

_REQUIRED = ("type", "id", "spec_version")


def _check_structure(objects) -> dict[str, dict]:
    if not isinstance(objects, list):
        raise ExchangeRefused("'objects' must be a list of STIX objects.")
    by_id = {}
    for position, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise ExchangeRefused(f"Object {position} is not a JSON object.")
        missing = [p for p in _REQUIRED if p not in obj]
        if missing:
            raise ExchangeRefused(
                f"Object {position} lacks {', '.join(missing)}.", object_id=str(obj.get("id", ""))
            )
        if not all(isinstance(obj[p], str) for p in _REQUIRED):
            raise ExchangeRefused(f"Object {position}: type, id and spec_version must be text.")
        markings = obj.get("object_marking_refs", [])
        if not isinstance(markings, list) or not all(isinstance(m, str) for m in markings):
            raise ExchangeRefused(
                f"{obj['id']}: object_marking_refs must be a list of ids.", object_id=obj["id"]
            )
        if obj["spec_version"] != stix.SPEC_VERSION:
            raise ExchangeRefused(f"{obj['id']}: only STIX 2.1 is accepted.", object_id=obj["id"])
        if not str(obj["id"]).startswith(f"{obj['type']}--"):
            raise ExchangeRefused(
                f"{obj['id']}: the id does not match the type {obj['type']!r}.", object_id=obj["id"]
            )
        for marking in markings:
            if marking not in stix.TLP_BY_MARKING_ID:
                raise ExchangeRefused(
                    f"{obj['id']}: unknown marking {marking}; only TLP 2.0 marking definitions are accepted.",
                    object_id=obj["id"],
                )
        if obj["type"] == "marking-definition" and obj["id"] not in stix.TLP_BY_MARKING_ID:
            raise ExchangeRefused(f"{obj['id']}: unknown marking definition.", object_id=obj["id"])
        by_id[obj["id"]] = obj
    return by_id


def validate_with_stix2(objects) -> None:
    """Run the OASIS validator on a set of objects; refuse with its first errors."""
    from stix2validator import ValidationOptions, validate_instance
    from stix2validator.errors import ValidationError as StixValidationError

    bundle, options = stix.bundle(objects), ValidationOptions(version="2.1")
    try:
        result = validate_instance(bundle, options)
    except (StixValidationError, TypeError, AttributeError, ValueError, KeyError) as exc:
        # Around the third-party validator's call only: it raises, rather than reports, on some
        # shapes of received objects it does not expect. No code of Lindung's runs in this ``try``.
        raise ExchangeRefused(f"The objects fail STIX 2.1 validation: {str(exc)[:200]}") from exc
    if not result.is_valid:
        errors = "; ".join(str(e) for e in result.errors[:3])
        raise ExchangeRefused(f"The objects fail STIX 2.1 validation: {errors}")


def _malformed(report_id: str, what: str) -> ExchangeRefused:
    return ExchangeRefused(
        f"{report_id}: {what} (the object is malformed; nothing was stored).",
        object_id=report_id,
        code=MALFORMED,
    )


def _check_report_shape(report) -> None:
    """Refuse a report whose parts read below have the wrong JSON type. Values of the wrong shape
    are refused here, by name, so that an error raised later while storing is a bug and surfaces
    as one instead of being taken for bad input."""
    report_id = report["id"]
    if not isinstance(report.get("created_by_ref", ""), str):
        raise _malformed(report_id, "created_by_ref must be an id")
    extensions = report.get("extensions", {})
    if not isinstance(extensions, dict):
        raise _malformed(report_id, "extensions must be an object")
    refs = report.get("object_refs", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise _malformed(report_id, "object_refs must be a list of ids")
    details = extensions.get(stix.INCIDENT_EXTENSION_ID)
    if isinstance(details, dict):
        recipients = details.get("recipient_refs", [])
        if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
            raise _malformed(report_id, "recipient_refs must be a list of ids")


@dataclass
class _Report:
    """A received report that passed the checks of its author, marking and recipients."""

    id: str
    body: dict
    author: object  # the partner organisation that wrote it
    tlp: str
    details: dict  # its incident extension
    modified: datetime
    previous: ImportedObject | None  # the version held here, if any


def _check_report(batch, report) -> _Report:
    agreement, report_id = batch.agreement, report["id"]
    _check_report_shape(report)
    author = batch.partners.get(report.get("created_by_ref"))
    if author is None:
        raise ExchangeRefused(
            f"{report_id}: its author is not a partner of agreement {agreement.reference}.",
            status=403,
            object_id=report_id,
        )
    tlp = _marking_of(report)
    if tlp == TLP.RED or not tlp_allowed(tlp, agreement.tlp_ceiling):
        raise ExchangeRefused(
            f"{report_id}: marked {TLP(tlp).label}, above the agreement's ceiling.",
            status=403,
            object_id=report_id,
        )
    details = report.get("extensions", {}).get(stix.INCIDENT_EXTENSION_ID)
    if not isinstance(details, dict):
        raise ExchangeRefused(f"{report_id}: the incident extension is missing.", object_id=report_id)
    if batch.our_identity not in details.get("recipient_refs", []):
        raise ExchangeRefused(
            f"{report_id}: not addressed to {agreement.organisation.name}.",
            status=403,
            object_id=report_id,
        )
    modified = _timestamp(report_id, "modified", report.get("modified"))
    return _Report(report_id, report, author, tlp, details, modified, batch.known.get(report_id))


def _marking_of(report) -> str:
    markings = [stix.TLP_BY_MARKING_ID[m] for m in report.get("object_marking_refs", [])]
    if len(markings) != 1:
        raise ExchangeRefused(
            f"{report['id']}: a report needs exactly one TLP 2.0 marking.", object_id=report["id"]
        )
    return markings[0]


def _plain_value(name, value):
    """JSON numbers for decimal fields go through their shortest text form, so that 12.48 stays
    12.48 and not the binary float's 12.4800000000000004263."""
    if name in stix.DECIMAL_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(repr(value))
    return value


def _timestamp(report_id: str, name: str, value):
    try:
        return stix.parse_timestamp(value)
    except ValueError as exc:  # parse_timestamp refuses anything but a text ending in Z this way
        raise _malformed(report_id, f"{name} must be a STIX timestamp") from exc


def _metres(report_id: str, value) -> int:
    """A STIX location's precision: a number of metres (a float in STIX), kept in whole metres."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value < 2**31:
        raise _malformed(report_id, "precision must be a number of metres")
    return int(value)


def _whole(report_id: str, name: str, value, *, minimum: int = INT64_MIN):
    """A whole number, or a refusal. A field's range is the field's to check, with its message."""
    try:
        return parse_int(value, field=name, minimum=minimum)
    except ValidationError as exc:
        least = f" from {minimum}" if minimum > INT64_MIN else ""
        raise _malformed(report_id, f"{name} must be a whole number{least}") from exc


def _value_errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in exc.message_dict.items()
        )
    return " ".join(exc.messages)


# Fields of received rows not checked one by one: set here (uuid), or a related row in hand.
INCIDENT_UNCHECKED = ("uuid", "vessel")
VESSEL_UNCHECKED = ("uuid",)
PERSONS_UNCHECKED = ("incident",)


def load_code_lists() -> None:
    """Load now the code lists received rows are checked against (read from files on first use),
    for a caller with time to spare, such as a pull waiting for its first page."""
    for model, exclude in (
        (Incident, INCIDENT_UNCHECKED),
        (Vessel, VESSEL_UNCHECKED),
        (PersonsOnBoard, PERSONS_UNCHECKED),
    ):
        check_plan(model, exclude)


# storing a page -------------------------------------------------------------------------------


def _received(model, peer, origin_ids):
    """Rows received from ``peer`` with these STIX ids. The condition on a non-empty id is the one
    of the unique index on (origin_node, origin_id), which the database uses only when it is repeated."""
    return model.objects.filter(~Q(origin_id=""), origin_node=peer.name, origin_id__in=origin_ids).order_by()


def _row_of(instance) -> dict:
    """A row held here, as values by attribute name (primary key included)."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@dataclass
class _Incident:
    """A received incident, checked, waiting for the end of its page: its row (with its ``id`` when
    it updates one held here), the origin id of its vessel, and how long this node keeps it."""

    row: dict
    vessel: str | None
    retention: timedelta


@dataclass
class _Related:
    """A row of a received incident's (a person-on-board group, a facilitator link), inserted
    once the incident's row has its primary key."""

    incident: dict
    values: dict


class _Batch:
    """The incidents and vessels of one page, checked as values and written together at its end
    (a pull brings thousands of them), with their persons on board and facilitators. Rows already
    received (previous versions, vessels) are looked up once for the page and updated at the end too."""

    def __init__(self, peer, agreement, by_id, receipt):
        self.peer, self.agreement, self.by_id, self.receipt = peer, agreement, by_id, receipt
        self.allowed = frozenset(agreement.fields)
        self.partners = {
            stix.organisation_identity_id(o.name): o for o in agreement.partner_organisations.all()
        }
        self.our_identity = stix.organisation_identity_id(agreement.organisation.name)
        report_ids = [o["id"] for o in by_id.values() if o["type"] == "report"]
        self.known = {i.stix_id: i for i in ImportedObject.objects.filter(stix_id__in=report_ids)}
        self.vessels, self.previous, self.facilitators = {}, {}, {}
        # One time of receipt for the page, rather than asking the clock for every row.
        self.now = timezone.now()
        self.new, self.updated, self.persons, self.links = [], [], [], []

    def look_up_held(self, reports: list[_Report]) -> None:
        """The vessels and incidents of these reports held here already, as rows (with their id)."""
        vessel_ids = [
            str(r.body["extensions"][stix.VESSEL_EXTENSION_ID].get("vessel_id"))
            for r in reports
            if isinstance(r.body["extensions"].get(stix.VESSEL_EXTENSION_ID), dict)
        ]
        self.vessels = {v.origin_id: _row_of(v) for v in _received(Vessel, self.peer, vessel_ids)}
        previous_ids = [r.id for r in reports if r.previous is not None]
        self.previous = {i.origin_id: i for i in _received(Incident, self.peer, previous_ids)}

    def flush(self):
        held = [row for row in self.vessels.values() if "id" in row]
        insert_rows(Vessel, [row for row in self.vessels.values() if "id" not in row], key="uuid")
        for row in held:
            Vessel(**row).save(force_update=True)
        for incident in (*self.new, *self.updated):
            if incident.vessel is not None:
                incident.row["vessel_id"] = self.vessels[incident.vessel]["id"]
        insert_rows(Incident, [incident.row for incident in self.new], key="uuid")
        for incident in self.updated:
            Incident(**incident.row).save(force_update=True)
        Through = Incident.facilitators.through
        # A new version's persons on board and facilitators replace those of the version it updates.
        replaced = [incident.row["id"] for incident in self.updated]
        PersonsOnBoard.objects.filter(incident_id__in=replaced).delete()
        Through.objects.filter(incident_id__in=replaced).delete()
        insert_rows(PersonsOnBoard, [{**p.values, "incident_id": p.incident["id"]} for p in self.persons])
        insert_rows(Through, [{**link.values, "incident_id": link.incident["id"]} for link in self.links])
        self._provenance()

    def _provenance(self):
        """Where each new incident came from and until when it is kept, and its share with our party."""
        now, agreement, incident_type = self.now, self.agreement, ContentType.objects.get_for_model(Incident)
        # Incidents kept as long share one "until" (one value to prepare for the database).
        until = {i.retention: now + i.retention for i in self.new}
        insert_rows(
            ImportedObject,
            [
                {
                    "stix_id": i.row["origin_id"], "organisation_id": i.row["organisation_id"],
                    "peer_id": self.peer.pk, "agreement_id": agreement.pk, "object_type": "maritime.incident",
                    "object_id": str(i.row["id"]), "modified": i.row["modified_at"], "first_received_at": now,
                    "last_received_at": now, "retain_until": until[i.retention],
                }
                for i in self.new
            ],
        )  # fmt: skip
        purpose = f"agreement {agreement.reference}"[:200]
        insert_rows(
            ObjectShare,
            [
                {
                    "content_type_id": incident_type.pk, "object_id": str(i.row["id"]),
                    "organisation_id": agreement.organisation_id, "purpose": purpose, "created_at": now,
                }
                for i in self.new
            ],
        )  # fmt: skip


def _store_report(batch: _Batch, report: _Report) -> None:
    agreement, allowed, receipt = batch.agreement, batch.allowed, batch.receipt
    values = _incident_values(report, allowed, receipt)
    values.update(_location_values(batch, report))
    values.update(
        tlp=report.tlp,
        distribution=Distribution.ORGANISATION,
        sharing_group_id=None,
        version=_whole(report.id, "version", report.details.get("version", 1)),
        created_at=_timestamp(report.id, "created", report.body.get("created")),
        modified_at=report.modified,
        vessel_id=None,  # set when the page is written, once its vessel is
    )
    vessel = _store_vessel(batch, report)
    if report.previous is None:
        values.update(organisation_id=report.author.pk, origin_node=batch.peer.name, origin_id=report.id)
    else:
        values = {**_row_of(batch.previous[report.id]), **values}
    try:
        row = checked_values(Incident, values, exclude=INCIDENT_UNCHECKED, rules=Incident.rule_errors)
    except ValidationError as exc:
        raise ExchangeRefused(f"{report.id}: {_value_errors(exc)}", object_id=report.id) from exc
    # The shorter of the sender's retention and ours, kept until the provenance row is written.
    sender_days = _whole(
        report.id, "retention_days", report.details.get("retention_days", agreement.retention_days), minimum=0
    )
    retention = timedelta(days=min(sender_days, agreement.retention_days))
    persons = _persons(report, allowed)
    facilitators = _facilitators(batch, report)
    batch.persons.extend(_Related(row, person) for person in persons)
    batch.links.extend(_Related(row, {"facilitatorreference_id": f.pk}) for f in facilitators)
    if report.previous is None:
        batch.new.append(_Incident(row, vessel, retention))
        receipt.created += 1
        return
    batch.updated.append(_Incident(row, vessel, retention))
    previous = report.previous
    previous.modified, previous.last_received_at = report.modified, timezone.now()
    previous.retain_until = previous.last_received_at + retention
    previous.versions_received += 1
    previous.save(update_fields=["modified", "last_received_at", "retain_until", "versions_received"])
    receipt.updated += 1


def _incident_values(report: _Report, allowed: frozenset, receipt: Receipt) -> dict:
    values = {}
    for name in stix.INCIDENT_FIELDS:
        if name in report.details:
            if name not in allowed:
                receipt.fields_dropped += 1
                continue
            values[name] = (
                _timestamp(report.id, name, report.details[name])
                if name == "occurred_at"
                else _plain_value(name, report.details[name])
            )
    return values


def _location_values(batch: _Batch, report: _Report) -> dict:
    allowed = batch.allowed
    location = next(
        (
            batch.by_id[r]
            for r in report.body.get("object_refs", [])
            if r.startswith("location--") and r in batch.by_id
        ),
        None,
    )
    if location is None or not {"latitude", "longitude"} <= allowed:
        return {}
    values = {
        "latitude": _plain_value("latitude", location.get("latitude")),
        "longitude": _plain_value("longitude", location.get("longitude")),
    }
    if "precision" in location and "position_precision_m" in allowed:
        values["position_precision_m"] = _metres(report.id, location["precision"])
    if "name" in location and "area" in allowed:
        values["area"] = location["name"]
    return values


def _store_vessel(batch: _Batch, report: _Report) -> str | None:
    """Check the report's vessel and keep it in the page's vessels; returns its origin id."""
    details = report.body["extensions"].get(stix.VESSEL_EXTENSION_ID)
    if not isinstance(details, dict) or not details.get("vessel_id"):
        return None
    vessel_id = str(details["vessel_id"])
    known = batch.vessels.get(vessel_id)
    values = dict(known) if known else {
        "organisation_id": report.author.pk, "origin_node": batch.peer.name, "origin_id": vessel_id[:120],
        "created_at": batch.now, "modified_at": batch.now,
    }  # fmt: skip
    for prop, model_field in stix.VESSEL_FIELDS.items():
        if prop in details:
            if prop not in batch.allowed:
                batch.receipt.fields_dropped += 1
                continue
            values[model_field] = _plain_value(prop, details[prop])
    try:
        row = checked_values(Vessel, values, exclude=VESSEL_UNCHECKED)
    except ValidationError as exc:
        raise ExchangeRefused(f"{report.id}: vessel: {_value_errors(exc)}", object_id=report.id) from exc
    batch.vessels[vessel_id] = row
    return vessel_id


def _persons(report: _Report, allowed: frozenset) -> list[dict]:
    """The persons-on-board rows of a report, checked, as values (inserted without instances)."""
    rows = report.details.get("persons_breakdown") if "persons_breakdown" in allowed else None
    if not rows:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ExchangeRefused(
            f"{report.id}: persons_breakdown must be a list of objects.", object_id=report.id
        )
    people = []
    for row in rows:
        try:
            people.append(
                checked_values(
                    PersonsOnBoard,
                    {k: row[k] for k in ("sex", "age_group", "nationality", "count") if k in row},
                    exclude=PERSONS_UNCHECKED,
                )
            )
        except ValidationError as exc:
            raise ExchangeRefused(
                f"{report.id}: persons on board: {_value_errors(exc)}", object_id=report.id
            ) from exc
    groups = [(p["sex"], p["age_group"], p["nationality"]) for p in people]
    if len(set(groups)) != len(groups):
        raise ExchangeRefused(f"{report.id}: persons_breakdown repeats a group.", object_id=report.id)
    return people


def _facilitators(batch: _Batch, report: _Report) -> list:
    if "facilitators" not in batch.allowed:
        return []
    refs = [
        batch.by_id[r]
        for r in report.body.get("object_refs", [])
        if r.startswith("threat-actor--") and r in batch.by_id
    ]
    found = []
    for actor in refs:
        facilitator = batch.facilitators.get(actor["id"])
        if facilitator is None:
            facilitator, _ = FacilitatorReference.objects.get_or_create(
                origin_node=batch.peer.name,
                origin_id=actor["id"],
                defaults={"organisation": report.author, "reference": str(actor.get("name", ""))[:64]},
            )
            batch.facilitators[actor["id"]] = facilitator
        found.append(facilitator)
    return found
