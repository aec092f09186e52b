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
