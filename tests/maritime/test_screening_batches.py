"""Screenings opened for the persons on board of a disembarkation: the service, its refusals and
the pages (who may open a batch, who sees it, who sees only counts)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lindung.core.audit_actions import AuditAction
from lindung.core.markings import TLP, Distribution
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.maritime import selectors
from lindung.maritime.models import IncidentScreening, ScreeningBatch
from lindung.maritime.screening_batches import screening_batch_open
from lindung.screening import services as screening_services
from lindung.screening.models import Interview
from tests.screening.conftest import ANSWERS

PERSONS = [
    {"sex": "F", "age_group": "30-38", "nationality": "COM", "count": 3},
    {"sex": "M", "age_group": "9-17", "nationality": "COM", "count": 1},
]


@pytest.fixture
def guide(db):
    return screening_services.load_shipped_instrument()


@pytest.fixture
def landing(make_incident):
    return make_incident(
        incident_type="disembarkation",
        persons_on_board=6,
        dead=0,
        missing=0,
        survivors=6,
        disembarkation_country="THA",
        persons=PERSONS,
        tlp=TLP.GREEN,
        distribution=Distribution.COMMUNITY,
    )


@pytest.fixture
def officer(make_user, org_a):
    """Sees incidents and runs screenings in org A."""
    return make_user(org_a, Role.ANALYST, Role.CASEWORKER)


def _refusal_code(call):
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.code


def test_a_batch_opens_draft_interviews_prefilled_from_the_persons_on_board(landing, officer, org_a, guide):
    batch = screening_batch_open(
        acting_user=officer, incident=landing, count=5, instrument=guide, organisation=org_a
    )

    links = list(IncidentScreening.objects.filter(batch=batch).select_related("interview"))
    assert len(links) == batch.size == 5
    assert {link.incident_id for link in links} == {landing.pk}
    # Largest group first, then the smaller one, then unknown for the persons not in the breakdown.
    assert [(link.sex, link.age_group) for link in links] == [("F", "30-38")] * 3 + [("M", "9-17"), ("", "")]
    first = links[0].interview
    assert first.status == Interview.Status.IN_PROGRESS and first.person is None
    assert first.answers == {"sex": "F", "age_group": "30-38", "interview_country": "THA"}
    assert links[4].interview.answers == {"interview_country": "THA"}
    entry = AuditEntry.objects.get(action=AuditAction.SCREENING_BATCH_OPENED)
    assert entry.detail == {"incident": landing.pk, "size": 5, "version": guide.pk}


def test_a_batch_larger_than_the_persons_on_board_is_refused(landing, officer, org_a, guide):
    def open_(count):
        return lambda: screening_batch_open(
            acting_user=officer, incident=landing, count=count, instrument=guide, organisation=org_a
        )

    assert _refusal_code(open_(7)) == "batch_larger_than_on_board"
    open_(4)()
    # Batches already opened count: 4 + 3 is more than the 6 on board.
    assert _refusal_code(open_(3)) == "batch_larger_than_on_board"
    assert _refusal_code(open_(0)) == "batch_size"
    assert ScreeningBatch.objects.count() == 1 and Interview.objects.count() == 4


def test_only_a_disembarkation_with_known_persons_opens_screenings(make_incident, officer, org_a, guide):
    wreck = make_incident(incident_type="shipwreck")
    unknown = make_incident(incident_type="disembarkation", persons_on_board=None, survivors=None)
    assert (
        _refusal_code(
            lambda: screening_batch_open(
                acting_user=officer, incident=wreck, count=1, instrument=guide, organisation=org_a
            )
        )
        == "not_a_disembarkation"
    )
    assert (
        _refusal_code(
            lambda: screening_batch_open(
                acting_user=officer, incident=unknown, count=1, instrument=guide, organisation=org_a
            )
        )
        == "persons_on_board_unknown"
    )
    assert not Interview.objects.exists()


def test_an_analyst_without_screening_rights_or_a_screener_of_another_organisation_is_refused(
    landing, analyst_a, make_user, org_a, org_b, guide
):
    with pytest.raises(PermissionDenied):
        screening_batch_open(
            acting_user=analyst_a, incident=landing, count=1, instrument=guide, organisation=org_a
        )
    outsider = make_user(org_b, Role.ANALYST, Role.CASEWORKER)
    with pytest.raises(PermissionDenied):
        screening_batch_open(
            acting_user=outsider, incident=landing, count=1, instrument=guide, organisation=org_a
        )
    assert not ScreeningBatch.objects.exists()


def test_outcomes_are_counted_per_incident_and_shown_as_counts_only(
    landing, officer, org_a, org_b, guide, client_for
):
    batch = screening_batch_open(
        acting_user=officer, incident=landing, count=2, instrument=guide, organisation=org_a
    )
    interview = batch.screenings.first().interview
    interview.answers = dict(ANSWERS)
    interview.save()
    screening_services.interview_complete(acting_user=officer, interview=interview)

    outcomes = selectors.protection_outcomes(landing)
    assert (outcomes["opened"], outcomes["completed"]) == (2, 1)
    assert sum(outcomes["by_urgency"].values()) == 1

    # An analyst of another organisation reads the (community) incident: counts, no interview reference.
    other = client_for(org_b, Role.ANALYST)
    page = other.get(f"/maritime/incidents/{landing.pk}/").content.decode()
    assert 'id="protection-outcomes"' in page
    assert interview.reference not in page
    assert other.get(f"/maritime/screening-batches/{batch.pk}/").status_code == 404


def test_pages_open_a_batch_and_list_its_interviews(landing, org_a, client_for, guide):
    client = client_for(org_a, Role.ANALYST, Role.CASEWORKER)
    form = client.get(f"/maritime/incidents/{landing.pk}/screenings/new/")
    assert form.status_code == 200 and 'value="6"' in form.content.decode()

    response = client.post(
        f"/maritime/incidents/{landing.pk}/screenings/new/",
        {"count": "3", "instrument": guide.pk, "organisation": org_a.pk},
    )
    batch = ScreeningBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/maritime/screening-batches/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    for link in batch.screenings.select_related("interview"):
        assert link.interview.reference in page


@pytest.mark.parametrize("count", ["7", "0", "²", "-1", "", "9" * 30])
def test_the_batch_page_refuses_bad_counts(landing, org_a, client_for, guide, count):
    client = client_for(org_a, Role.ANALYST, Role.CASEWORKER)
    response = client.post(
        f"/maritime/incidents/{landing.pk}/screenings/new/",
        {"count": count, "instrument": guide.pk, "organisation": org_a.pk},
    )
    assert response.status_code == 400
    assert not ScreeningBatch.objects.exists()


@pytest.mark.parametrize(
    ("roles", "status"),
    [((Role.ANALYST,), 403), ((Role.CASEWORKER,), 404), ((Role.ANALYST, Role.CASEWORKER), 200)],
)
def test_who_may_open_the_batch_page(landing, org_a, client_for, guide, roles, status):
    # An analyst runs no screenings; a caseworker alone does not see incidents.
    assert (
        client_for(org_a, *roles).get(f"/maritime/incidents/{landing.pk}/screenings/new/").status_code
        == status
    )
