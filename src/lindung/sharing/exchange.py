"""What may leave this node under an agreement (``outgoing_page``): only incidents recorded here by
the agreement's party, marked at or below the agreement's TLP ceiling and never RED, and only for
partner organisations the markings allow (see ``recipients``). Only the agreement's fields are
written, people as pseudonyms keyed per agreement.

What arrives is ``receive.objects_receive``'s.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from lindung.core import policy
from lindung.core.markings import TLP, TLP_ORDER, Distribution, tlp_allowed
from lindung.core.models import ObjectShare, SharingGroup
from lindung.maritime.models import Incident, PersonsOnBoard

from . import stix


class ExchangeRefused(Exception):
    """An exchange request or a set of objects is refused; ``message`` says why (no personal data)
    and ``code`` names the reason for programs (TAXII's ``error_code``)."""

    def __init__(self, message: str, *, status: int = 400, object_id: str = "", code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.object_id = object_id
        self.code = code


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
