"""Fixtures for the engagement tests: a coordinator's organisation with what a session needs."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from lindung.core.roles import Role
from lindung.engagement import services
from lindung.engagement.models import Consent, Contribution, Session


class World:
    """One organisation's engagement set-up, built through the services."""

    def __init__(self, org, user):
        self.org = org
        self.user = user
        self.pathway = services.pathway_save(
            acting_user=user,
            organisation=org,
            name="Test counselling line",
            kind="psychosocial",
            how_to_reach="Call 0-0000 (test)",
        )
        document = services.guidance_adopt(acting_user=user, organisation=org, key="information_sheet")
        self.sheet = document.versions.get(language="en")
        self.guideline = services.guideline_save(acting_user=user, organisation=org, title="Test guideline")
        self.version = services.guideline_version_add(
            acting_user=user,
            document=self.guideline,
            version="2.0",
            published_on=timezone.localdate(),
            changes="Rules explained in the resident's language.",
        )
        self.engagement = services.engagement_save(
            acting_user=user,
            organisation=org,
            title="Test engagement",
            purpose="Learn what to change.",
            feeds="Test guideline",
            guideline=self.guideline,
            safeguarding_lead=user,
        )
        self.session = services.session_save(
            acting_user=user,
            engagement=self.engagement,
            title="Test focus group",
            format="focus_group",
            languages="tha, eng",
            setting=Session.Setting.IN_PERSON,
            starts_at=timezone.now(),
            interpreters="Thai–English interpreter",
        )

    def complete_checklist(self, session=None):
        return services.checklist_update(
            acting_user=self.user,
            session=session or self.session,
            support_pathways=[self.pathway],
            **{field: True for field, _label in Session.CHECKLIST},
        )

    def participant(self, *scopes, name="Testy Fictional", language="th"):
        person = services.participant_save(
            acting_user=self.user,
            organisation=self.org,
            name=name,
            contact="test-contact@example.invalid",
            preferred_language=language,
            contact_method="email",
        )
        for scope in scopes:
            self.consent(person, scope)
        return person

    def consent(self, person, scope):
        return services.consent_give(
            acting_user=self.user,
            participant=person,
            scope=scope,
            information_sheet=self.sheet,
            method=Consent.Method.WRITTEN,
            given_on=timezone.localdate() - datetime.timedelta(days=1),
        )

    def started(self):
        self.complete_checklist()
        return services.session_start(acting_user=self.user, session=self.session)

    def attend(self, person):
        return services.attendance_add(acting_user=self.user, session=self.session, participant=person)

    def contribution(self, kind, text="Rules were only in Thai.", person=None, theme="access_to_information"):
        return services.contribution_record(
            acting_user=self.user, session=self.session, kind=kind, text=text, theme=theme, participant=person
        )

    def cleared_quote(self, person, text="Nobody explained the rules to me.", attribute_name=False):
        quote = self.contribution(Contribution.Kind.QUOTE, text=text, person=person)
        return services.contribution_clear(
            acting_user=self.user,
            contribution=quote,
            public_text=text,
            identifying_details_removed=True,
            attribute_name=attribute_name,
        )


@pytest.fixture
def coordinator(make_user, org_a):
    return make_user(org_a, Role.ENGAGEMENT_COORDINATOR)


@pytest.fixture
def world(org_a, coordinator):
    return World(org_a, coordinator)


@pytest.fixture
def world_b(org_b, make_user):
    return World(org_b, make_user(org_b, Role.ENGAGEMENT_COORDINATOR))


@pytest.fixture
def coordinator_client(coordinator):
    client = Client()
    client.force_login(coordinator)
    client.user = coordinator
    return client
