"""Withdrawing quote consent removes the quote from every view, report, export and the API, while
other participants' cleared content stays."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lindung.engagement import services
from lindung.engagement.models import Consent, Contribution, Notification, Outcome

pytestmark = pytest.mark.django_db
Scope = Consent.Scope
MARKER = "Nobody told me the rules in Burmese"
CONTROL = "The night counsellor helped me most"


@pytest.fixture
def quoted(world):
    speaker = world.participant(Scope.PARTICIPATION, Scope.QUOTES, name="Speaker Fictional")
    other = world.participant(Scope.PARTICIPATION, Scope.QUOTES, name="Other Fictional", language="fr")
    world.started()
    world.attend(speaker)
    world.attend(other)
    quote = world.cleared_quote(speaker, text=MARKER)
    control = world.cleared_quote(other, text=CONTROL)
    for item in (quote, control):
        services.outcome_record(
            acting_user=world.user,
            contribution=item,
            kind=Outcome.Kind.GUIDELINE_CHANGE,
            description="Rules now explained in each resident's language.",
            decided_on=timezone.localdate(),
            guideline_version=world.version,
        )
    return world, speaker, other, quote


def outputs(client, world, speaker, other, quote):
    """Every page, report, export and API answer where a cleared quote can appear."""
    e = world.engagement.pk
    urls = [
        reverse("engagement:session_detail", args=[world.session.pk]),
        reverse("engagement:participant_detail", args=[speaker.pk]),
        reverse("engagement:synthesis"),
        reverse("engagement:synthesis") + f"?engagement={e}",
        reverse("engagement:engagement_outcomes", args=[e]),
        reverse("engagement:engagement_export", args=[e]),
        reverse("engagement:participant_report", args=[speaker.pk]),
        reverse("engagement:participant_report_download", args=[speaker.pk]),
        reverse("engagement:participant_report", args=[other.pk]),
        reverse("engagement:participant_report_download", args=[other.pk]),
        "/api/v1/engagement-feedback/",
        f"/api/v1/engagement-feedback/?engagement={e}",
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = response.content.decode()
    detail = client.get(f"/api/v1/engagement-feedback/{quote.pk}/")
    found["api-detail"] = detail.content.decode() if detail.status_code == 200 else ""
    return found


def test_quote_disappears_everywhere_after_quote_consent_is_withdrawn(quoted, coordinator_client):
    world, speaker, other, quote = quoted
    before = outputs(coordinator_client, world, speaker, other, quote)
    for url, body in before.items():
        assert MARKER in body, f"quote missing before withdrawal: {url}"

    consent = speaker.consents.get(scope=Scope.QUOTES)
    response = coordinator_client.post(
        reverse("engagement:consent_withdraw", args=[consent.pk]), {"confirm": "yes"}, follow=True
    )
    assert "Consent withdrawn" in response.content.decode()

    after = outputs(coordinator_client, world, speaker, other, quote)
    for url, body in after.items():
        assert MARKER not in body, f"withdrawn quote still shown: {url}"
    for url in (
        reverse("engagement:synthesis"),
        reverse("engagement:engagement_export", args=[world.engagement.pk]),
        reverse("engagement:participant_report", args=[other.pk]),
        "/api/v1/engagement-feedback/",
    ):
        assert CONTROL in after[url], url
    assert coordinator_client.get(f"/api/v1/engagement-feedback/{quote.pk}/").status_code == 404
    quote.refresh_from_db()
    assert quote.status == Contribution.Status.WITHDRAWN and quote.text is None and quote.public_text is None

    page = coordinator_client.get(world.engagement.get_absolute_url()).content.decode()
    notice = Notification.objects.get(engagement=world.engagement, kind=Notification.Kind.WITHDRAWAL)
    assert notice.message in page.replace("&#x27;", "'")
    assert speaker.code in notice.message and "1 contribution(s) removed" in notice.message


def test_report_is_in_the_participants_language_and_only_cleared(quoted, coordinator_client):
    world, speaker, other, _quote = quoted
    draft = world.contribution(Contribution.Kind.FEEDBACK, text="DRAFT-ONLY internal wording")
    world.contribution(Contribution.Kind.NOTE, text="NOTE-ONLY facilitator remark")
    services.outcome_record(
        acting_user=world.user,
        contribution=draft,
        kind=Outcome.Kind.DECISION,
        description="Decision on a draft",
        decided_on=timezone.localdate(),
    )
    download = coordinator_client.get(reverse("engagement:participant_report_download", args=[other.pk]))
    body = download.content.decode()
    assert download["Content-Disposition"].endswith(f'feedback-{other.code}-fr.html"')
    assert '<html lang="fr">' in body and CONTROL in body
    for hidden in ("DRAFT-ONLY", "NOTE-ONLY", "Decision on a draft", "Other Fictional", "Speaker Fictional"):
        assert hidden not in body
    page = coordinator_client.get(reverse("engagement:participant_report", args=[other.pk])).content.decode()
    assert 'lang="fr"' in page and "DRAFT-ONLY" not in page
