"""Decisions on a pair: link, undo, not the same (never proposed again); each with its audit row;
refusals with codes, across organisations included."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lindung.core.actors import SYSTEM
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Membership
from lindung.core.roles import Role
from lindung.linkage import selectors, services
from lindung.linkage.models import BlockingKey, PersonLink

from .conftest import DOB

pytestmark = pytest.mark.django_db


@pytest.fixture
def latin(register):
    return register(given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)


def _audited(action, person):
    return AuditEntry.objects.filter(action=action, object_id=str(person.pk)).count()


def test_link_then_undo_then_proposed_again(caseworker, rakhimov, latin):
    assert [c.person for c in selectors.candidates_of(caseworker, latin)] == [rakhimov]
    link = services.person_link(
        acting_user=caseworker, person=latin, other=rakhimov, reasons={"match_weight": 11.6}
    )
    assert (link.person_id, link.other_id) == tuple(sorted((latin.pk, rakhimov.pk)))
    assert link.state == PersonLink.State.LINKED and link.decided_by == caseworker
    assert selectors.linked_persons(caseworker, latin) == [rakhimov]
    assert selectors.linked_persons(caseworker, rakhimov) == [latin]
    assert selectors.candidates_of(caseworker, latin) == []
    assert _audited(AuditAction.PERSONS_LINKED, latin) == 1

    services.person_unlink(acting_user=caseworker, person=rakhimov, other=latin)
    assert selectors.linked_persons(caseworker, latin) == []
    assert [c.person for c in selectors.candidates_of(caseworker, latin)] == [rakhimov]
    assert _audited(AuditAction.PERSONS_UNLINKED, rakhimov) == 1
    states = [link.state for link in selectors.links_of(caseworker, latin)]
    assert states == ["unlinked", "linked"]


def test_not_the_same_is_never_proposed_again(caseworker, rakhimov, latin):
    services.person_mark_not_same(acting_user=caseworker, person=latin, other=rakhimov)
    assert selectors.candidates_of(caseworker, latin) == []
    assert selectors.candidates_of(caseworker, rakhimov) == []
    assert _audited(AuditAction.PERSONS_NOT_SAME, latin) == 1


def test_refusals_carry_codes(caseworker, rakhimov, latin):
    with pytest.raises(ValidationError) as exc:
        services.person_link(acting_user=caseworker, person=latin, other=latin)
    assert exc.value.code == "same_record"
    with pytest.raises(ValidationError) as exc:
        services.person_unlink(acting_user=caseworker, person=latin, other=rakhimov)
    assert exc.value.code == "not_linked"
    services.person_link(acting_user=caseworker, person=latin, other=rakhimov)
    with pytest.raises(ValidationError) as exc:
        services.person_link(acting_user=caseworker, person=rakhimov, other=latin)
    assert exc.value.code == "already_linked"
    with pytest.raises(ValidationError) as exc:
        services.person_mark_not_same(acting_user=caseworker, person=latin, other=rakhimov)
    assert exc.value.code == "linked"
    assert PersonLink.objects.count() == 1


def test_link_across_organisations_needs_an_agreement(org_a, org_b, make_user, register, rakhimov):
    both = make_user(org_a, Role.CASEWORKER)
    Membership.objects.create(user=both, organisation=org_b, role=Role.CASEWORKER)
    theirs = register(org=org_b, user=both, given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    with pytest.raises(ValidationError) as exc:
        services.person_link(acting_user=both, person=theirs, other=rakhimov)
    assert exc.value.code == "agreement_required"
    assert not PersonLink.objects.exists()
    assert _audited(AuditAction.LINKAGE_REFUSED, theirs) == 1


def test_a_user_who_may_not_change_one_side_is_refused(caseworker_b, rakhimov, latin):
    with pytest.raises(PermissionDenied):
        services.person_link(acting_user=caseworker_b, person=latin, other=rakhimov)
    assert not PersonLink.objects.exists()


def test_acting_user_none_is_a_bug(rakhimov, latin):
    with pytest.raises(TypeError):
        services.person_link(acting_user=None, person=latin, other=rakhimov)


def test_index_rebuilds_keys_of_persons_registered_before(rakhimov, latin):
    BlockingKey.objects.all().delete()
    counts = services.blocking_keys_rebuild(acting_user=SYSTEM)
    assert counts["persons"] == 2 and counts["keys"] == BlockingKey.objects.count() > 0
    assert AuditEntry.objects.filter(action=AuditAction.LINKAGE_INDEXED).count() == 1


def test_index_command(rakhimov):
    from io import StringIO

    from django.core.management import call_command

    BlockingKey.objects.all().delete()
    out = StringIO()
    call_command("linkage", "index", "--json", stdout=out)
    assert '"persons": 1' in out.getvalue() and BlockingKey.objects.filter(person=rakhimov).exists()


def test_a_registered_agreement_check_allows_a_link_across_organisations(
    monkeypatch, org_a, org_b, make_user, register, rakhimov
):
    from lindung.linkage import agreements

    both = make_user(org_a, Role.CASEWORKER)
    Membership.objects.create(user=both, organisation=org_b, role=Role.CASEWORKER)
    theirs = register(org=org_b, user=both, given_name="Muhammad", family_name="Rahimov", date_of_birth=DOB)
    monkeypatch.setattr(agreements, "cross_organisation_checks", [lambda user, p, o: user == both])
    link = services.person_link(acting_user=both, person=theirs, other=rakhimov)
    assert link.state == "linked" and {link.person_id, link.other_id} == {theirs.pk, rakhimov.pk}


def test_editing_a_name_rewrites_the_keys(caseworker, rakhimov):
    from lindung.cases import services as case_services
    from lindung.linkage.identity import Identity

    before = set(BlockingKey.objects.filter(person=rakhimov).values_list("digest", flat=True))
    case_services.person_update(
        acting_user=caseworker, person=rakhimov, expected_version=rakhimov.version, family_name="Karimov"
    )
    after = set(BlockingKey.objects.filter(person=rakhimov).values_list("digest", flat=True))
    assert before != after and before & after  # the given name and the date stay
    query = Identity.of(given_name="Muhammad", family_name="Karimov", date_of_birth=DOB)
    assert [c.person.pk for c in selectors.candidates(caseworker, query)] == [rakhimov.pk]


def test_index_command_unknown_organisation(rakhimov):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("linkage", "index", "--organisation", "NO-SUCH-ORG")
