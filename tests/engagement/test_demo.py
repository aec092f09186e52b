"""The demo: two organisations with a completed session and a "you said, we did" report."""

import pytest

from lindung.core.models import AuditEntry
from lindung.engagement import selectors
from lindung.engagement.models import Contribution, Engagement, Notification, Outcome, Session


@pytest.mark.django_db
def test_demo_loads_in_two_organisations_and_is_idempotent(demo_world):
    from lindung.core import demo

    orgs = set(Engagement.objects.values_list("organisation_id", flat=True))
    assert orgs == {demo_world["orgs"]["ngo_bkk"].pk, demo_world["orgs"]["agency_kl"].pk}
    assert Session.objects.filter(status=Session.Status.COMPLETED).count() == 2
    assert Outcome.objects.filter(kind=Outcome.Kind.GUIDELINE_CHANGE).count() == 2
    assert Notification.objects.filter(kind=Notification.Kind.WITHDRAWAL).count() == 2
    counts = (
        Engagement.objects.count(),
        Contribution.objects.count(),
        AuditEntry.objects.filter(action__startswith="engagement.").count(),
    )
    demo.run_all()
    assert counts == (
        Engagement.objects.count(),
        Contribution.objects.count(),
        AuditEntry.objects.filter(action__startswith="engagement.").count(),
    )


@pytest.mark.django_db
def test_demo_coordinator_sees_you_said_we_did_of_own_organisation_only(demo_world):
    coordinator = demo_world["users"]["coordinator"]
    engagement = selectors.engagements(coordinator).get()
    assert engagement.organisation == demo_world["orgs"]["ngo_bkk"]
    rows = selectors.you_said_we_did(coordinator, engagement)
    assert len(rows) == 2
    withdrawn = Contribution.objects.filter(session__engagement=engagement, status="withdrawn").get()
    assert withdrawn.text is None and withdrawn.kind == Contribution.Kind.QUOTE
    usable = list(selectors.usable_contributions(coordinator, engagement))
    assert withdrawn not in usable
    assert any(selectors.attribution(c) == "Ari Fictional" for c in usable)


@pytest.mark.django_db
def test_demo_coordinator_sees_the_feature_working(demo_world):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(demo_world["users"]["coordinator"])
    engagement = Engagement.objects.get(organisation=demo_world["orgs"]["ngo_bkk"])
    done = engagement.sessions.get(status=Session.Status.COMPLETED)
    planned = engagement.sessions.get(status=Session.Status.PLANNED)
    named = Contribution.objects.get(session=done, attribute_name=True)
    pages = {
        reverse("engagement:engagement_detail", args=[engagement.pk]): ["withdrew consent", "Focus group 2"],
        reverse("engagement:session_detail", args=[done.pk]): [
            "Checklist complete.",
            "Withdrawn by the participant",
        ],
        reverse("engagement:session_detail", args=[planned.pk]): ["Not ready to start"],
        reverse("engagement:engagement_outcomes", args=[engagement.pk]): [
            "Residents may keep their own phone"
        ],
        reverse("engagement:synthesis"): ["Ari Fictional", named.public_text],
        reverse("engagement:participant_report", args=[named.participant_id]): [named.public_text],
        reverse("engagement:guidance_list"): ["Information sheet for participants"],
    }
    for url, expected in pages.items():
        body = client.get(url).content.decode().replace("&#x27;", "'")
        for text in expected:
            assert text in body, (url, text)
