"""Pages: who may use each (engagement coordinators of the owning organisation only), what they
show, and how every form answers bad input."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.engagement import services
from lindung.engagement.models import Consent, Contribution, Engagement, Notification, Session

pytestmark = pytest.mark.django_db
Scope = Consent.Scope


@pytest.fixture
def full(world):
    """A running session with a participant, a cleared quote, a notification and an incident."""
    person = world.participant(Scope.PARTICIPATION, Scope.QUOTES)
    world.started()
    world.attend(person)
    quote = world.cleared_quote(person)
    Notification.objects.create(
        organisation=world.org, engagement=world.engagement, kind="incident", message="m"
    )
    consent = person.consents.get(scope=Scope.QUOTES)
    concern = services.concern_record(
        acting_user=world.user,
        session=world.session,
        severity="low",
        description="Tired.",
        action_taken="Break.",
        pathway=world.pathway,
    )
    return {
        "person": person,
        "quote": quote,
        "consent": consent,
        "world": world,
        "referral": concern.referrals.get(),
    }


def routes(full):
    """(url name, args, method) for every page of the app."""
    w = full["world"]
    e, s, p, q = w.engagement.pk, w.session.pk, full["person"].pk, full["quote"].pk
    guidance = w.sheet.document_id
    note = Notification.objects.first().pk
    return [
        ("engagement_list", [], "get"),
        ("engagement_create", [], "get"),
        ("synthesis", [], "get"),
        ("engagement_detail", [e], "get"),
        ("engagement_edit", [e], "get"),
        ("engagement_outcomes", [e], "get"),
        ("engagement_export", [e], "get"),
        ("incident_create", [e], "get"),
        ("session_create", [e], "get"),
        ("notification_read", [note], "post"),
        ("session_detail", [s], "get"),
        ("session_edit", [s], "get"),
        ("session_checklist", [s], "get"),
        ("session_start", [s], "post"),
        ("session_debrief", [s], "get"),
        ("attendance_add", [s], "post"),
        ("contribution_create", [s], "get"),
        ("concern_create", [s], "get"),
        ("compensation_create", [s], "get"),
        ("contribution_review", [q], "get"),
        ("contribution_withdraw", [q], "post"),
        ("outcome_create", [q], "get"),
        ("participant_list", [], "get"),
        ("participant_create", [], "get"),
        ("participant_detail", [p], "get"),
        ("participant_edit", [p], "get"),
        ("consent_create", [p], "get"),
        ("case_link", [p], "get"),
        ("participant_report", [p], "get"),
        ("participant_report_download", [p], "get"),
        ("consent_withdraw", [full["consent"].pk], "post"),
        ("referral_update", [full["referral"].pk], "post"),
        ("guideline_list", [], "get"),
        ("guideline_create", [], "get"),
        ("guideline_detail", [w.guideline.pk], "get"),
        ("guideline_version_create", [w.guideline.pk], "get"),
        ("guidance_list", [], "get"),
        ("guidance_adopt", [], "post"),
        ("guidance_detail", [guidance], "get"),
        ("guidance_version_create", [guidance], "get"),
        ("guidance_export", [w.sheet.pk], "get"),
        ("pathway_list", [], "get"),
        ("session_upcoming", [], "get"),
        ("concern_open", [], "get"),
    ]


def test_every_page_is_covered():
    from lindung.engagement import urls

    assert len(urls.urlpatterns) == 44


def test_coordinator_reaches_every_page(full, coordinator_client):
    for name, args, method in routes(full):
        response = getattr(coordinator_client, method)(reverse(f"engagement:{name}", args=args))
        assert response.status_code in ((200,) if method == "get" else (302,)), name


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ENGAGEMENT_COORDINATOR])
def test_every_other_role_is_refused_everywhere(full, role, client_for):
    client = client_for(full["world"].org, role)
    for name, args, method in routes(full):
        response = getattr(client, method)(reverse(f"engagement:{name}", args=args))
        assert response.status_code == 403, (role, name)
    assert AuditEntry.objects.filter(action="policy.denied", actor_id=client.user.pk).exists()


def test_coordinator_of_another_organisation_gets_not_found(full, world_b):
    client = Client()
    client.force_login(world_b.user)
    for name, args, method in routes(full):
        if not args:
            continue
        response = getattr(client, method)(reverse(f"engagement:{name}", args=args))
        assert response.status_code == 404, name


def test_anonymous_is_sent_to_sign_in(full):
    for name, args, method in routes(full):
        response = getattr(Client(), method)(reverse(f"engagement:{name}", args=args))
        assert response.status_code == 302 and "/account/login/" in response["Location"], name


def test_navigation_entry_only_for_coordinators(coordinator_client, client_for, org_a):
    assert reverse("engagement:engagement_list") in coordinator_client.get("/").content.decode()
    other = client_for(org_a, Role.CASEWORKER)
    assert reverse("engagement:engagement_list") not in other.get("/").content.decode()


# flows through the pages ------------------------------------------------------------------------


def test_create_engagement_and_session_through_forms(world, coordinator_client):
    response = coordinator_client.post(
        reverse("engagement:engagement_create"),
        {
            "title": "Page engagement",
            "purpose": "Learn.",
            "feeds": "Guideline X",
            "status": "planned",
            "guideline": world.guideline.pk,
            "safeguarding_lead": world.user.pk,
        },
    )
    engagement = Engagement.objects.get(title="Page engagement")
    assert response.status_code == 302 and response["Location"] == engagement.get_absolute_url()
    response = coordinator_client.post(
        reverse("engagement:session_create", args=[engagement.pk]),
        {
            "title": "Workshop 1",
            "format": "workshop",
            "languages": "tha, zzz",
            "setting": "in_person",
            "starts_at": "2026-12-01T10:00",
        },
    )
    assert response.status_code == 200
    assert "Not ISO 639-3 language codes: zzz" in response.content.decode()
    response = coordinator_client.post(
        reverse("engagement:session_create", args=[engagement.pk]),
        {
            "title": "Workshop 1",
            "format": "workshop",
            "languages": "tha",
            "setting": "in_person",
            "starts_at": "2026-12-01T10:00",
            "facilitators": [world.user.pk],
        },
    )
    session = Session.objects.get(title="Workshop 1")
    assert response.status_code == 302 and list(session.facilitators.all()) == [world.user]


def test_start_with_incomplete_checklist_shows_the_reason(world, coordinator_client):
    response = coordinator_client.post(
        reverse("engagement:session_start", args=[world.session.pk]), follow=True
    )
    page = response.content.decode()
    assert "The session cannot start: the pre-session checklist is incomplete" in page
    assert AuditEntry.objects.filter(
        action="engagement.refused", detail__reason="checklist_incomplete"
    ).exists()
    data = {field: "on" for field, _label in Session.CHECKLIST}
    data["support_pathways"] = [world.pathway.pk]
    coordinator_client.post(reverse("engagement:session_checklist", args=[world.session.pk]), data)
    response = coordinator_client.post(
        reverse("engagement:session_start", args=[world.session.pk]), follow=True
    )
    assert "Session started." in response.content.decode()


def test_checklist_form_refuses_another_organisations_pathway(world, world_b, coordinator_client):
    response = coordinator_client.post(
        reverse("engagement:session_checklist", args=[world.session.pk]),
        {
            "check_risk_assessment": "on",
            "support_pathways": [world_b.pathway.pk],
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_review_form_refuses_quote_without_consent(world, coordinator_client):
    person = world.participant(Scope.PARTICIPATION)
    world.started()
    world.attend(person)
    quote = world.contribution(Contribution.Kind.QUOTE, person=person)
    response = coordinator_client.post(
        reverse("engagement:contribution_review", args=[quote.pk]),
        {
            "public_text": "Rules!",
            "identifying_details_removed": "on",
        },
    )
    assert response.status_code == 200
    assert "has not given (or has withdrawn) consent to be quoted" in response.content.decode()


def test_review_form_refuses_name_attribution_without_consent(world, coordinator_client):
    person = world.participant(Scope.PARTICIPATION, Scope.QUOTES)
    world.started()
    world.attend(person)
    quote = world.contribution(Contribution.Kind.QUOTE, person=person)
    response = coordinator_client.post(
        reverse("engagement:contribution_review", args=[quote.pk]),
        {
            "public_text": "Rules!",
            "identifying_details_removed": "on",
            "attribute_name": "on",
        },
    )
    assert response.status_code == 200 and "consent to be named" in response.content.decode()


def test_outcome_form_refuses_withdrawn_contribution(full, coordinator_client):
    w = full["world"]
    coordinator_client.post(reverse("engagement:consent_withdraw", args=[full["consent"].pk]))
    response = coordinator_client.post(
        reverse("engagement:outcome_create", args=[full["quote"].pk]),
        {
            "kind": "decision",
            "description": "We did",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert "withdrawn by the participant and cannot be used again" in response.content.decode()
    response = coordinator_client.post(
        reverse("engagement:outcome_create", args=[full["quote"].pk]),
        {
            "kind": "guideline_change",
            "description": "",
            "decided_on": "yesterday",
            "guideline_version": w.version.pk,
        },
    )
    page = response.content.decode()
    assert "This field is required" in page and "Enter a valid date" in page


def test_consent_form_bad_input_and_missing_information_sheet(world, coordinator_client, org_b, make_user):
    person = world.participant()
    url = reverse("engagement:consent_create", args=[person.pk])
    response = coordinator_client.post(
        url, {"scope": "everything", "method": "written", "given_on": "2026-01-01"}
    )
    page = response.content.decode()
    assert "Select a valid choice" in page and "information_sheet" in page
    response = coordinator_client.post(
        url,
        {
            "scope": "quotes",
            "method": "written",
            "given_on": "2020-01-01",
            "information_sheet": world.sheet.pk,
        },
    )
    assert "Record consent to take part first." in response.content.decode()
    lonely = make_user(org_b, Role.ENGAGEMENT_COORDINATOR)
    client = Client()
    client.force_login(lonely)
    other = services.participant_save(acting_user=lonely, organisation=org_b, preferred_language="en")
    page = client.get(reverse("engagement:consent_create", args=[other.pk])).content.decode()
    assert "adopt one from the engagement model" in page


def test_participant_pages_show_contact_only_to_allowed_roles_and_log_it(
    world, coordinator_client, monkeypatch
):
    person = world.participant(Scope.PARTICIPATION)
    page = coordinator_client.get(reverse("engagement:participant_detail", args=[person.pk])).content.decode()
    assert "test-contact@example.invalid" in page and "Testy Fictional" in page
    assert AuditEntry.objects.filter(action="personal.viewed", object_id=str(person.pk)).exists()
    listing = coordinator_client.get(reverse("engagement:participant_list")).content.decode()
    assert person.code in listing and "Testy" not in listing
    from lindung.core.roles import ROLE_CAPABILITIES, Capability

    monkeypatch.setitem(ROLE_CAPABILITIES, Role.RESEARCHER, frozenset({Capability.MANAGE_ENGAGEMENT}))
    from django.contrib.auth import get_user_model

    helper = get_user_model().objects.create_user("helper")
    helper.memberships.create(organisation=world.org, role=Role.RESEARCHER)
    client = Client()
    client.force_login(helper)
    page = client.get(reverse("engagement:participant_detail", args=[person.pk])).content.decode()
    assert "test-contact@example.invalid" not in page and "Hidden" in page
    form = client.get(reverse("engagement:participant_edit", args=[person.pk])).content.decode()
    assert "test-contact" not in form and 'name="contact"' not in form


def test_participant_form_bad_input(coordinator_client):
    response = coordinator_client.post(
        reverse("engagement:participant_create"),
        {
            "preferred_language": "xx",
            "contact_method": "pigeon",
            "output_preference": "anonymous",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Preferred language: Select a valid choice" in page and "How to be contacted: Select a valid" in page
    )


def test_case_link_form_refuses_without_consent(world, coordinator_client):
    person = world.participant(Scope.PARTICIPATION)
    response = coordinator_client.post(
        reverse("engagement:case_link", args=[person.pk]),
        {
            "case_reference": "CASE-9",
            "case_organisation": world.org.pk,
        },
    )
    assert "not consented to linking" in response.content.decode()


def test_distress_protocol_incident_compensation_and_debrief_pages(full, coordinator_client):
    w, person = full["world"], full["person"]
    s = w.session.pk
    response = coordinator_client.post(
        reverse("engagement:concern_create", args=[s]),
        {
            "participant": person.pk,
            "severity": "high",
            "description": "Upset.",
            "action_taken": "Break.",
            "pathway": w.pathway.pk,
        },
    )
    assert response.status_code == 302
    response = coordinator_client.post(reverse("engagement:concern_create", args=[s]), {"severity": "bad"})
    assert response.content.decode().count("This field is required") >= 3
    response = coordinator_client.post(
        reverse("engagement:compensation_create", args=[s]),
        {
            "participant": person.pk,
            "kind": "transport",
            "amount": "-5",
            "currency": "THB",
            "method": "cash",
            "paid_on": timezone.localdate().isoformat(),
        },
    )
    assert "greater than or equal to 0" in response.content.decode()
    response = coordinator_client.post(
        reverse("engagement:incident_create", args=[w.engagement.pk]),
        {
            "severity": "low",
            "occurred_on": "2999-01-01",
            "description": "x",
        },
    )
    assert "An incident cannot be in the future." in response.content.decode()
    response = coordinator_client.post(reverse("engagement:session_debrief", args=[s]), {"debrief": ""})
    assert response.status_code == 200
    response = coordinator_client.post(
        reverse("engagement:session_debrief", args=[s]), {"debrief": "Went well."}
    )
    assert response.status_code == 302
    page = coordinator_client.get(reverse("engagement:session_detail", args=[s])).content.decode()
    assert "Went well." in page and "Upset." in page and "Test counselling line" in page
    assert AuditEntry.objects.filter(action="personal.viewed", object_type="engagement.session").exists()


def test_guidance_adopt_adapt_translate_and_export(world, coordinator_client):
    from lindung.engagement.models import GuidanceDocument

    response = coordinator_client.post(reverse("engagement:guidance_adopt"), {"key": "principles"})

    document = GuidanceDocument.objects.get(organisation=world.org, model_key="principles")
    assert response["Location"] == document.get_absolute_url()
    url = reverse("engagement:guidance_version_create", args=[document.pk])
    coordinator_client.post(
        url,
        {
            "mode": "new",
            "language": "en",
            "title": "Our principles",
            "body": "# Our principles\n\n<script>x</script> Do no harm.",
            "change_note": "ours",
        },
    )
    coordinator_client.post(
        url,
        {
            "mode": "translation",
            "language": "fr",
            "title": "Nos principes",
            "body": "# Nos principes",
            "change_note": "traduction",
        },
    )
    response = coordinator_client.post(
        url, {"mode": "translation", "language": "fr", "title": "Encore", "body": "x"}
    )
    assert "already exists in this language" in response.content.decode()
    versions = {(v.number, v.language) for v in document.versions.all()}
    assert versions == {(1, "en"), (2, "en"), (2, "fr")}
    latest = document.versions.get(number=2, language="en")
    page = coordinator_client.get(document.get_absolute_url()).content.decode()
    assert "&lt;script&gt;" in page and "<script>x" not in page
    md = coordinator_client.get(reverse("engagement:guidance_export", args=[latest.pk]) + "?format=md")
    assert md["Content-Disposition"].endswith('-v2-en.md"') and b"Do no harm" in md.content
    html = coordinator_client.get(reverse("engagement:guidance_export", args=[latest.pk]) + "?format=html")
    assert b"<h1>Our principles</h1>" in html.content
    bad = coordinator_client.get(reverse("engagement:guidance_export", args=[latest.pk]) + "?format=pdf")
    assert bad.status_code == 400
    response = coordinator_client.post(reverse("engagement:guidance_adopt"), {"key": "nonsense"}, follow=True)
    assert "The engagement model has no document nonsense." in response.content.decode()


def test_pathway_and_guideline_forms(world, coordinator_client):
    response = coordinator_client.post(
        reverse("engagement:pathway_list"),
        {
            "name": "Line",
            "kind": "psychosocial",
            "how_to_reach": "Call",
            "languages": "klingon",
            "active": "on",
        },
    )
    assert "Not ISO 639-3 language codes: klingon" in response.content.decode()
    response = coordinator_client.post(
        reverse("engagement:guideline_version_create", args=[world.guideline.pk]),
        {
            "version": "2.0",
            "published_on": "2026-01-01",
            "changes": "again",
        },
    )
    assert "already has a version 2.0" in response.content.decode()


def test_session_page_shows_each_participants_consents_and_recording_warning(world, coordinator_client):
    recorded = world.participant(Scope.PARTICIPATION, Scope.RECORDING, name="Rec Fictional")
    unrecorded = world.participant(Scope.PARTICIPATION, name="Norec Fictional")
    world.session.recorded = True
    world.session.save()
    world.attend(recorded)
    world.attend(unrecorded)
    page = coordinator_client.get(
        reverse("engagement:session_detail", args=[world.session.pk])
    ).content.decode()
    assert page.count("Not to be recorded.") == 1
    line = next(chunk for chunk in page.split("<li>") if unrecorded.code in chunk and "Not to be" in chunk)
    assert "Audio or video recording" not in line and "Taking part" in line


def test_referral_follow_up(full, coordinator_client):
    referral = full["referral"]
    url = reverse("engagement:referral_update", args=[referral.pk])
    response = coordinator_client.post(url, {"status": "lost"}, follow=True)
    assert "Choose a referral status" in response.content.decode()
    coordinator_client.post(url, {"status": "completed", "follow_up_on": "2026-12-24"})
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.follow_up_on.isoformat() == "2026-12-24"
    assert AuditEntry.objects.filter(action="engagement.safeguarding", detail__status="completed").exists()


def test_csv_export_neutralises_formulas(world, coordinator_client):
    person = world.participant(Scope.PARTICIPATION, Scope.QUOTES)
    world.started()
    world.attend(person)
    world.cleared_quote(person, text='=HYPERLINK("http://x.invalid","click")')
    body = coordinator_client.get(reverse("engagement:engagement_export", args=[world.engagement.pk])).content
    assert b"'=HYPERLINK" in body and b',"=HYPERLINK' not in body


def test_coordinator_of_two_organisations_chooses_where_to_create(world, org_b, coordinator_client):
    from lindung.core.models import Membership

    Membership.objects.create(user=world.user, organisation=org_b, role=Role.ENGAGEMENT_COORDINATOR)
    url = reverse("engagement:engagement_create")
    assert 'name="organisation"' in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(
        url, {"organisation": org_b.pk, "title": "In B", "purpose": "p", "feeds": "f", "status": "planned"}
    )
    assert response.status_code == 302
    assert Engagement.objects.get(title="In B").organisation == org_b
    response = coordinator_client.post(
        reverse("engagement:participant_create"),
        {
            "organisation": org_b.pk,
            "preferred_language": "en",
            "contact_method": "none",
            "output_preference": "anonymous",
            "contact": "b-contact@example.invalid",
        },
    )
    from lindung.engagement.models import Participant

    assert response.status_code == 302 and Participant.objects.get(organisation=org_b).contact == (
        "b-contact@example.invalid"
    )


def test_a_pathway_points_at_its_service_in_the_referral_directory(world, coordinator_client, org_b):
    from lindung.engagement.models import SupportPathway
    from lindung.referrals.models import Service

    service = Service.objects.create(
        organisation=org_b,
        name="Harbour counselling (test)",
        service_type="mhpss",
        country="THA",
        place="Bangkok",
    )
    url = reverse("engagement:pathway_list")
    form = {"name": "Harbour line", "kind": "psychosocial", "how_to_reach": "Call", "active": "on"}
    response = coordinator_client.post(url, {**form, "directory_service": str(service.pk + 999)})
    assert "Select a valid choice" in response.content.decode()
    assert not SupportPathway.objects.filter(name="Harbour line").exists()
    response = coordinator_client.post(url, {**form, "directory_service": str(service.pk)}, follow=True)
    page = response.content.decode()
    assert f'href="{service.get_absolute_url()}">Harbour counselling (test)</a>' in page
    assert f'<option value="{service.pk}">' in page
    service.active = False
    service.save()
    page = coordinator_client.get(url).content.decode()  # no longer offered for new pathways
    assert f'<option value="{service.pk}">' not in page


def test_a_participant_page_is_one_personal_read_in_the_audit_log(world, coordinator_client):
    person = world.participant(Scope.PARTICIPATION)
    world.started()
    world.attend(person)
    world.contribution(Contribution.Kind.FEEDBACK, person=person)
    coordinator_client.get(reverse("engagement:participant_detail", args=[person.pk]))
    reads = AuditEntry.objects.filter(action="personal.viewed", object_id=str(person.pk))
    assert reads.count() == 1
    assert {"contribution.text", "contact"} <= set(reads.get().detail["fields"])


def test_synthesis_with_an_engagement_that_no_column_can_hold_is_not_found(world, coordinator_client):
    for value in ("99999999999999999999", "²", "٣"):
        response = coordinator_client.get(reverse("engagement:synthesis"), {"engagement": value})
        assert response.status_code == 404, value
