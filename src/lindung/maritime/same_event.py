"""Several reports of one event: find them, and let an analyst merge them or keep them apart.

Reports of one event come from several sources and centres: a Missing Migrants Project row, a
coastguard's report, a STIX incident received from another centre. Two incidents are proposed as
"same event" when they happened within a day of each other, at the same place (25 km apart at most
when both have a position, otherwise the same named area or the same route) and their dead and
missing agree (or one of them does not know). Each pair gets a score out of 100 and its reasons.

An analyst decides: "same event" makes one report the primary, which keeps the figures, and marks
the other ``duplicate_of`` it, so that statistics count the event once
(``selectors.incidents_for_statistics``); "keep apart" is remembered. Either way the pair is not
proposed again to that organisation, and the decision is audited.

Across organisations: an analyst merges only reports of their own organisation, or reports received
from another node (those came under a sharing agreement, and the policy already shows them to the
receiving organisation). A report of another organisation on this node that is merely visible
(TLP:CLEAR, a community distribution) is refused with ``agreement_required``: no agreement says that
organisation's figures may be re-counted by another.
"""

import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lindung.core import policy
from lindung.core.actors import user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import selectors
from .models import EventDecision, Incident

MAX_HOURS = 24
MAX_KM = 25.0
EARTH_RADIUS_KM = 6371.0088
MATCH_FIELDS = (
    "pk", "organisation_id", "occurred_at", "latitude", "longitude", "area", "route", "dead", "missing",
    "duplicate_of_id", "source_event_id",
)  # fmt: skip


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _toll(row):
    if row["dead"] is None and row["missing"] is None:
        return None
    return (row["dead"] or 0) + (row["missing"] or 0)


def _tolls_agree(a, b) -> bool:
    """Within 2 or a quarter of the larger figure: first reports of a wreck rarely agree exactly."""
    return abs(a - b) <= max(2, 0.25 * max(a, b))


@dataclass
class Candidate:
    first: int
    second: int
    score: int
    reasons: list = field(default_factory=list)  # [{"code": ..., **values}]


def _place(a, b):
    """(points, reason) for the place, or None when the two are not at the same place."""
    if None not in (a["latitude"], a["longitude"], b["latitude"], b["longitude"]):
        km = haversine_km(a["latitude"], a["longitude"], b["latitude"], b["longitude"])
        if km > MAX_KM:
            return None
        return round(40 * (1 - km / MAX_KM)), {"code": "distance", "km": round(km, 1)}
    if a["area"] and a["area"].strip().casefold() == b["area"].strip().casefold():
        return 25, {"code": "same_area", "area": a["area"]}
    if a["route"] and a["route"] == b["route"]:
        return 20, {"code": "same_route", "route": a["route"]}
    return None


def compare(a: dict, b: dict) -> Candidate | None:
    """The pair as a candidate, or None when time, place or numbers say they are different events."""
    hours = abs((a["occurred_at"] - b["occurred_at"]).total_seconds()) / 3600
    if hours > MAX_HOURS:
        return None
    place = _place(a, b)
    if place is None:
        return None
    toll_a, toll_b = _toll(a), _toll(b)
    if toll_a is not None and toll_b is not None:
        if not _tolls_agree(toll_a, toll_b):
            return None
        numbers = (
            (20 if toll_a == toll_b else 10),
            {"code": "dead_missing", "first": toll_a, "second": toll_b},
        )
    else:
        numbers = 5, {"code": "dead_missing_unknown"}
    time = round(40 * (1 - hours / MAX_HOURS)), {"code": "hours_apart", "hours": round(hours, 1)}
    first, second = sorted((a["pk"], b["pk"]))
    return Candidate(first, second, time[0] + place[0] + numbers[0], [time[1], place[1], numbers[1]])


def _decided_pairs(organisation_ids) -> set[tuple[int, int]]:
    return set(
        EventDecision.objects.filter(organisation_id__in=organisation_ids).values_list(
            "first_id", "second_id"
        )
    )


