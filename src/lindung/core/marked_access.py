"""TLP 2.0 markings and distribution levels, enforced for the users of this node.

Plugged into ``core.policy`` through a rule's ``scope_filter``/``scope_check`` hooks, so every read
that goes through the policy (pages, API, exports, selectors) applies them. Works for any model with
``organisation``, ``tlp`` (``core.markings.TLP``), ``distribution`` (``core.markings.Distribution``)
and ``sharing_group`` (FK to ``core.SharingGroup``, nullable) fields::

    policy.register(Incident, policy.Rule(view=C.VIEW_INCIDENTS, change=C.MANAGE_INCIDENTS,
                                          scope_filter=marked_queryset, scope_check=marked_object_allowed))

Who sees a marked record on this node (the user needs the rule's view capability, by default
``VIEW_INCIDENTS``, in the organisation through which access is granted):

============== =================================================================================
TLP            visible to
============== =================================================================================
any            the owner organisation
CLEAR, GREEN   per distribution: ``community``/``connected`` every organisation of this node;
               ``sharing_group`` the group's members; plus organisations and groups the record
               is explicitly shared with (``core.ObjectShare``)
AMBER          the record's sharing group (distribution ``sharing_group``) and the organisations
               and groups it is explicitly shared with; never the whole community
AMBER+STRICT   the owner and the organisations it is explicitly shared with by name (not groups)
RED            the owner only
============== =================================================================================

Changing (any action but view) is only ever for the owner organisation with the rule's capability.
It lives in core because any module below sharing (maritime) marks its records; what may leave
this node for another node is decided by ``lindung.sharing.exchange`` on top of this.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from lindung.core import policy
from lindung.core.markings import TLP, Distribution
from lindung.core.models import ObjectShare, SharingGroup
from lindung.core.roles import Capability

OPEN_TLP = (TLP.CLEAR, TLP.GREEN)
NODE_WIDE = (Distribution.COMMUNITY, Distribution.CONNECTED)


def _capability(model, action: str) -> str | None:
    rule = policy.rule_for(model)
    if rule is None:
        return Capability.VIEW_INCIDENTS if action == policy.VIEW else None
    return rule.capability_for(action) or (Capability.VIEW_INCIDENTS if action == policy.VIEW else None)


def _owner_path(model) -> str:
    rule = policy.rule_for(model)
    return rule.owner if rule is not None else "organisation_id"


def _active_shares(model):
    return ObjectShare.objects.active().filter(content_type=ContentType.objects.get_for_model(model))


def marked_queryset(user, queryset, action: str = policy.VIEW):
    """The part of ``queryset`` that ``user`` may ``action`` under markings and distribution."""
    model = queryset.model
    orgs = policy.organisations_with(user, _capability(model, action))
    if not orgs:
        return queryset.none()
    owned = Q(**{f"{_owner_path(model)}__in": orgs})
    if action != policy.VIEW:
        return queryset.filter(owned)
    shares = _active_shares(model)
    named_org = Q(pk__in=policy.shared_ids(model, shares.filter(organisation_id__in=orgs)))
    named_group = Q(pk__in=policy.shared_ids(model, shares.filter(sharing_group__organisations__in=orgs)))
    member_groups = SharingGroup.objects.filter(organisations__in=orgs).values("pk")
    in_group = Q(distribution=Distribution.SHARING_GROUP, sharing_group_id__in=member_groups)
    condition = (
        owned
        | (Q(tlp__in=OPEN_TLP) & (Q(distribution__in=NODE_WIDE) | in_group | named_org | named_group))
        | (Q(tlp=TLP.AMBER) & (in_group | named_org | named_group))
        | (Q(tlp=TLP.AMBER_STRICT) & named_org)
    )
    return queryset.filter(condition)


def marked_object_allowed(user, obj, action: str = policy.VIEW) -> bool | None:
    """Whether ``user`` may ``action`` on one marked object (same answer as ``marked_queryset``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    orgs = policy.organisations_with(user, _capability(type(obj), action))
    if not orgs:
        return False
    if policy.owner_id(obj) in orgs:
        return True
    if action != policy.VIEW:
        return False
    tlp = obj.tlp
    if tlp == TLP.RED:
        return False
    shares = _active_shares(type(obj)).filter(object_id=str(obj.pk))
    if shares.filter(organisation_id__in=orgs).exists():
        return True
    if tlp == TLP.AMBER_STRICT:
        return False
    if shares.filter(sharing_group__organisations__in=orgs).exists():
        return True
    in_group = (
        obj.distribution == Distribution.SHARING_GROUP
        and obj.sharing_group_id is not None
        and SharingGroup.objects.filter(pk=obj.sharing_group_id, organisations__in=orgs).exists()
    )
    if in_group:
        return True
    return tlp in OPEN_TLP and obj.distribution in NODE_WIDE
