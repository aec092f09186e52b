"""Every write of the linkage app: decisions on a pair of persons and rebuilding keys, each in one
transaction with its audit entry (ids and codes only, never a name)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lindung.cases.models import Person
from lindung.core import policy
from lindung.core.actors import require_actor, user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import agreements, blocking
from .models import PersonLink

State = PersonLink.State


def current_state(person_id: int, other_id: int) -> str | None:
    low, high = sorted((person_id, other_id))
    return (
        PersonLink.objects.filter(person_id=low, other_id=high)
        .order_by("-id")
        .values_list("state", flat=True)
        .first()
    )


def _check_pair(acting_user, person, other):
    require_actor(acting_user)
    if person.pk == other.pk:
        raise ValidationError(_("A record cannot be linked to itself."), code="same_record")
    for p in (person, other):
        policy.require(acting_user, policy.CHANGE, p, purpose="record linkage")
    if not agreements.allowed(acting_user, person, other):
        audit_record(
            action=AuditAction.LINKAGE_REFUSED,
            actor=acting_user,
            obj=person,
            detail={"other": other.pk, "code": "agreement_required"},
        )
        raise ValidationError(
            _(
                "These records belong to two organisations: linking them needs a sharing agreement "
                "that allows it."
            ),
            code="agreement_required",
        )


def _decide(acting_user, person, other, state, action, *, allowed_from, refusal, reasons):
    _check_pair(acting_user, person, other)
    low, high = sorted((person, other), key=lambda p: p.pk)
    with transaction.atomic():
        # Lock both persons so that two decisions on one pair cannot cross.
        list(Person.objects.select_for_update().filter(pk__in=[low.pk, high.pk]).values_list("pk", flat=True))
        if current_state(low.pk, high.pk) not in allowed_from:
            raise ValidationError(refusal[1], code=refusal[0])
        link = PersonLink.objects.create(
            organisation_id=low.organisation_id,
            person=low,
            other=high,
            state=state,
            decided_by=user_of(acting_user),
            reasons=reasons or {},
        )
        audit_record(
            action=action,
            actor=acting_user,
            obj=person,
            purpose="record linkage",
            detail={"other": other.pk, "link": link.pk},
        )
    return link


def person_link(*, acting_user, person, other, reasons=None) -> PersonLink:
    """Record that two records are the same person: each page then shows the other's history."""
    return _decide(
        acting_user,
        person,
        other,
        State.LINKED,
        AuditAction.PERSONS_LINKED,
        allowed_from=(None, State.UNLINKED, State.NOT_SAME),
        refusal=("already_linked", _("These records are already linked.")),
        reasons=reasons,
    )


def person_unlink(*, acting_user, person, other) -> PersonLink:
    """Undo a link: the pair may be proposed again."""
    return _decide(
        acting_user,
        person,
        other,
        State.UNLINKED,
        AuditAction.PERSONS_UNLINKED,
        allowed_from=(State.LINKED,),
        refusal=("not_linked", _("These records are not linked.")),
        reasons=None,
    )


def person_mark_not_same(*, acting_user, person, other, reasons=None) -> PersonLink:
    """Record that two records are different persons: the pair is never proposed again."""
    return _decide(
        acting_user,
        person,
        other,
        State.NOT_SAME,
        AuditAction.PERSONS_NOT_SAME,
        allowed_from=(None, State.UNLINKED),
        refusal=("linked", _("These records are linked: undo the link first.")),
        reasons=reasons,
    )


def blocking_keys_rebuild(*, acting_user, organisation=None) -> dict:
    """Rebuild the keys of every person (of one organisation), for persons registered before
    linkage existed. One transaction; counts only in the audit row."""
    policy.require_capability(
        acting_user,
        Capability.MANAGE_CASES,
        organisation.pk if organisation else None,
        purpose="record linkage",
    )
    persons = policy.accessible(acting_user, Person.objects.all(), policy.CHANGE)
    if organisation is not None:
        persons = persons.filter(organisation=organisation)
    counts = {"persons": 0, "keys": 0}
    with transaction.atomic():
        for person in persons.iterator(chunk_size=200):
            counts["persons"] += 1
            counts["keys"] += blocking.rebuild(person)
        audit_record(
            action=AuditAction.LINKAGE_INDEXED,
            actor=acting_user,
            organisation_id=organisation.pk if organisation else None,
            detail=dict(counts),
        )
    return counts
