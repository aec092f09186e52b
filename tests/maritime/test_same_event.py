"""Several reports of one event: proposed by time, place and numbers; merged or kept apart by an
analyst; statistics count a merged event once."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from lindung.core.actors import SYSTEM
from lindung.core.audit_actions import AuditAction
from lindung.core.markings import TLP, Distribution
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.maritime import same_event
from lindung.maritime.models import EventDecision, Incident
from lindung.stats import sources

WHEN = timezone.now() - datetime.timedelta(days=10)


@pytest.fixture
def report(make_incident):
    """report(hours=0, lat=-12.5, lon=44.9, dead=1, missing=2, **more) -> an incident of org A."""

    def make(hours=0, lat="-12.5", lon="44.9", dead=1, missing=2, **more):
        fields = {
            "incident_type": "shipwreck",
            "occurred_at": WHEN + datetime.timedelta(hours=hours),
            "latitude": Decimal(lat) if lat is not None else None,
            "longitude": Decimal(lon) if lon is not None else None,
            "dead": dead,
            "missing": missing,
            "survivors": None,
            "persons_on_board": None,
            "tlp": TLP.GREEN,
            "distribution": Distribution.COMMUNITY,
        }
        return make_incident(**{**fields, **more})

    return make


def _pairs(user):
    return [(c.first, c.second) for c in same_event.candidates(user)]


def test_reports_close_in_time_place_and_numbers_are_proposed_with_reasons(report, analyst_a):
    mmp = report(source="MMP")
    coastguard = report(hours=5, lat="-12.52", lon="44.93", missing=3, source="Coastguard")
    (candidate,) = same_event.candidates(analyst_a)
    assert (candidate.first, candidate.second) == (mmp.pk, coastguard.pk)
    codes = [r["code"] for r in candidate.reasons]
    assert codes == ["hours_apart", "distance", "dead_missing"]
    assert candidate.reasons[1]["km"] == pytest.approx(3.9, abs=0.2)
    assert 50 < candidate.score < 100


@pytest.mark.parametrize(
    "other",
    [
        {"hours": 30},  # more than a day apart
        {"lat": "-12.8"},  # about 33 km away
        {"dead": 20, "missing": 15},  # 35 dead and missing against 3
    ],
)
def test_reports_apart_in_time_place_or_numbers_are_not_proposed(report, analyst_a, other):
    report()
    report(**other)
    assert _pairs(analyst_a) == []


def test_without_positions_the_named_area_decides(report, analyst_a):
    first = report(lat=None, lon=None, area="Mozambique Channel")
    second = report(hours=2, lat=None, lon=None, area="mozambique channel ", missing=None, dead=None)
    report(hours=3, lat=None, lon=None, area="Andaman Sea", route="")
    (candidate,) = same_event.candidates(analyst_a)
    assert (candidate.first, candidate.second) == (first.pk, second.pk)
    assert [r["code"] for r in candidate.reasons] == ["hours_apart", "same_area", "dead_missing_unknown"]


def _totals(user):
    frame = sources.get("incidents").frame(user, dimensions=["route"], fields=["dead", "missing"])
    return frame.height, frame["dead"].sum(), frame["missing"].sum()


def test_merging_drops_the_totals_by_exactly_the_duplicates(report, analyst_a, org_a):
    mmp = report(dead=3, missing=8)
    coastguard = report(hours=4, dead=3, missing=9)
    wire = report(hours=6, dead=3, missing=8)
    report(hours=-200)  # another event
    before = _totals(analyst_a)

    same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=mmp, duplicate=coastguard)
    # A third report merged into the duplicate joins the primary's event.
    same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=coastguard, duplicate=wire)

    assert _totals(analyst_a) == (before[0] - 2, before[1] - 6, before[2] - 17)
    assert set(Incident.objects.filter(duplicate_of=mmp).values_list("pk", flat=True)) == {
        coastguard.pk,
        wire.pk,
    }
    assert _pairs(analyst_a) == []
    assert AuditEntry.objects.filter(action=AuditAction.INCIDENT_EVENT_MERGED).count() == 2


def test_a_duplicate_whose_primary_the_user_cannot_see_still_counts(
    report, analyst_a, org_a, make_user, org_b
):
    hidden = report(tlp=TLP.RED, distribution=Distribution.ORGANISATION)
    shared = report(hours=1)
    same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=hidden, duplicate=shared)
    outsider = make_user(org_b, Role.ANALYST)
    assert _totals(outsider)[0] == 1
    assert _totals(analyst_a)[0] == 1


def test_kept_apart_is_remembered_and_not_proposed_again(report, analyst_a, org_a):
    first, second = report(), report(hours=1)
    decision = same_event.event_keep_apart(
        acting_user=analyst_a, organisation=org_a, first=second, second=first
    )
    assert (decision.first_id, decision.second_id, decision.decision) == (first.pk, second.pk, "apart")
    assert _pairs(analyst_a) == []
    assert Incident.objects.filter(duplicate_of__isnull=False).count() == 0
    assert AuditEntry.objects.filter(action=AuditAction.INCIDENT_EVENT_KEPT_APART).count() == 1
    with pytest.raises(ValidationError) as again:
        same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=first, duplicate=second)
    assert again.value.code == "already_decided"


def test_bad_decisions_carry_codes(report, analyst_a, org_a):
    first, second = report(), report(hours=1)
    with pytest.raises(ValidationError) as same:
        same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=first, duplicate=first)
    assert same.value.code == "same_incident"
    same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=first, duplicate=second)
    with pytest.raises(ValidationError) as merged:
        EventDecision.objects.all().delete()
        same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=second, duplicate=first)
    assert merged.value.code == "already_merged"


def test_merging_another_organisations_report_needs_it_received_under_an_agreement(
    report, analyst_a, org_a, org_b, make_user
):
    ours = report()
    analyst_b = make_user(org_b, Role.ANALYST)
    theirs = report(hours=1, user=analyst_b, organisation=org_b)
    assert (ours.pk, theirs.pk) in _pairs(analyst_a)  # visible, so proposed
    with pytest.raises(ValidationError) as refused:
        same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=ours, duplicate=theirs)
    assert refused.value.code == "agreement_required"
    assert Incident.objects.get(pk=theirs.pk).duplicate_of_id is None

    # The same report received from another node (under an agreement) may be merged.
    Incident.objects.filter(pk=theirs.pk).update(origin_node="peer-b", origin_id="report--b-1")
    theirs.refresh_from_db()
    same_event.event_merge(acting_user=analyst_a, organisation=org_a, primary=ours, duplicate=theirs)
    assert Incident.objects.get(pk=theirs.pk).duplicate_of_id == ours.pk


@pytest.mark.parametrize(
    ("roles", "status"), [((Role.ANALYST,), 200), ((Role.CASEWORKER,), 403), ((Role.DATA_MANAGER,), 403)]
)
def test_who_may_review_reports_of_the_same_event(org_a, client_for, roles, status):
    assert client_for(org_a, *roles).get("/maritime/same-event/").status_code == status


def test_the_page_merges_and_keeps_apart(report, org_a, client_for):
    client = client_for(org_a, Role.ANALYST)
    mmp, coastguard = report(source="MMP"), report(hours=3, source="Coastguard")
    other_a, other_b = report(hours=-100), report(hours=-99)
    page = client.get("/maritime/same-event/").content.decode()
    assert f'id="pair-{mmp.pk}-{coastguard.pk}"' in page and f'id="pair-{other_a.pk}-{other_b.pk}"' in page

    client.post(
        "/maritime/same-event/decide/",
        {"first": mmp.pk, "second": coastguard.pk, "decision": "same", "primary": "second"},
    )
    client.post(
        "/maritime/same-event/decide/", {"first": other_a.pk, "second": other_b.pk, "decision": "apart"}
    )
    assert Incident.objects.get(pk=mmp.pk).duplicate_of_id == coastguard.pk
    assert Incident.objects.filter(duplicate_of__isnull=False).count() == 1
    page = client.get("/maritime/same-event/").content.decode()
    assert "pair-" not in page
    detail = client.get(f"/maritime/incidents/{mmp.pk}/").content.decode()
    assert "duplicate-note" in detail


@pytest.mark.parametrize("first", ["", "x", "²", "-3", "9" * 30])
def test_the_decision_refuses_bad_ids(report, org_a, client_for, first):
    client = client_for(org_a, Role.ANALYST)
    second = report()
    response = client.post(
        "/maritime/same-event/decide/", {"first": first, "second": second.pk, "decision": "same"}
    )
    assert response.status_code == 404
    assert not EventDecision.objects.exists()


def test_another_organisations_analyst_cannot_decide_on_reports_they_do_not_see(report, org_b, client_for):
    first = report(tlp=TLP.RED, distribution=Distribution.ORGANISATION)
    second = report(hours=1, tlp=TLP.RED, distribution=Distribution.ORGANISATION)
    client = client_for(org_b, Role.ANALYST)
    response = client.post(
        "/maritime/same-event/decide/", {"first": first.pk, "second": second.pk, "decision": "apart"}
    )
    assert response.status_code == 404
    assert not EventDecision.objects.exists()


def test_the_command_lists_the_candidates(report):
    first, second = report(), report(hours=2)
    out = io.StringIO()
    call_command("maritime", "match-events", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["candidates"] == 1
    assert (result["pairs"][0]["first"], result["pairs"][0]["second"]) == (first.pk, second.pk)
    assert same_event.candidates(SYSTEM)[0].score == result["pairs"][0]["score"]
