"""Batch deduplication: Splink finds the planted duplicates among fictional persons, sees only
the persons the user may see, and the review queue links or remembers each pair."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from lindung.cases import services as case_services
from lindung.core.actors import SYSTEM
from lindung.core.roles import Role
from lindung.linkage import selectors, services, synthetic
from lindung.linkage.models import DedupeCandidate, DedupeRun, PersonLink

pytestmark = pytest.mark.django_db
# Small enough to register quickly, large enough for EM to have something to learn from.
DISTINCT, PLANTED = 36, 4


@pytest.fixture
def supervisor(org_a, make_user):
    return make_user(org_a, Role.SUPERVISOR, username="sup_a")


@pytest.fixture
def planted(org_a, caseworker):
    people, pairs = synthetic.persons(DISTINCT, PLANTED, seed=3)
    persons = [
        case_services.person_register(acting_user=caseworker, organisation=org_a, **fields)
        for fields in people
    ]
    return persons, {tuple(sorted((persons[a].pk, persons[b].pk))) for a, b in pairs}


def _pairs(run):
    return set(run.candidates.values_list("person_id", "other_id"))


def test_dedupe_finds_the_planted_duplicates_and_explains(supervisor, org_a, planted):
    _persons, truth = planted
    run = services.dedupe_run(acting_user=supervisor, organisation=org_a)
    assert run.persons == DISTINCT + PLANTED
    assert _pairs(run) == truth
    item = run.candidates.first()
    fields = {s["field"] for s in item.explanation["steps"]}
    assert {"prior", "given_name", "family_name", "date_of_birth"} <= fields
    # Field names, levels and weights: no value of the persons.
    text = str(item.explanation)
    assert item.person.family_name not in text and item.person.given_name not in text
    assert item.score.probability == pytest.approx(item.probability, abs=1e-3)


def test_accept_links_reject_remembers_and_neither_is_proposed_again(supervisor, org_a, planted):
    run = services.dedupe_run(acting_user=supervisor, organisation=org_a)
    first, second = list(run.candidates.order_by("id")[:2])
    services.dedupe_candidate_accept(acting_user=supervisor, candidate=first)
    services.dedupe_candidate_reject(acting_user=supervisor, candidate=second)
    assert PersonLink.objects.get(person=first.person, other=first.other).state == "linked"
    assert PersonLink.objects.get(person=second.person, other=second.other).state == "not_same"
    first.refresh_from_db()
    assert first.state == "accepted" and first.decided_by == supervisor
    with pytest.raises(ValidationError) as err:
        services.dedupe_candidate_reject(acting_user=supervisor, candidate=first)
    assert err.value.code == "already_reviewed"

    again = services.dedupe_run(acting_user=supervisor, organisation=org_a)
    # Decided pairs and pairs still open from the first run are not proposed twice.
    assert again.pairs == run.pairs and again.proposed == 0
    assert DedupeCandidate.objects.filter(state="open").count() == run.proposed - 2


def test_a_pair_decided_on_a_person_page_since_the_run_closes_when_reviewed_alike(supervisor, org_a, planted):
    run = services.dedupe_run(acting_user=supervisor, organisation=org_a)
    first, second = list(run.candidates.order_by("id")[:2])
    services.person_link(acting_user=supervisor, person=first.person, other=first.other)
    services.person_mark_not_same(acting_user=supervisor, person=second.person, other=second.other)
    services.dedupe_candidate_accept(acting_user=supervisor, candidate=first)
    services.dedupe_candidate_reject(acting_user=supervisor, candidate=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("accepted", "rejected")
    # The decisions taken on the person pages stand, once each: nothing recorded twice.
    assert PersonLink.objects.filter(person=first.person, other=first.other).count() == 1
    assert PersonLink.objects.filter(person=second.person, other=second.other).count() == 1


def test_persons_outside_scope_never_appear(supervisor, org_a, org_b, caseworker_b, planted):
    people, _pairs_b = synthetic.persons(6, 0, seed=3)
    outsiders = {
        case_services.person_register(acting_user=caseworker_b, organisation=org_b, **f).pk
        for f in people[:6]
    }  # the same fictional identities as six persons of org A, but in org B
    run = services.dedupe_run(acting_user=supervisor, organisation=org_a)
    ids = {pk for pair in _pairs(run) for pk in pair}
    assert not ids & outsiders and run.persons == DISTINCT + PLANTED
    assert not {pk for c in selectors.dedupe_queue(caseworker_b) for pk in (c.person_id, c.other_id)}
    with pytest.raises(PermissionDenied):
        services.dedupe_run(acting_user=supervisor, organisation=org_b)


def test_refusals_carry_codes(org_a, org_b, supervisor, caseworker, make_user):
    with pytest.raises(ValidationError) as err:
        services.dedupe_run(acting_user=supervisor, organisation=org_a)
    assert err.value.code == "no_persons"
    with pytest.raises(PermissionDenied):  # a caseworker does not supervise
        services.dedupe_run(acting_user=caseworker, organisation=org_a)
    data_manager = make_user(org_a, Role.DATA_MANAGER)
    with pytest.raises(PermissionDenied):  # no identity capability: may not compare identities
        services.dedupe_run(acting_user=data_manager, organisation=org_a)
    assert not DedupeRun.objects.exists()


def test_command_dedupe_and_its_bad_input(org_a, planted, capsys):
    call_command("linkage", "dedupe", "--organisation", str(org_a.pk), "--json")
    run = DedupeRun.objects.get()
    assert run.started_by is None and _pairs(run) == planted[1]
    with pytest.raises(CommandError, match="unknown_organisation"):
        call_command("linkage", "dedupe", "--organisation", "nowhere")
    with pytest.raises(CommandError, match="engine_unavailable"):
        call_command("linkage", "dedupe", "--engine", "spark")
    with pytest.raises(CommandError, match="agreement_unavailable"):
        call_command("linkage", "dedupe", "--agreement", "1")


def test_command_no_persons(org_b):
    with pytest.raises(CommandError, match="no_persons"):
        call_command("linkage", "dedupe", "--organisation", str(org_b.pk))


def test_system_may_run_without_a_user(org_a, planted):
    services.dedupe_run(acting_user=SYSTEM, organisation=org_a)
    assert DedupeRun.objects.get().proposed == PLANTED


def test_too_few_persons_to_train_is_refused_with_a_code(supervisor, org_a, caseworker):
    for i, given in enumerate(["An", "Binh", "Chi", "An"]):
        case_services.person_register(
            acting_user=caseworker,
            organisation=org_a,
            given_name=given,
            family_name="Nguyen",
            date_of_birth=datetime.date(1980 + i, 1 + i % 9, 10 + i % 9),
        )
    with pytest.raises(ValidationError) as err:
        services.dedupe_run(acting_user=supervisor, organisation=org_a)
    assert err.value.code == "too_few_persons"
    assert not DedupeRun.objects.exists()
