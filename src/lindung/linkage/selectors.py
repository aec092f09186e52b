"""Reads of the linkage app, through ``core.policy``: candidate duplicates among the persons the
user may see (and whose identity they may see), and the links of a person."""

from dataclasses import dataclass

from django.db.models import Count, Q

from lindung.cases import selectors as case_selectors
from lindung.cases.models import Person
from lindung.core import policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.models import Organisation
from lindung.core.roles import Capability

from . import blocking, scoring
from .identity import Identity
from .models import BlockingKey, DedupeCandidate, DedupeRun, PersonLink

# Persons sharing the most keys are scored; the rest of a large block is not worth decrypting.
MAX_SCORED = 200
MAX_SHOWN = 10


@dataclass(frozen=True)
class Candidate:
    person: Person
    score: scoring.Score

    @property
    def steps(self):
        return [s for s in self.score.steps if s.field != "prior"]


def _searchable_keys(user):
    """Blocking keys of persons the user may see, in organisations where they may see identities."""
    persons = policy.accessible(user, Person.objects.filter(anonymised_at__isnull=True))
    return policy.accessible(user, BlockingKey.objects.all()).filter(person__in=persons.values("pk"))


def _key_match(user, identity: Identity) -> Q:
    wanted = blocking.query_keys(identity)
    match = Q(pk__in=[])
    for org in sorted(policy.organisations_with(user, Capability.VIEW_IDENTITY)):
        digests = [blocking.digest(org, kind, value) for kind, value in sorted(wanted)]
        if digests:
            match |= Q(organisation_id=org, digest__in=digests)
    return match


def _latest_states(person) -> dict[int, str]:
    """{id of the other person: state of the latest decision} for every pair with ``person``."""
    latest: dict[int, str] = {}
    for other_id, low, state in (
        PersonLink.objects.filter(Q(person=person) | Q(other=person))
        .order_by("id")
        .values_list("other_id", "person_id", "state")
    ):
        latest[other_id if low == person.pk else low] = state
    return latest


def decided_with(person) -> set[int]:
    """Ids of the persons a decision already pairs with ``person`` (linked or not the same): they
    are not proposed again. A link undone opens the pair again."""
    return {pk for pk, state in _latest_states(person).items() if state != PersonLink.State.UNLINKED}


def candidates(user, identity: Identity, *, exclude=(), purpose="duplicate check") -> list[Candidate]:
    """Scored candidates for ``identity``, best first, above the scoring threshold. The search is
    audited; each candidate shown must then be read through ``read_candidate``."""
    audit_record(
        action=AuditAction.PERSONAL_DATA_SEARCHED,
        actor=user,
        purpose=purpose,
        detail={"by": sorted({kind for kind, _value in blocking.query_keys(identity)})},
    )
    if identity.is_empty():
        return []
    hits = (
        _searchable_keys(user)
        .filter(_key_match(user, identity))
        .exclude(person_id__in=list(exclude))
        .values("person_id")
        .annotate(kinds=Count("kind", distinct=True))
        .order_by("-kinds", "-person_id")[:MAX_SCORED]
    )
    ids = [row["person_id"] for row in hits]
    found = []
    for person in case_selectors.persons_visible(user).filter(pk__in=ids):
        result = scoring.score(identity, Identity.of_person(person))
        if result.probability >= scoring.THRESHOLD:
            found.append(Candidate(person, result))
    found.sort(key=lambda c: (-c.score.match_weight, c.person.pk))
    return found[:MAX_SHOWN]


def candidates_of(user, person) -> list[Candidate]:
    """Candidates for a saved person, without the pairs already decided."""
    return candidates(
        user,
        Identity.of_person(person),
        exclude={person.pk, *decided_with(person)},
        purpose="duplicate check",
    )


def read_candidate(user, candidate: Candidate, *, purpose="duplicate check") -> None:
    case_selectors.read_person(user, candidate.person, purpose=purpose)


def decisions_visible(user):
    return policy.accessible(user, PersonLink.objects.select_related("decided_by")).order_by(
        "-decided_at", "-id"
    )


def links_of(user, person):
    """Every decision on a pair that includes ``person``, newest first, that the user may see."""
    return policy.accessible(
        user,
        PersonLink.objects.filter(Q(person=person) | Q(other=person)).select_related(
            "person", "other", "decided_by"
        ),
    ).order_by("-decided_at", "-id")


def linked_persons(user, person) -> list[Person]:
    """The persons linked to ``person`` now, among those the user may see."""
    ids = [pk for pk, state in _latest_states(person).items() if state == PersonLink.State.LINKED]
    return list(case_selectors.persons_visible(user).filter(pk__in=ids).order_by("pk"))


def dedupe_queue(user, state=DedupeCandidate.State.OPEN):
    """Proposed duplicates the user may review: both persons visible to them with their identity
    (the policy's rule needs ``VIEW_IDENTITY`` in the candidate's organisation), best first."""
    visible = case_selectors.persons_visible(user).filter(anonymised_at__isnull=True).values("pk")
    return (
        policy.accessible(user, DedupeCandidate.objects.filter(state=state))
        .filter(person__in=visible, other__in=visible)
        .select_related("person", "other", "run")
        .order_by("-match_weight", "id")
    )


def dedupe_runs(user):
    return policy.accessible(user, DedupeRun.objects.select_related("started_by", "organisation"))


def dedupe_organisations(user):
    """Organisations where the user may start a run: supervising cases and seeing identities."""
    ids = policy.organisations_with(user, Capability.SUPERVISE_CASES) & policy.organisations_with(
        user, Capability.VIEW_IDENTITY
    )
    return Organisation.objects.filter(pk__in=ids).order_by("name")
