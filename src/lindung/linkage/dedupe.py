"""The persons a batch deduplication compares, as Splink records: decrypted through the cases
app's policy-checked selector, normalised as the duplicate check does, kept in memory only (see
``splink_model``). Every person read is one audited search, never a value in the audit."""

from lindung.cases import selectors as case_selectors
from lindung.core import policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.roles import Capability

from . import splink_model
from .models import DedupeCandidate, PersonLink

PURPOSE = "batch deduplication"


def _document(person) -> str:
    """The passport if there is one, else the first document: one number per record."""
    documents = sorted(person.documents or (), key=lambda d: d.get("type") != "passport")
    return documents[0].get("number", "") if documents else ""


def records(user, organisation) -> list[dict]:
    """The records of the persons of ``organisation`` that ``user`` may see with their identity,
    anonymised persons left out."""
    if not policy.has_capability(user, Capability.VIEW_IDENTITY, organisation.pk):
        return []
    persons = case_selectors.persons_visible(user).filter(
        organisation=organisation, anonymised_at__isnull=True
    )
    rows = [
        splink_model.record(
            person.pk,
            given_name=person.given_name or "",
            family_name=person.family_name or "",
            date_of_birth=person.date_of_birth,
            document=_document(person),
            sex=person.sex or "",
            citizenship=person.citizenship or "",
        )
        for person in persons.order_by("pk").iterator(chunk_size=500)
    ]
    audit_record(
        action=AuditAction.PERSONAL_DATA_SEARCHED,
        actor=user,
        organisation_id=organisation.pk,
        purpose=PURPOSE,
        detail={"persons": len(rows)},
    )
    return rows


def decided_pairs(organisation) -> set[tuple[int, int]]:
    """Pairs not to propose: a decision stands on them (linked or not the same; a link undone
    opens the pair again) or they already wait for review."""
    latest: dict[tuple[int, int], str] = {}
    for low, high, state in (
        PersonLink.objects.filter(organisation=organisation)
        .order_by("id")
        .values_list("person_id", "other_id", "state")
    ):
        latest[(low, high)] = state
    decided = {pair for pair, state in latest.items() if state != PersonLink.State.UNLINKED}
    decided |= set(
        DedupeCandidate.objects.filter(
            organisation=organisation, state=DedupeCandidate.State.OPEN
        ).values_list("person_id", "other_id")
    )
    return decided
