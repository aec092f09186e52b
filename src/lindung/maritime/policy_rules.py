"""Policy rules for the maritime models.

Incidents are read with VIEW_INCIDENTS and changed with MANAGE_INCIDENTS in the owning
organisation; beyond that, their TLP marking and distribution level decide who else may read
them (scope hooks from lindung.sharing.enforcement: TLP:RED stays with the owner, AMBER goes to
the sharing group and named recipients, CLEAR/GREEN to the node's community). Persons on board,
attachments, vessels and facilitator references follow the incident they belong to: whoever may
read an incident may read its parts; only the owning organisation changes them.
"""

from django.db.models import Q

from lindung.core import policy
from lindung.core.roles import Capability as C
from lindung.sharing.enforcement import marked_object_allowed, marked_queryset

from .models import Attachment, FacilitatorReference, Incident, PersonsOnBoard, Vessel

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


def _follows_incident(incident_path: str, owner: str):
    """Scope hooks for a model whose rows are readable when a related incident is readable."""

    def own(user, rule, action):
        return Q(**{f"{owner}__in": policy.organisations_with(user, rule.capability_for(action))})

    def scope_filter(user, queryset, action):
        rule = policy.rule_for(queryset.model)
        if rule.capability_for(action) is None:
            return queryset.none()
        condition = own(user, rule, action)
        if action == policy.VIEW:
            condition |= Q(**{f"{incident_path}__in": _visible_incidents(user)})
        return queryset.filter(condition).distinct()

    def scope_check(user, obj, action):
        rule = policy.rule_for(obj)
        capability = rule.capability_for(action)
        if capability is None:
            return False
        if policy.has_capability(user, capability, policy.owner_id(obj)):
            return True
        if action != policy.VIEW:
            return False
        related = {f"{incident_path}__in": _visible_incidents(user)}
        return type(obj).objects.filter(pk=obj.pk, **related).exists()

    return scope_filter, scope_check


for model, incident_path, owner in (
    (PersonsOnBoard, "incident", "incident__organisation_id"),
    (Attachment, "incident", "incident__organisation_id"),
    (Vessel, "incidents", "organisation_id"),
    (FacilitatorReference, "incidents", "organisation_id"),
):
    scope_filter, scope_check = _follows_incident(incident_path, owner)
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
