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
