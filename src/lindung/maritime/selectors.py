"""Every read of maritime data that leaves the app, filtered by the access policy first."""

from lindung.core import policy

from .models import Attachment, FacilitatorReference, Incident, PersonsOnBoard, Vessel


def incidents_visible(user, action: str = policy.VIEW):
    """Incidents ``user`` may ``action`` (markings and distribution included)."""
    return policy.accessible(user, Incident.objects.all(), action).select_related(
        "organisation", "vessel", "sharing_group"
    )


def vessels_visible(user, action: str = policy.VIEW):
    return policy.accessible(user, Vessel.objects.all(), action)


def facilitators_visible(user, action: str = policy.VIEW):
    return policy.accessible(user, FacilitatorReference.objects.all(), action)


def persons_of(user, incident):
    return policy.accessible(user, PersonsOnBoard.objects.filter(incident=incident))


def attachments_of(user, incident):
    """The incident's attachments the user may see; the sealed content loads only when read."""
    return policy.accessible(user, Attachment.objects.filter(incident=incident)).defer("content")


def organisations_recording(user):
    """Organisations in which ``user`` may record incidents."""
    from lindung.core.models import Organisation
    from lindung.core.roles import Capability

    return Organisation.objects.filter(pk__in=policy.organisations_with(user, Capability.MANAGE_INCIDENTS))


def incidents_filtered(user, filters: dict):
    """Visible incidents narrowed by the filters of IncidentFilterForm (dates, type, route, received)."""
    queryset = incidents_visible(user)
    if filters.get("date_from"):
        queryset = queryset.filter(occurred_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        queryset = queryset.filter(occurred_at__date__lte=filters["date_to"])
    if filters.get("incident_type"):
        queryset = queryset.filter(incident_type=filters["incident_type"])
    if filters.get("route"):
        queryset = queryset.filter(route=filters["route"])
    if filters.get("received_after"):
        queryset = queryset.filter(created_at__gt=filters["received_after"])
    return queryset


def _number(value):
    return float(value) if value is not None else None


def incident_properties(incident) -> dict:
    """What maps and exports show of an incident: no narrative, no facilitators."""
    return {
        "id": incident.pk,
        "stix_id": incident.stix_id,
        "incident_type": incident.incident_type,
        "type_label": str(incident.get_incident_type_display()),
        "occurred_at": incident.occurred_at.isoformat(),
        "area": incident.area,
        "location": incident.location_description,
        "persons_on_board": incident.persons_on_board,
        "dead": incident.dead,
        "missing": incident.missing,
        "survivors": incident.survivors,
        "outcome": incident.outcome,
        "route": incident.route,
        "route_label": str(incident.get_route_display()) if incident.route else "",
        "departure_point": incident.departure_point,
        "disembarkation_port": incident.disembarkation_port,
        "source": incident.source,
        "source_reliability": incident.source_reliability,
        "information_credibility": incident.information_credibility,
        "tlp": incident.tlp,
        "tlp_label": str(incident.get_tlp_display()),
        "organisation": incident.organisation.short_name or incident.organisation.name,
        "latitude": _number(incident.latitude),
        "longitude": _number(incident.longitude),
        "url": incident.get_absolute_url(),
    }


def incidents_geojson(incidents) -> dict:
    """A GeoJSON FeatureCollection: a point per positioned incident and a line per known route."""
    features = []
    for incident in incidents:
        properties = incident_properties(incident)
        if incident.has_position:
            features.append(
                {
                    "type": "Feature",
                    "id": f"incident-{incident.pk}",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [_number(incident.longitude), _number(incident.latitude)],
                    },
                    "properties": {**properties, "kind": "incident"},
                }
            )
        if incident.has_route_line:
            features.append(
                {
                    "type": "Feature",
                    "id": f"route-{incident.pk}",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [
                            [_number(incident.departure_longitude), _number(incident.departure_latitude)],
                            [
                                _number(incident.disembarkation_longitude),
                                _number(incident.disembarkation_latitude),
                            ],
                        ],
                    },
                    "properties": {**properties, "kind": "route"},
                }
            )
    return {"type": "FeatureCollection", "features": features}


TREND_MEASURES = ("incidents", "persons", "dead", "missing")


def monthly_trends(incidents) -> dict:
    """{"months": [...], "routes": [...], "values": {measure: {route: {month: n}}}} over ``incidents``."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncMonth

    rows = (
        incidents.order_by()
        .annotate(month=TruncMonth("occurred_at"))
        .values("month", "route")
        .annotate(
            incidents=Count("id"), persons=Sum("persons_on_board"), dead=Sum("dead"), missing=Sum("missing")
        )
    )
    values = {measure: {} for measure in TREND_MEASURES}
    months, routes = set(), set()
    for row in rows:
        month = row["month"].strftime("%Y-%m")
        route = row["route"] or "unknown"
        months.add(month)
        routes.add(route)
        for measure in TREND_MEASURES:
            values[measure].setdefault(route, {})[month] = row[measure] or 0
    return {"months": _month_range(months), "routes": sorted(routes), "values": values}


def _month_range(months: set[str]) -> list[str]:
    """Every month from the first to the last, so gaps show as zero instead of vanishing."""
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:])
    result = []
    while f"{year:04d}-{month:02d}" <= last:
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result