def candidates(user, incidents=None) -> list[Candidate]:
    """Pairs of incidents ``user`` may see that look like one event, best first. Pairs an
    organisation of the user already decided, reports already merged, and parts of one event in
    their source (the same MMP event id) are left out."""
    incidents = selectors.incidents_visible(user) if incidents is None else incidents
    rows = sorted(
        incidents.filter(duplicate_of__isnull=True).order_by().values(*MATCH_FIELDS),
        key=lambda r: r["occurred_at"],
    )
    decided = _decided_pairs(policy.organisations_with(user, Capability.VIEW_INCIDENTS))
    found, start = [], 0
    for index, row in enumerate(rows):
        # A window sliding in time order: every pair within MAX_HOURS is compared once.
        while (row["occurred_at"] - rows[start]["occurred_at"]).total_seconds() > MAX_HOURS * 3600:
            start += 1
        for other in rows[start:index]:
            if row["source_event_id"] and row["source_event_id"] == other["source_event_id"]:
                continue
            candidate = compare(other, row)
            if candidate and (candidate.first, candidate.second) not in decided:
                found.append(candidate)
    return sorted(found, key=lambda c: (-c.score, c.first, c.second))


def _pair(user, first, second):
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different incidents."), code="same_incident")
    for incident in (first, second):
        policy.require(user, policy.VIEW, incident)
    return (first, second) if first.pk < second.pk else (second, first)


def _check_agreement(first, second, organisation):
    """Every report not of the deciding organisation must have been received from another node."""
    for incident in (first, second):
        if incident.organisation_id != organisation.pk and incident.is_local:
            raise ValidationError(
                _(
                    "A report of another organisation is merged only when it was received under a "
                    "sharing agreement."
                ),
                code="agreement_required",
            )


def _record(user, organisation, first, second, decision, primary, action):
    candidate = compare(
        *(Incident.objects.filter(pk=i.pk).values(*MATCH_FIELDS).get() for i in (first, second))
    )
    record = EventDecision.objects.create(
        organisation=organisation,
        first=first,
        second=second,
        decision=decision,
        primary=primary,
        score=candidate.score if candidate else 0,
        reasons=candidate.reasons if candidate else [],
        decided_by=user_of(user),
    )
    audit_record(
        action=action,
        actor=user,
        obj=record,
        organisation_id=organisation.pk,
        detail={"first": first.pk, "second": second.pk, "primary": primary.pk if primary else None},
    )
    return record


def event_merge(*, acting_user, organisation, primary, duplicate) -> EventDecision:
    """``duplicate`` is another report of ``primary``'s event: it is marked ``duplicate_of`` the
    primary (or the primary's own primary), and so are the reports already merged into it.
    Refusals: ``same_incident``, ``already_merged``, ``agreement_required``."""
    first, second = _pair(acting_user, primary, duplicate)
    policy.require_capability(acting_user, Capability.MANAGE_INCIDENTS, organisation.pk)
    _check_agreement(first, second, organisation)
    with transaction.atomic():
        locked = {i.pk: i for i in Incident.objects.select_for_update().filter(pk__in=[first.pk, second.pk])}
        primary, duplicate = locked[primary.pk], locked[duplicate.pk]
        root_id = primary.duplicate_of_id or primary.pk
        if duplicate.duplicate_of_id is not None or root_id == duplicate.pk:
            raise ValidationError(_("These reports are already merged."), code="already_merged")
        if EventDecision.objects.filter(organisation=organisation, first=first, second=second).exists():
            raise ValidationError(_("This pair was already decided."), code="already_decided")
        Incident.objects.filter(Q(pk=duplicate.pk) | Q(duplicate_of=duplicate)).update(
            duplicate_of_id=root_id
        )
        return _record(
            acting_user, organisation, first, second, EventDecision.Decision.SAME, primary,
            AuditAction.INCIDENT_EVENT_MERGED,
        )  # fmt: skip


def event_keep_apart(*, acting_user, organisation, first, second) -> EventDecision:
    """Remember that the two reports are different events; the pair is not proposed again.
    Refusals: ``same_incident``, ``already_decided``."""
    first, second = _pair(acting_user, first, second)
    policy.require_capability(acting_user, Capability.MANAGE_INCIDENTS, organisation.pk)
    with transaction.atomic():
        if EventDecision.objects.filter(organisation=organisation, first=first, second=second).exists():
            raise ValidationError(_("This pair was already decided."), code="already_decided")
        return _record(
            acting_user, organisation, first, second, EventDecision.Decision.APART, None,
            AuditAction.INCIDENT_EVENT_KEPT_APART,
        )  # fmt: skip
