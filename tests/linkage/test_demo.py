"""The demo shows a man registered twice with variant spellings (proposed on both person pages)
and a linked pair in a second organisation; loading it again adds nothing."""

import pytest

from lindung.cases.models import Person
from lindung.core.models import User
from lindung.linkage import demo, selectors
from lindung.linkage.models import PersonLink

pytestmark = pytest.mark.django_db


def test_demo_catches_the_variant_spelling_and_is_idempotent(demo_world):
    caseworker = User.objects.get(username="caseworker")
    cyrillic = next(
        p
        for p in Person.objects.filter(organisation=demo_world["orgs"]["ngo_bkk"])
        if p.family_name == "Рахимов"
    )
    found = selectors.candidates_of(caseworker, cyrillic)
    assert [c.person.family_name for c in found] == ["Rakhimov"]
    link = PersonLink.objects.get()
    assert link.state == "linked" and link.organisation == demo_world["orgs"]["agency_kl"]
    assert {s["level"] for s in link.reasons["steps"]} >= {"swapped", "one_edit"}
    persons = Person.objects.count()
    demo.load(demo_world)
    assert Person.objects.count() == persons and PersonLink.objects.count() == 1


def test_demo_has_a_dedupe_run_with_open_pairs(demo_world):
    from lindung.linkage.models import DedupeCandidate, DedupeRun

    supervisor = User.objects.get(username="supervisor")
    run = DedupeRun.objects.get(organisation=demo_world["orgs"]["ngo_bkk"])
    assert run.started_by == supervisor
    assert DedupeRun.objects.get(organisation=demo_world["orgs"]["agency_kl"]).proposed >= 2
    open_pairs = list(selectors.dedupe_queue(supervisor))
    assert len(open_pairs) >= 3 and all(c.state == DedupeCandidate.State.OPEN for c in open_pairs)
    families = {frozenset((c.person.family_name, c.other.family_name)) for c in open_pairs}
    assert frozenset(("Рахимов", "Rakhimov")) in families
    demo.load(demo_world)
    assert DedupeRun.objects.count() == 2
