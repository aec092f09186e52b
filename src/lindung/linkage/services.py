"""Every write of the linkage app: decisions on a pair of persons and rebuilding keys, each in one
transaction with its audit entry (ids and codes only, never a name)."""

import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.cases.models import Person
from lindung.core import policy
from lindung.core.actors import require_actor, user_of
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import agreements, blocking, dedupe, splink_model
from .models import DedupeCandidate, DedupeRun, PersonLink

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


def dedupe_run(*, acting_user, organisation, threshold=splink_model.THRESHOLD) -> DedupeRun:
    """Look for duplicates among the persons of ``organisation`` that the user may see, with
    Splink trained on them without labels, and put the pairs not decided yet in the review queue.
    Comparing every identity of an organisation is a supervisor's work: it needs
    ``SUPERVISE_CASES`` and ``VIEW_IDENTITY`` there. Refusals: ``no_persons`` (fewer than two),
    ``too_few_persons`` (Splink could not estimate a model from so few)."""
    require_actor(acting_user)
    for capability in (Capability.SUPERVISE_CASES, Capability.VIEW_IDENTITY):
        policy.require_capability(acting_user, capability, organisation.pk, purpose=dedupe.PURPOSE)
    started = time.perf_counter()
    records = dedupe.records(acting_user, organisation)
    if len(records) < 2:
        raise ValidationError(_("There are not enough persons to compare."), code="no_persons")
    try:
        result = splink_model.run(records, threshold=threshold)
    except splink_model.TooLittleData as exc:
        raise ValidationError(
            _("There are too few persons to estimate a model from; try again with more."),
            code="too_few_persons",
        ) from exc
    with transaction.atomic():
        skip = dedupe.decided_pairs(organisation)
        run = DedupeRun.objects.create(
            organisation=organisation,
            started_by=user_of(acting_user),
            persons=result.compared,
            pairs=len(result.pairs),
            threshold=threshold,
            parameters=result.parameters,
        )
        proposed = []
        for pair in result.pairs:
            low, high = sorted((int(pair.left), int(pair.right)))
            if (low, high) in skip:
                continue
            skip.add((low, high))
            proposed.append(
                DedupeCandidate(
                    run=run,
                    organisation=organisation,
                    person_id=low,
                    other_id=high,
                    probability=pair.probability,
                    match_weight=pair.match_weight,
                    explanation=pair.explanation(),
                )
            )
        DedupeCandidate.objects.bulk_create(proposed)
        run.proposed = len(proposed)
        run.seconds = round(time.perf_counter() - started, 2)
        run.save(update_fields=["proposed", "seconds"])
        audit_record(
            action=AuditAction.DEDUPE_RUN,
            actor=acting_user,
            obj=run,
            purpose=dedupe.PURPOSE,
            detail={"persons": run.persons, "pairs": run.pairs, "proposed": run.proposed},
        )
    return run


def _close(acting_user, candidate, state, decide, action, *, decided_as) -> DedupeCandidate:
    require_actor(acting_user)
    policy.require(acting_user, policy.CHANGE, candidate, purpose="record linkage")
    with transaction.atomic():
        locked = (
            DedupeCandidate.objects.select_for_update().select_related("person", "other").get(pk=candidate.pk)
        )
        if locked.state != DedupeCandidate.State.OPEN:
            raise ValidationError(_("This pair has already been reviewed."), code="already_reviewed")
        # The same decision may have been taken on a person page since the run: the pair is then
        # closed as reviewed, not refused and left open for ever.
        if current_state(locked.person_id, locked.other_id) != decided_as:
            decide(
                acting_user=acting_user, person=locked.person, other=locked.other, reasons=locked.explanation
            )
        locked.state = state
        locked.decided_by = user_of(acting_user)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        audit_record(
            action=action,
            actor=acting_user,
            obj=locked,
            purpose="record linkage",
            detail={"person": locked.person_id, "other": locked.other_id, "run": locked.run_id},
        )
    return locked


def dedupe_candidate_accept(*, acting_user, candidate) -> DedupeCandidate:
    """The reviewer says the pair is one person: the records are linked (``person_link``, with its
    refusals: ``already_linked``, ``agreement_required``...)."""
    return _close(
        acting_user,
        candidate,
        DedupeCandidate.State.ACCEPTED,
        person_link,
        AuditAction.DEDUPE_ACCEPTED,
        decided_as=State.LINKED,
    )


def dedupe_candidate_reject(*, acting_user, candidate) -> DedupeCandidate:
    """The reviewer says they are two persons: remembered (``person_mark_not_same``), so the pair
    is proposed neither here nor on the person pages again."""
    return _close(
        acting_user,
        candidate,
        DedupeCandidate.State.REJECTED,
        person_mark_not_same,
        AuditAction.DEDUPE_REJECTED,
        decided_as=State.NOT_SAME,
    )
