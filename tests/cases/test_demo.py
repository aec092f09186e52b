"""The demo gives two organisations a living caseload, and loading it twice changes nothing."""

from lindung.cases import selectors
from lindung.cases.models import Case, Person
from lindung.core import demo


def test_demo_caseloads_in_two_organisations_and_idempotent(demo_world):
    users, orgs = demo_world["users"], demo_world["orgs"]
    bkk = selectors.case_list(users["caseworker"])
    kl = selectors.case_list(users["caseworker_kl"])
    assert bkk.count() >= 5 and kl.count() >= 3
    assert {c.organisation_id for c in bkk} == {orgs["ngo_bkk"].pk}
    assert {c.organisation_id for c in kl} == {orgs["agency_kl"].pk}
    assert len({c.case_type for c in Case.objects.all()}) == 7
    assert selectors.overdue_tasks(users["caseworker"]).exists()
    assert selectors.overdue_tasks(users["caseworker_kl"]).exists()
    counts = (Person.objects.count(), Case.objects.count())
    demo.run_all()
    assert (Person.objects.count(), Case.objects.count()) == counts
