"""Policy rules for the maritime models.

Incidents are read with VIEW_INCIDENTS and changed with MANAGE_INCIDENTS in the owning
organisation; beyond that, their TLP marking and distribution level decide who else may read
them (scope hooks from lindung.core.marked_access: TLP:RED stays with the owner, AMBER goes to
the sharing group and named recipients, CLEAR/GREEN to the node's community). Persons on board,
attachments and vessels follow the incident they belong to: whoever may read an incident may read
them, except an attachment marked more strictly than its incident, which stays with the owner.
Facilitator references stay with the owning organisation. Only the owner changes any of them.
"""

from django.db.models import Q

from lindung.core import policy
from lindung.core.marked_access import marked_object_allowed, marked_queryset
from lindung.core.markings import TLP_ORDER
from lindung.core.roles import Capability as C

from .models import (
    Attachment,
    EventDecision,
    FacilitatorReference,
    Incident,
    IncidentScreening,
    PersonsOnBoard,
    ScreeningBatch,
    Vessel,
)

# The narrative (free text that may name people) is shown to those who may record incidents in the
# owning organisation: identity_capability=MANAGE_INCIDENTS.
policy.register(
    Incident,
    policy.Rule(
        view=C.VIEW_INCIDENTS,
        change=C.MANAGE_INCIDENTS,
        identity_capability=C.MANAGE_INCIDENTS,
        scope_filter=marked_queryset,
        scope_check=marked_object_allowed,
    ),
)


def _visible_incidents(user):
    return policy.accessible(user, Incident.objects.all(), policy.VIEW).values("pk")


def _tlp_at_most_incident() -> Q:
    """The row's own marking is not stricter than its incident's."""
    condition = Q(pk__in=[])
    for index, marking in enumerate(TLP_ORDER):
        condition |= Q(tlp=marking, incident__tlp__in=TLP_ORDER[index:])
    return condition


def _follows_incident(incident_path: str, owner: str, narrower=None):
    """Scope hooks for a model whose rows are readable when a related incident is readable and,
    for others than the owner, ``narrower()`` (a Q) holds."""

    def others_may_read(user):
        condition = Q(**{f"{incident_path}__in": _visible_incidents(user)})
        return condition & narrower() if narrower else condition

    def scope_filter(user, queryset, action):
        capability = policy.rule_for(queryset.model).capability_for(action)
        if capability is None:
            return queryset.none()
        condition = Q(**{f"{owner}__in": policy.organisations_with(user, capability)})
        if action == policy.VIEW:
            condition |= others_may_read(user)
        return queryset.filter(condition).distinct()

    def scope_check(user, obj, action):
        capability = policy.rule_for(obj).capability_for(action)
        if capability is None:
            return False
        if policy.has_capability(user, capability, policy.owner_id(obj)):
            return True
        if action != policy.VIEW:
            return False
        return type(obj).objects.filter(others_may_read(user), pk=obj.pk).exists()

    return scope_filter, scope_check


for model, incident_path, owner, narrower in (
    (PersonsOnBoard, "incident", "incident__organisation_id", None),
    (Attachment, "incident", "incident__organisation_id", _tlp_at_most_incident),
    (Vessel, "incidents", "organisation_id", None),
):
    scope_filter, scope_check = _follows_incident(incident_path, owner, narrower)
    policy.register(
        model,
        policy.Rule(
            view=C.VIEW_INCIDENTS,
            change=C.MANAGE_INCIDENTS,
            owner=owner,
            shareable=False,
            scope_filter=scope_filter,
            scope_check=scope_check,
        ),
    )
policy.register(
    FacilitatorReference, policy.Rule(view=C.MANAGE_INCIDENTS, change=C.MANAGE_INCIDENTS, shareable=False)
)
# A screening batch and its links name interviews (pseudonymous references): they stay with the
# screening organisation that owns the interviews. Others who may read the incident see counts only
# (selectors.protection_outcomes).
policy.register(
    ScreeningBatch, policy.Rule(view=C.MANAGE_SCREENING, change=C.MANAGE_SCREENING, shareable=False)
)
policy.register(
    IncidentScreening,
    policy.Rule(
        view=C.MANAGE_SCREENING, change=C.MANAGE_SCREENING, owner="batch__organisation_id", shareable=False
    ),
)
# Same-event decisions are the deciding organisation's record.
policy.register(EventDecision, policy.Rule(view=C.VIEW_INCIDENTS, change=C.MANAGE_INCIDENTS, shareable=False))
