"""The demo: the bureau's data manager sees populated dashboards; releases exist in two organisations."""

import pytest
from django.test import Client

from lindung.stats import demo as stats_demo
from lindung.stats.models import Release
from lindung.stats.tables import protected_table

pytestmark = pytest.mark.django_db


def test_demo_dashboards_and_releases(demo_world):
    manager = demo_world["users"]["datamanager"]
    table = protected_table(manager, "presumed_victims")
    assert table.by == ("year", "form_of_exploitation")
    published = [c for c in table.cells() if c["value"]]
    assert len(published) > 20 and table.suppressed_count > 0
    assert Release.objects.values("organisation").distinct().count() >= 2
    client = Client()
    client.force_login(manager)
    release = Release.objects.filter(organisation=demo_world["orgs"]["stats_kz"]).get()
    assert release.epsilon_spent > 0 and release.tables.count() == 3
    assert client.get(release.get_absolute_url()).status_code == 200
    from lindung.core import demo

    before = Release.objects.count()
    assert before == len(stats_demo.RELEASES)
    demo.run_all()  # idempotent: nothing new
    assert Release.objects.count() == before


@pytest.mark.parametrize("org_key", ["ngo_bkk", "rmifc", "agency_kl"])
def test_every_indicator_computes_over_the_demo(demo_world, make_user, org_key):
    """Each source adapter reads its module's selector: every indicator gives a protected table
    (or says there is nothing to count), for a user with every role."""
    from lindung.core.roles import Role
    from lindung.stats import indicators
    from lindung.stats.disclosure import DisclosureError

    user = make_user(demo_world["orgs"][org_key], *Role)
    computed = {}
    for indicator in indicators.all_indicators():
        for by in [indicator.default_by, indicator.default_by[:1]]:
            try:
                table = protected_table(user, indicator.id, list(by))
            except DisclosureError as exc:
                assert "no records" in str(exc)
                continue
            computed[indicator.id] = table
            assert all((c["value"] is None) == bool(c["status"]) for c in table.cells())
    if org_key == "ngo_bkk":
        assert {"presumed_victims", "cases_opened"} <= set(computed)
    if org_key == "rmifc":
        assert {"incidents_at_sea", "persons_on_board"} <= set(computed)
