"""The demo shows the feature working: screenings with profiles in two organisations, a directory
in Thailand, Malaysia and Indonesia, referrals in every state including overdue."""

import pytest

from lindung.core import demo
from lindung.referrals import selectors
from lindung.referrals.models import Referral, Service
from lindung.screening.models import Interview, Profile


@pytest.mark.django_db
def test_demo_world_has_every_state_and_is_idempotent(demo_world):
    assert Profile.objects.values("organisation").distinct().count() >= 2
    assert Interview.objects.filter(status="in_progress").exists()
    assert {"THA", "MYS", "IDN"} <= set(Service.objects.values_list("country", flat=True))
    assert Service.objects.values("organisation").distinct().count() >= 4
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == {"sent", "accepted", "declined", "completed", "withdrawn"}
    assert any(r.is_overdue for r in Referral.objects.all())
    assert Referral.objects.values("organisation").distinct().count() >= 2
    supervisor = demo_world["users"]["supervisor"]
    assert selectors.overdue_referrals(supervisor).exists()
    counts = (Interview.objects.count(), Referral.objects.count(), Service.objects.count())
    demo.run_all()
    assert (Interview.objects.count(), Referral.objects.count(), Service.objects.count()) == counts
