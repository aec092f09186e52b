"""What may leave this node under an agreement, and how received objects are checked and stored.

Leaving (``outgoing_page``): only incidents recorded here by the agreement's party, marked at or
below the agreement's TLP ceiling and never RED, and only for partner organisations the markings
allow (see ``recipients``). Only the agreement's fields are written, people as pseudonyms keyed
per agreement.

Arriving (``import_objects``): every object is checked (known TLP 2.0 markings, author a partner
of an agreement in force, our party among the recipients, marking within the ceiling, values valid
for the model) before anything is written, and the whole set is written in one transaction: a
refused object refuses the set. A newer version of an object replaces the older one; an older or
equal version is not applied again.
"""

import contextlib
import functools
import gc
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from lindung.core import policy
from lindung.core.events import send_on_commit
from lindung.core.markings import TLP, TLP_ORDER, Distribution, tlp_allowed
from lindung.core.models import ObjectShare, SharingGroup
from lindung.core.parsing import INT64_MIN, parse_int
from lindung.maritime.events import incidents_arrived
from lindung.maritime.models import FacilitatorReference, Incident, PersonsOnBoard, Vessel

from . import bulk, stix
from .models import ImportedObject, SharingAgreement


class ExchangeRefused(Exception):
    """An exchange request or a set of objects is refused; ``message`` says why (no personal data)
    and ``code`` names the reason for programs (TAXII's ``error_code``)."""

    def __init__(self, message: str, *, status: int = 400, object_id: str = "", code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.object_id = object_id
        self.code = code


@contextlib.contextmanager
def without_cycle_collection():
    """Python's collector of reference cycles runs every few hundred objects made and walks the
    young ones, now and then all of them. A page being built or stored makes tens of thousands of
    dicts and rows, none of them in a cycle, and the collector walked them again and again: a tenth
    of the time of a page. It is paused for the page and goes on after it (a ``with`` block, or a
    decorator: ``@without_cycle_collection()``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# leaving ------------------------------------------------------------------------------------


def exportable_tlp(agreement) -> list[str]:
    return [t for t in TLP_ORDER if t != TLP.RED and tlp_allowed(t, agreement.tlp_ceiling)]


def _incident_type():
    return ContentType.objects.get_for_model(Incident)


def candidates(agreement):
    """Incidents that may be in the agreement's collection (recipients are checked per page)."""
    if not agreement.in_force():
        return Incident.objects.none()
    shares = ObjectShare.objects.active().filter(content_type=_incident_type())
    return (
        Incident.objects.filter(
            organisation_id=agreement.organisation_id, origin_node="", tlp__in=exportable_tlp(agreement)
        )
        .filter(
            Q(distribution__in=[Distribution.CONNECTED, Distribution.SHARING_GROUP])
            | Q(pk__in=policy.shared_ids(Incident, shares))
        )
        # The narrative never leaves (it is not a field an agreement can name): not even decrypted.
        .defer("narrative")
        .select_related("vessel")
        .order_by("modified_at", "pk")
    )


def recipients(agreement, incidents) -> dict[int, set[int]]:
    """For each incident, the partner organisations its marking and distribution let it reach."""
    partners = set(agreement.partner_organisations.values_list("pk", flat=True))
    peer_groups = set(agreement.peer.sharing_groups.values_list("pk", flat=True))
    if agreement.sharing_group_id:
        peer_groups.add(agreement.sharing_group_id)
    ids = [str(i.pk) for i in incidents]
    named_direct, named_group = defaultdict(set), defaultdict(set)
    shares = ObjectShare.objects.active().filter(content_type=_incident_type(), object_id__in=ids)
    for object_id, org_id in shares.filter(organisation__isnull=False).values_list(
        "object_id", "organisation_id"
    ):
        named_direct[int(object_id)].add(org_id)
    group_rows = shares.filter(sharing_group__isnull=False).values_list(
        "object_id", "sharing_group__organisations"
    )
    for object_id, org_id in group_rows:
        if org_id is not None:
            named_group[int(object_id)].add(org_id)
    group_members = defaultdict(set)
    group_ids = {i.sharing_group_id for i in incidents if i.sharing_group_id}
    for group_id, org_id in SharingGroup.organisations.through.objects.filter(
        sharinggroup_id__in=group_ids
    ).values_list("sharinggroup_id", "organisation_id"):
        group_members[group_id].add(org_id)

    out = {}
    for incident in incidents:
        direct = named_direct[incident.pk] & partners
        if incident.tlp == TLP.AMBER_STRICT:
            out[incident.pk] = direct
            continue
        reach = direct | (named_group[incident.pk] & partners)
        if incident.distribution == Distribution.SHARING_GROUP and incident.sharing_group_id:
            if incident.sharing_group_id in peer_groups:
                reach |= partners
            else:
                reach |= group_members[incident.sharing_group_id] & partners
        if incident.tlp in (TLP.CLEAR, TLP.GREEN) and incident.distribution == Distribution.CONNECTED:
            reach |= partners
        out[incident.pk] = reach
    return out


@dataclass
class Page:
    objects: list[dict]
    incidents: int
    more: bool
    next_cursor: str
    first_added: object = None
    last_added: object = None


def encode_cursor(incident) -> str:
    return f"{incident.modified_at.isoformat()}|{incident.pk}"


def decode_cursor(text: str):
    try:
        when, _, pk = text.partition("|")
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return moment, int(pk)
    except ValueError as exc:
        raise ExchangeRefused(f"The 'next' value {text[:40]!r} is not one this server gave.") from exc


def _after(queryset, when, pk):
    """Incidents after (when, pk) in the collection's order. The range on ``modified_at`` lets the
    database walk the (organisation, modified_at) index from there instead of sorting them all."""
    return queryset.filter(modified_at__gte=when).filter(Q(modified_at__gt=when) | Q(pk__gt=pk))


@without_cycle_collection()
def outgoing_page(agreement, *, added_after=None, cursor="", limit=1000, ids=None, types=None) -> Page:
    """One page of the agreement's collection, grouped by incident, at most ``limit`` objects."""
    queryset = candidates(agreement)
    if added_after is not None:
        queryset = queryset.filter(modified_at__gt=added_after)
    if cursor:
        queryset = _after(queryset, *decode_cursor(cursor))
    if ids:
        queryset = queryset.filter(uuid__in=[i.split("--", 1)[1] for i in ids if i.startswith("report--")])
    allowed = frozenset(agreement.fields)
    partner_names = dict(agreement.partner_organisations.values_list("pk", "name"))
    # Every candidate was recorded by the agreement's party: one organisation for all of them.
    organisation = agreement.organisation
    objects: list[dict] = []
    markings = set()
    count, first, last, more, next_cursor = 0, None, None, False, ""
    rest = queryset
    while True:
        # As many incidents as should fill the page, from the objects per incident seen so far
        # (two at first: a report and its location); a few more or less costs one more query.
        per_incident = len(objects) / count if count else 2
        wanted = max(1, min(limit, int((limit - len(objects)) / per_incident) + 1))
        batch = list(rest[:wanted])
        if not batch:
            break
        rest = _after(queryset, batch[-1].modified_at, batch[-1].pk)
        reach = recipients(agreement, batch)
        batch_ids = [i.pk for i in batch]
        persons = defaultdict(list)
        for p in PersonsOnBoard.objects.filter(incident_id__in=batch_ids).values_list(
            "incident_id", "sex", "age_group", "nationality", "count", named=True
        ):
            persons[p.incident_id].append(p)
        facilitators = defaultdict(list)
        for row in Incident.facilitators.through.objects.filter(incident_id__in=batch_ids).select_related(
            "facilitatorreference"
        ):
            facilitators[row.incident_id].append(row.facilitatorreference)
        for incident in batch:
            if not reach[incident.pk]:
                continue
            incident.organisation = organisation
            built = stix.incident_objects(
                incident,
                agreement=agreement,
                allowed=allowed,
                recipient_ids=sorted(
                    stix.organisation_identity_id(partner_names[o]) for o in reach[incident.pk]
                ),
                persons=persons[incident.pk],
                facilitators=facilitators[incident.pk],
            )
            if objects and len(objects) + len(built) > limit:
                more = True
                break
            objects.extend(built)
            markings.add(incident.tlp)
            count += 1
            first = first or incident.modified_at
            last = incident.modified_at
            next_cursor = encode_cursor(incident)
        if more or len(batch) < wanted:
            break
    if not more:
        next_cursor = ""
    if types:
        objects = [o for o in objects if o["type"] in types]
    shared = [
        *stix.definitions(),
        *([stix.identity(organisation)] if count else []),
        *(stix.tlp_marking(t) for t in markings),
    ]
    if types:
        shared = [o for o in shared if o["type"] in types]
    return Page(
        objects=[*shared, *objects] if count else [],
        incidents=count,
        more=more,
        next_cursor=next_cursor,
        first_added=first,
        last_added=last,
    )


def export_bundle(agreement) -> dict:
    """The whole collection of an agreement as one STIX bundle (shared objects once)."""
    objects: dict[str, dict] = {}
    cursor = ""
    while True:
        page = outgoing_page(agreement, cursor=cursor, limit=5000)
        for obj in page.objects:
            objects.setdefault(obj["id"], obj)
        if not page.more:
            return stix.bundle(list(objects.values()))
        cursor = page.next_cursor


# arriving -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    fields_dropped: int = 0
    object_ids: list = field(default_factory=list)


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

    try:
        result = validate_instance(stix.bundle(objects), ValidationOptions(version="2.1"))
    except (StixValidationError, TypeError, AttributeError, ValueError, KeyError) as exc:
        # The validator raises, rather than reports, on some shapes it does not expect.
        raise ExchangeRefused(f"The objects fail STIX 2.1 validation: {str(exc)[:200]}") from exc
    if not result.is_valid:
        errors = "; ".join(str(e) for e in result.errors[:3])
        raise ExchangeRefused(f"The objects fail STIX 2.1 validation: {errors}")


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


def _incident_values(report_id: str, details: dict, allowed: frozenset, result: ImportResult) -> dict:
    values = {}
    for name in stix.INCIDENT_FIELDS:
        if name in details:
            if name not in allowed:
                result.fields_dropped += 1
                continue
            values[name] = (
                _timestamp(report_id, name, details[name])
                if name == "occurred_at"
                else _plain_value(name, details[name])
            )
    return values


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
        _check_plan(model, exclude)


@dataclass(frozen=True)
class _Plan:
    """How the received rows of a model are made and checked (built once per process)."""

    constants: dict  # the columns' defaults that are constants, by attribute name
    drawn: tuple  # fields whose default is drawn for each row (a uuid, the time)
    coded: tuple  # the coded fields checked, each with its codes
    cleaned: tuple  # the other fields checked by their own ``clean`` (related rows are in hand)


@functools.cache
def _check_plan(model, exclude: tuple) -> _Plan:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    drawn = tuple(f for f in fields if f.has_default() and callable(f.default))
    checked = [f for f in fields if f.name not in exclude]
    coded = [f for f in checked if f.choices is not None]
    return _Plan(
        constants={f.attname: f.get_default() for f in fields if f not in drawn},
        drawn=drawn,
        coded=tuple((f, frozenset(str(c) for c, _ in f.flatchoices)) for f in coded),
        cleaned=tuple(f for f in checked if f not in coded and not f.is_relation),
    )


def _code_errors(coded, values: dict, errors: dict) -> None:
    for f, codes in coded:
        value = values[f.attname]
        # Django's own messages for these refusals, translated in every language Lindung has.
        if value is None and not f.null:
            errors[f.name] = [f.error_messages["null"]]
        elif value in (None, ""):
            if not f.blank:
                errors[f.name] = [f.error_messages["blank"]]
        elif str(value) not in codes:
            errors[f.name] = [f.error_messages["invalid_choice"] % {"value": str(value)[:40]}]


def checked_values(model, values: dict, *, exclude=(), rules=None) -> dict:
    """The row of a received ``model`` from its values by attribute name, the other columns at
    their defaults, checked as ``full_clean`` checks an instance but without building one (this
    runs for every incident, vessel and persons-on-board row of a pull): field by field, with code
    lists checked against sets built once per process (Django would rebuild every translated
    choice list for every field of every row), then ``rules``, the model's rules between fields
    (``clean``), given ``value(attname)``. No uniqueness query: origin node and id are looked up
    before, replaced persons rows are cleared. Returns the row, values cleaned (and the primary key
    of a row held here kept); raises ValidationError naming each field refused."""
    if rules is None and model.clean is not models.Model.clean:
        raise TypeError(f"{model._meta.label} has rules between fields: pass them.")
    plan = _check_plan(model, tuple(exclude))
    row = {**plan.constants, **values}
    for f in plan.drawn:
        if f.attname not in row:
            row[f.attname] = f.get_default()
    errors = {}
    _code_errors(plan.coded, row, errors)
    for f in plan.cleaned:
        value = row[f.attname]
        # Like full_clean, an empty value is left alone where the field may be blank; unlike it, a
        # null where the column takes none is refused here rather than by the database.
        if f.blank and value in f.empty_values and (value is not None or f.null):
            continue
        try:
            row[f.attname] = f.clean(value, None)
        except ValidationError as exc:
            errors[f.name] = exc.messages
    # The rules between fields read valid values only (full_clean would also run them on the
    # values it refused, and fail on a text where a number belongs).
    if not errors and rules is not None:
        errors = rules(row.__getitem__)
    if errors:
        raise ValidationError(errors)
    return row


def _value_errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def import_objects(
    *, peer, agreement: SharingAgreement, objects, full_validation=True, refuse_stale=False
) -> ImportResult:
    """Check every object, then write them all or nothing. Raises ExchangeRefused.

    ``refuse_stale`` (objects pushed to us): a version we already hold, or an older one, means the
    request is a replay or out of order, and the whole request is refused.
    """
    if not agreement.in_force():
        raise ExchangeRefused(f"The agreement {agreement.reference} is not in force.", status=403)
    by_id = _check_structure(objects)
    if full_validation and objects:
        validate_with_stix2(objects)
    try:
        with without_cycle_collection():
            return _import(peer, agreement, by_id, refuse_stale)
    except IntegrityError as exc:
        raise ExchangeRefused("The objects conflict with records held here; nothing was stored.") from exc


MALFORMED = "malformed_object"


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


def _import(peer, agreement, by_id, refuse_stale) -> ImportResult:
    partners = {stix.organisation_identity_id(o.name): o for o in agreement.partner_organisations.all()}
    our_identity = stix.organisation_identity_id(agreement.organisation.name)
    allowed = frozenset(agreement.fields)
    reports = [o for o in by_id.values() if o["type"] == "report"]
    known = {i.stix_id: i for i in ImportedObject.objects.filter(stix_id__in=[r["id"] for r in reports])}
    result = ImportResult()
    plans = []
    for report in reports:
        report_id = report["id"]
        _check_report_shape(report)
        author = partners.get(report.get("created_by_ref"))
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
        if our_identity not in details.get("recipient_refs", []):
            raise ExchangeRefused(
                f"{report_id}: not addressed to {agreement.organisation.name}.",
                status=403,
                object_id=report_id,
            )
        modified = _timestamp(report_id, "modified", report.get("modified"))
        previous = known.get(report_id)
        if previous is not None and modified <= previous.modified:
            if refuse_stale:
                raise ExchangeRefused(
                    f"{report_id}: this version was already received (replayed or out-of-order request).",
                    status=409,
                    object_id=report_id,
                )
            result.unchanged += 1
            continue
        plans.append((report, author, tlp, details, modified, previous))
    batch = _Batch(
        peer, agreement, by_id, [p[0] for p in plans], [p[0]["id"] for p in plans if p[5] is not None]
    )
    with transaction.atomic():
        for report, author, tlp, details, modified, previous in plans:
            _store_report(batch, report, author, tlp, details, modified, previous, allowed, result)
        batch.flush()
        # New incidents and new versions alike: a new version may match a watch rule the old did not.
        arrived = [incident.row["id"] for incident in (*batch.new, *batch.updated)]
        if arrived:
            send_on_commit(incidents_arrived, Incident, incident_ids=arrived, how="received")
    return result


def _received(model, peer, origin_ids):
    """Rows received from ``peer`` with these STIX ids. The condition on a non-empty id is the one
    of the unique index on (origin_node, origin_id), which the database uses only when it is repeated."""
    return model.objects.filter(~Q(origin_id=""), origin_node=peer.name, origin_id__in=origin_ids).order_by()


def _row_of(instance) -> dict:
    """A row held here, as values by attribute name (primary key included)."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@dataclass
class _Incident:
    """A received incident, checked, waiting for the end of its set: its row (with its ``id`` when
    it updates one held here), the origin id of its vessel, and how long this node keeps it."""

    row: dict
    vessel: str | None
    retention: timedelta


class _Batch:
    """The incidents and vessels of one set, checked as values and written together at the end (a
    pull brings thousands of them), with their persons on board and facilitators. Rows already
    received (previous versions, vessels) are looked up once for the set and updated at the end too."""

    def __init__(self, peer, agreement, by_id, reports, previous_ids):
        self.peer, self.agreement, self.by_id = peer, agreement, by_id
        vessel_ids = [
            str(r["extensions"][stix.VESSEL_EXTENSION_ID].get("vessel_id"))
            for r in reports
            if isinstance(r.get("extensions", {}).get(stix.VESSEL_EXTENSION_ID), dict)
        ]
        # Vessels by origin id, as rows: those held here carry their id.
        self.vessels = {v.origin_id: _row_of(v) for v in _received(Vessel, peer, vessel_ids)}
        self.previous = {i.origin_id: i for i in _received(Incident, peer, previous_ids)}
        self.facilitators = {}
        # One time of receipt for the set, rather than asking the clock for every row.
        self.now = timezone.now()
        self.new, self.updated, self.persons, self.links = [], [], [], []

    def flush(self):
        held = [row for row in self.vessels.values() if "id" in row]
        bulk.insert_rows(Vessel, [row for row in self.vessels.values() if "id" not in row], key="uuid")
        for row in held:
            Vessel(**row).save(force_update=True)
        for incident in (*self.new, *self.updated):
            if incident.vessel is not None:
                incident.row["vessel_id"] = self.vessels[incident.vessel]["id"]
        bulk.insert_rows(Incident, [incident.row for incident in self.new], key="uuid")
        for incident in self.updated:
            Incident(**incident.row).save(force_update=True)
        Through = Incident.facilitators.through
        # A new version's persons on board and facilitators replace those of the version it updates.
        replaced = [incident.row["id"] for incident in self.updated]
        PersonsOnBoard.objects.filter(incident_id__in=replaced).delete()
        Through.objects.filter(incident_id__in=replaced).delete()
        bulk.insert_rows(
            PersonsOnBoard, [{**person, "incident_id": row["id"]} for row, person in self.persons]
        )
        bulk.insert_rows(
            Through, [{"incident_id": row["id"], "facilitatorreference_id": f.pk} for row, f in self.links]
        )
        now, agreement, incident_type = self.now, self.agreement, _incident_type()
        # Incidents kept as long share one "until" (one value to prepare for the database).
        until = {i.retention: now + i.retention for i in self.new}
        bulk.insert_rows(
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
        bulk.insert_rows(
            ObjectShare,
            [
                {
                    "content_type_id": incident_type.pk, "object_id": str(i.row["id"]),
                    "organisation_id": agreement.organisation_id, "purpose": purpose, "created_at": now,
                }
                for i in self.new
            ],
        )  # fmt: skip


def _store_report(batch, report, author, tlp, details, modified, previous, allowed, result):
    peer, agreement, report_id = batch.peer, batch.agreement, report["id"]
    values = _incident_values(report_id, details, allowed, result)
    location = next(
        (
            batch.by_id[r]
            for r in report.get("object_refs", [])
            if r.startswith("location--") and r in batch.by_id
        ),
        None,
    )
    if location is not None and {"latitude", "longitude"} <= allowed:
        values["latitude"] = _plain_value("latitude", location.get("latitude"))
        values["longitude"] = _plain_value("longitude", location.get("longitude"))
        if "precision" in location and "position_precision_m" in allowed:
            values["position_precision_m"] = _metres(report_id, location["precision"])
        if "name" in location and "area" in allowed:
            values["area"] = location["name"]
    values.update(
        tlp=tlp,
        distribution=Distribution.ORGANISATION,
        sharing_group_id=None,
        version=_whole(report_id, "version", details.get("version", 1)),
        created_at=_timestamp(report_id, "created", report.get("created")),
        modified_at=modified,
        vessel_id=None,  # set when the set is written, once its vessel is
    )
    vessel = _store_vessel(batch, author, report, allowed, result)
    if previous is None:
        values.update(organisation_id=author.pk, origin_node=peer.name, origin_id=report_id)
    else:
        values = {**_row_of(batch.previous[report_id]), **values}
    try:
        row = checked_values(Incident, values, exclude=INCIDENT_UNCHECKED, rules=Incident.rule_errors)
    except ValidationError as exc:
        raise ExchangeRefused(f"{report_id}: {_value_errors(exc)}", object_id=report_id) from exc
    # The shorter of the sender's retention and ours, kept until the provenance row is written.
    sender_days = _whole(
        report_id, "retention_days", details.get("retention_days", agreement.retention_days), minimum=0
    )
    retention = timedelta(days=min(sender_days, agreement.retention_days))
    persons = _persons(details, allowed, report_id)
    facilitators = _facilitators(batch, author, report, allowed)
    result.object_ids.append(report_id)
    batch.persons.extend((row, person) for person in persons)
    batch.links.extend((row, f) for f in facilitators)
    if previous is None:
        batch.new.append(_Incident(row, vessel, retention))
        result.created += 1
        return
    batch.updated.append(_Incident(row, vessel, retention))
    previous.modified, previous.last_received_at = modified, timezone.now()
    previous.retain_until = previous.last_received_at + retention
    previous.versions_received += 1
    previous.save(update_fields=["modified", "last_received_at", "retain_until", "versions_received"])
    result.updated += 1


def _store_vessel(batch, author, report, allowed, result) -> str | None:
    """Check the report's vessel and keep it in the set's vessels; returns its origin id."""
    details = report["extensions"].get(stix.VESSEL_EXTENSION_ID)
    if not isinstance(details, dict) or not details.get("vessel_id"):
        return None
    vessel_id = str(details["vessel_id"])
    known = batch.vessels.get(vessel_id)
    values = dict(known) if known else {
        "organisation_id": author.pk, "origin_node": batch.peer.name, "origin_id": vessel_id[:120],
        "created_at": batch.now, "modified_at": batch.now,
    }  # fmt: skip
    for prop, model_field in stix.VESSEL_FIELDS.items():
        if prop in details:
            if prop not in allowed:
                result.fields_dropped += 1
                continue
            values[model_field] = _plain_value(prop, details[prop])
    try:
        row = checked_values(Vessel, values, exclude=VESSEL_UNCHECKED)
    except ValidationError as exc:
        raise ExchangeRefused(
            f"{report['id']}: vessel: {_value_errors(exc)}", object_id=report["id"]
        ) from exc
    batch.vessels[vessel_id] = row
    return vessel_id


def _persons(details, allowed, report_id) -> list[dict]:
    """The persons-on-board rows of a report, checked, as values (inserted without instances)."""
    rows = details.get("persons_breakdown") if "persons_breakdown" in allowed else None
    if not rows:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ExchangeRefused(
            f"{report_id}: persons_breakdown must be a list of objects.", object_id=report_id
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
                f"{report_id}: persons on board: {_value_errors(exc)}", object_id=report_id
            ) from exc
    groups = [(p["sex"], p["age_group"], p["nationality"]) for p in people]
    if len(set(groups)) != len(groups):
        raise ExchangeRefused(f"{report_id}: persons_breakdown repeats a group.", object_id=report_id)
    return people


def _facilitators(batch, author, report, allowed) -> list:
    if "facilitators" not in allowed:
        return []
    refs = [
        batch.by_id[r]
        for r in report.get("object_refs", [])
        if r.startswith("threat-actor--") and r in batch.by_id
    ]
    found = []
    for actor in refs:
        facilitator = batch.facilitators.get(actor["id"])
        if facilitator is None:
            facilitator, _ = FacilitatorReference.objects.get_or_create(
                origin_node=batch.peer.name,
                origin_id=actor["id"],
                defaults={"organisation": author, "reference": str(actor.get("name", ""))[:64]},
            )
            batch.facilitators[actor["id"]] = facilitator
        found.append(facilitator)
    return found
