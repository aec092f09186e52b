from lindung.core.markings import TLP
from lindung.maritime import selectors
from lindung.maritime.models import Incident


def test_demo_populates_both_centres_with_various_markings(demo_world):
    orgs, users = demo_world["orgs"], demo_world["users"]
    owners = set(Incident.objects.values_list("organisation_id", flat=True))
    assert {orgs["rmifc"].pk, orgs["sey_centre"].pk} <= owners
    assert set(Incident.objects.values_list("tlp", flat=True)) == set(TLP.values)
    assert Incident.objects.filter(source_id__startswith="mmp:", tlp=TLP.CLEAR).count() >= 4
    # The Seychelles analyst sees their own incidents, rmifc's CLEAR/GREEN community ones and the
    # shared-group AMBER ones, but never rmifc's RED or AMBER+STRICT ones.
    seen = selectors.incidents_visible(users["analyst_sey"])
    rmifc_seen = set(seen.filter(organisation=orgs["rmifc"]).values_list("tlp", flat=True))
    assert TLP.RED not in rmifc_seen and TLP.AMBER_STRICT not in rmifc_seen
    assert {TLP.CLEAR, TLP.GREEN, TLP.AMBER} <= rmifc_seen


def test_demo_is_idempotent(demo_world):
    from lindung.core import demo

    before = Incident.objects.count()
    demo.run_all()
    assert Incident.objects.count() == before


def test_demo_proposes_the_coastguard_report_and_has_a_screening_batch(demo_world):
    from lindung.maritime import same_event
    from lindung.maritime.models import ScreeningBatch

    users = demo_world["users"]
    mmp = Incident.objects.get(source_id="mmp:DEMO-101")
    coastguard = Incident.objects.get(source_id="demo:coastguard-101")
    pairs = {(c.first, c.second) for c in same_event.candidates(users["analyst"])}
    assert tuple(sorted((mmp.pk, coastguard.pk))) in pairs
    batch = ScreeningBatch.objects.get(incident__source_id="demo:rmifc-006")
    assert batch.screenings.count() == batch.size == 10
    # The other centre reads the (GREEN, community) disembarkation and its counts, not the batch.
    assert selectors.protection_outcomes(batch.incident)["opened"] == 10
    assert not selectors.screening_batches_of(users["analyst_sey"], batch.incident).exists()
