"""The one door for access decisions.

Every view, API endpoint, selector and export asks this module; none decides by itself. Access is
denied by default: a model without a registered rule is invisible to everyone.

Object level: a user may act on an object when one of their roles, in the organisation that owns
the object, grants the capability the rule names for that action. Reading (never changing) is
also allowed when the object has been explicitly shared with one of the user's organisations, or
with a sharing group that organisation belongs to, by an active ``ObjectShare``.

Field level: identity fields (names, dates of birth, documents, contacts) are shown only to users
holding the identity capability in the owning organisation; everyone else sees a pseudonym.

Purpose: reads of personal data are logged with their purpose (``record_personal_read``).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from .actors import is_system, require_actor
from .audit import audit_record
from .audit_actions import AuditAction
from .roles import Capability, capabilities_of

VIEW = "view"
CHANGE = "change"
CREATE = "create"
DELETE = "delete"
# Actions some models add to the four above (a model's Rule names the capability each needs).
SUPERVISE = "supervise"  # approve, assign and transfer cases; follow referrals up
ERASE = "erase"  # erase a person (right to erasure)
EXPORT = "export"  # a subject-access export of a person's data
ANSWER = "answer"  # answer a referral received


@dataclass(frozen=True)
class Rule:
    """How the policy treats one model.

    ``owner`` is the lookup path from the model to the id of the owning organisation. ``view`` and
    ``change`` name the capabilities needed in that organisation; ``actions`` adds named actions
    (e.g. ``"transition"``). ``public`` makes objects readable by every signed-in user (reference
    data such as the directory of organisations); changing them still needs ``change``.
    """

    view: str | None
    change: str | None = None
    owner: str = "organisation_id"
    actions: dict = field(default_factory=dict)
    identity_capability: str = Capability.VIEW_IDENTITY
    shareable: bool = True
    public: bool = False
    # Extra conditions an app adds on top of organisation and share access (e.g. TLP markings and
    # distribution levels): ``scope_filter(user, queryset, action) -> queryset`` widens or narrows
    # what ``accessible`` returns; ``scope_check(user, obj, action) -> bool | None`` answers for
    # one object (None: no opinion). Both must agree.
    scope_filter: object = None
    scope_check: object = None

    def capability_for(self, action: str) -> str | None:
        if action == VIEW:
            return self.view
        if action in (CHANGE, CREATE, DELETE):
            return self.actions.get(action, self.change)
        return self.actions.get(action)


_rules: dict[type, Rule] = {}


def register(model: type[models.Model], rule: Rule) -> None:
    _rules[model] = rule


def rule_for(model) -> Rule | None:
    model = model if isinstance(model, type) else type(model)
    for klass in model.__mro__:
        if klass in _rules:
            return _rules[klass]
    return None


def registered_models() -> list[type]:
    return list(_rules)


class Refused(PermissionDenied):
    """A refusal already written to the audit log: whoever catches it (the API's error handler)
    must not log it a second time."""


# capabilities --------------------------------------------------------------------------------


def capabilities_by_organisation(user) -> dict[int, frozenset[str]]:
    """{organisation id: capabilities} for a user, computed once per user object (for ``SYSTEM``:
    every capability in every organisation, read afresh)."""
    if is_system(user):
        organisations = apps.get_model("core", "Organisation").objects.values_list("pk", flat=True)
        return dict.fromkeys(organisations, frozenset(Capability))
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_lindung_capabilities", None)
    if cached is None:
        roles: dict[int, list[str]] = {}
        for org_id, role in user.memberships.values_list("organisation_id", "role"):
            roles.setdefault(org_id, []).append(role)
        cached = {org_id: capabilities_of(r) for org_id, r in roles.items()}
        user._lindung_capabilities = cached
    return cached


def organisations_with(user, capability: str | None) -> set[int]:
    caps = capabilities_by_organisation(user)
    if capability is None:
        return set(caps)
    return {org_id for org_id, held in caps.items() if capability in held}


def has_capability(user, capability: str, organisation_id: int | None = None) -> bool:
    if is_system(user):  # even before any organisation exists (the reference loader)
        return True
    if organisation_id is None:
        return bool(organisations_with(user, capability))
    return capability in capabilities_by_organisation(user).get(organisation_id, frozenset())


def all_capabilities(user) -> frozenset[str]:
    held: set[str] = set()
    for caps in capabilities_by_organisation(user).values():
        held |= caps
    return frozenset(held)


# objects -------------------------------------------------------------------------------------


def owner_id(obj) -> int | None:
    rule = rule_for(obj)
    if rule is None:
        return None
    value = obj
    for part in rule.owner.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _shared_recipient_q(user, capability) -> Q:
    orgs = organisations_with(user, capability)
    return Q(organisation_id__in=orgs) | Q(sharing_group__organisations__in=orgs)


def _shares_for(model, user, capability):
    from .models import ObjectShare

    return ObjectShare.objects.active().filter(
        _shared_recipient_q(user, capability), content_type=ContentType.objects.get_for_model(model)
    )


def _is_shared_with(user, obj, capability) -> bool:
    return _shares_for(type(obj), user, capability).filter(object_id=str(obj.pk)).exists()


def can(user, action: str, obj) -> bool:
    """May ``user`` do ``action`` on ``obj``? Denies when no rule says yes; ``SYSTEM`` may."""
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    rule = rule_for(obj)
    if rule is None:
        return False
    capability = rule.capability_for(action)
    if action == VIEW and rule.public:
        return True
    if rule.scope_check is not None:
        verdict = rule.scope_check(user, obj, action)
        if verdict is not None:
            return verdict
    if capability is None:
        return False
    if has_capability(user, capability, owner_id(obj)):
        return True
    return action == VIEW and rule.shareable and _is_shared_with(user, obj, capability)


def accessible(user, queryset, action: str = VIEW):
    """The part of ``queryset`` that ``user`` may ``action``; empty when nothing is allowed."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    if is_system(user):
        return queryset
    model = queryset.model
    rule = rule_for(model)
    if rule is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if action == VIEW and rule.public:
        return queryset
    if rule.scope_filter is not None:
        return rule.scope_filter(user, queryset, action)
    capability = rule.capability_for(action)
    if capability is None:
        return queryset.none()
    condition = Q(**{f"{rule.owner}__in": organisations_with(user, capability)})
    if action == VIEW and rule.shareable:
        condition |= Q(pk__in=shared_ids(model, _shares_for(model, user, capability)))
    return queryset.filter(condition)


def shared_ids(model, shares):
    """Object ids of ``shares`` (ObjectShare rows, stored as text) cast to the model's primary key
    type, for ``pk__in``."""
    pk_field = model._meta.pk
    cast_to = models.BigIntegerField() if isinstance(pk_field, models.AutoField) else pk_field.__class__()
    return shares.annotate(oid=Cast("object_id", cast_to)).values("oid")


def can_see_identity(user, obj) -> bool:
    if is_system(user):
        return True
    rule = rule_for(obj)
    if rule is None or not getattr(user, "is_authenticated", False):
        return False
    return has_capability(user, rule.identity_capability, owner_id(obj))


def require(user, action: str, obj, *, purpose: str = "") -> None:
    """Raise PermissionDenied, and log the refusal, unless ``can(user, action, obj)``. A missing
    actor (None) is a programming error, refused with TypeError (see ``core.actors``)."""
    if can(require_actor(user), action, obj):
        return
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        actor=user,
        obj=obj,
        organisation_id=owner_id(obj),
        purpose=purpose,
        detail={"attempted": action},
    )
    raise Refused


def require_capability(
    user, capability: str, organisation_id: int | None = None, *, purpose: str = ""
) -> None:
    if has_capability(require_actor(user), capability, organisation_id):
        return
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        actor=user,
        organisation_id=organisation_id,
        purpose=purpose,
        detail={"capability": capability},
    )
    raise Refused


def record_personal_read(user, obj, *, purpose: str, fields=()) -> None:
    """Log that ``user`` saw personal data of ``obj`` (identifiers and field names only)."""
    audit_record(
        action=AuditAction.PERSONAL_DATA_VIEWED,
        actor=user,
        obj=obj,
        organisation_id=owner_id(obj),
        purpose=purpose,
        detail={"fields": sorted(fields)} if fields else {},
    )
