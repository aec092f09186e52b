"""The coordinator's home panel: planned sessions not started yet and safeguarding concerns whose
support is still under way, counted as the linked lists show them, never another organisation's."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from lindung.core.roles import Role
from lindung.engagement import services
from lindung.engagement.models import Consent, Session, SupportReferral
from tests.home_lists import listed, panel_counts
from tests.roles import assert_roles

pytestmark = pytest.mark.django_db


def _values(client):
    return {label: value for label, value, _url in panel_counts(client)["engagement"]}


def _plan(world, days):
    return services.session_save(
        acting_user=world.user,
        engagement=world.engagement,
        title=f"Session in {days} days",
        format="focus_group",
        languages="tha",
        setting=Session.Setting.IN_PERSON,
        starts_at=timezone.now() + datetime.timedelta(days=days),
    )


def _concern(world):
    person = world.participant(Consent.Scope.PARTICIPATION)
    world.started()
    world.attend(person)
    return services.concern_record(
        acting_user=world.user,
        session=world.session,
        participant=person,
        severity="high",
        description="Distressed (test).",
        action_taken="Break taken (test).",
        pathway=world.pathway,
    )


def test_sessions_coming_and_open_concerns(world, world_b, coordinator_client):
    _plan(world, 3)
    _plan(world, 10)
    _plan(world_b, 3)  # another organisation's
    concern = _concern(world)
    _concern(world_b)
    # The fixture's own session started now (and is in progress): not "coming".
    assert _values(coordinator_client) == {"Sessions coming": 2, "Safeguarding concerns open": 1}
    for _label, value, url in panel_counts(coordinator_client)["engagement"]:
        assert listed(coordinator_client, url) == value
    services.referral_update(
        acting_user=world.user, referral=concern.referrals.get(), status=SupportReferral.Status.COMPLETED
    )
    assert _values(coordinator_client)["Safeguarding concerns open"] == 0


def test_the_lists_are_for_coordinators(client_for, org_a):
    for url in ("/engagement/sessions/", "/engagement/concerns/"):
        assert_roles(
            client_for,
            org_a,
            url,
            allowed=[Role.ENGAGEMENT_COORDINATOR],
            refused=[Role.CASEWORKER, Role.ANALYST, Role.AUDITOR],
        )


def test_a_concern_list_shows_no_description(world, coordinator_client):
    _concern(world)
    page = coordinator_client.get("/engagement/concerns/").content.decode()
    assert "Distressed (test)." not in page and "High" in page


def test_no_panel_without_engagement(org_a, make_user):
    client = Client()
    client.force_login(make_user(org_a, Role.CASEWORKER))
    assert "engagement" not in panel_counts(client)
