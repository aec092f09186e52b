"""The access policy: deny by default, organisation scope, shares, identity visibility."""

import pytest
from django.core.exceptions import PermissionDenied

from lindung.core import policy, services
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Membership, ObjectShare, SharingGroup
from lindung.core.roles import ROLE_CAPABILITIES, Capability, Role


def test_every_role_has_capabilities_and_every_capability_a_role():
    assert set(ROLE_CAPABILITIES) == set(Role)
    granted = set().union(*ROLE_CAPABILITIES.values())
    assert granted == set(Capability)


@pytest.mark.django_db
def test_unregistered_model_is_invisible(make_user, org_a):
    user = make_user(org_a, *Role)
    from django.contrib.sessions.models import Session

    assert policy.rule_for(Session) is None
    assert not policy.can(user, policy.VIEW, Session(session_key="x"))
    assert policy.accessible(user, Session.objects.all()).query.is_empty()


@pytest.mark.django_db
def test_membership_visible_only_to_administrators_of_its_organisation(make_user, org_a, org_b):
    admin_a = make_user(org_a, Role.ADMINISTRATOR)
    caseworker_a = make_user(org_a, Role.CASEWORKER)
    member_b = make_user(org_b, Role.CASEWORKER)
    membership_b = Membership.objects.get(user=member_b)
    membership_a = Membership.objects.get(user=caseworker_a)
    assert policy.can(admin_a, policy.VIEW, membership_a)
    assert not policy.can(admin_a, policy.VIEW, membership_b)
    assert not policy.can(caseworker_a, policy.VIEW, membership_a)
    assert set(policy.accessible(admin_a, Membership.objects.all())) == {
        Membership.objects.get(user=admin_a),
        membership_a,
    }


@pytest.mark.django_db
def test_explicit_share_grants_read_not_change(make_user, org_a, org_b):
    admin_a = make_user(org_a, Role.ADMINISTRATOR)
    admin_b = make_user(org_b, Role.ADMINISTRATOR)
    membership_a = Membership.objects.get(user=admin_a)
    assert not policy.can(admin_b, policy.VIEW, membership_a)
    share = services.object_share(
        acting_user=admin_a, obj=membership_a, purpose="joint review", organisation=org_b
    )
    assert policy.can(admin_b, policy.VIEW, membership_a)
    assert membership_a in policy.accessible(admin_b, Membership.objects.all())
    assert not policy.can(admin_b, policy.CHANGE, membership_a)
    services.object_share_revoke(acting_user=admin_a, share=share)
    admin_b = type(admin_b).objects.get(pk=admin_b.pk)
    assert not policy.can(admin_b, policy.VIEW, membership_a)
    assert membership_a not in policy.accessible(admin_b, Membership.objects.all())


@pytest.mark.django_db
def test_share_with_sharing_group_reaches_members_only(make_user, org_a, org_b):
    from lindung.core.models import Organisation

    org_c = Organisation.objects.create(name="Org C (test)", kind="ngo", country="IDN")
    admin_a = make_user(org_a, Role.ADMINISTRATOR)
    admin_b = make_user(org_b, Role.ADMINISTRATOR)
    admin_c = make_user(org_c, Role.ADMINISTRATOR)
    group = SharingGroup.objects.create(name="Group (test)")
    group.organisations.set([org_a, org_b])
    target = Membership.objects.get(user=admin_a)
    services.object_share(acting_user=admin_a, obj=target, purpose="group review", sharing_group=group)
    assert policy.can(admin_b, policy.VIEW, target)
    assert not policy.can(admin_c, policy.VIEW, target)
    assert ObjectShare.objects.active().count() == 1


@pytest.mark.django_db
def test_sharing_requires_change_right(make_user, org_a, org_b):
    caseworker_a = make_user(org_a, Role.CASEWORKER)
    admin_a = make_user(org_a, Role.ADMINISTRATOR)
    target = Membership.objects.get(user=admin_a)
    with pytest.raises(PermissionDenied):
        services.object_share(acting_user=caseworker_a, obj=target, purpose="x", organisation=org_b)
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=caseworker_a.pk).exists()
    assert not ObjectShare.objects.exists()


@pytest.mark.django_db
def test_identity_visibility_follows_capability_in_owner_organisation(make_user, org_a, org_b):
    caseworker_a = make_user(org_a, Role.CASEWORKER)
    auditor_a = make_user(org_a, Role.AUDITOR)
    caseworker_b = make_user(org_b, Role.CASEWORKER)
    target = Membership.objects.get(user=caseworker_a)
    assert policy.can_see_identity(caseworker_a, target)
    assert not policy.can_see_identity(auditor_a, target)
    assert not policy.can_see_identity(caseworker_b, target)


@pytest.mark.django_db
def test_inactive_user_has_no_capability(make_user, org_a):
    user = make_user(org_a, Role.SUPERVISOR)
    user.is_active = False
    assert policy.organisations_with(user, Capability.VIEW_CASES) == set()


@pytest.mark.django_db
def test_sharing_group_is_changed_by_sharing_managers_of_its_members(make_user, org_a, org_b):
    group = SharingGroup.objects.create(name="Group (test)")
    group.organisations.set([org_a])
    manager_a = make_user(org_a, Role.ADMINISTRATOR)
    manager_b = make_user(org_b, Role.ADMINISTRATOR)
    caseworker_a = make_user(org_a, Role.CASEWORKER)
    assert policy.can(caseworker_a, policy.VIEW, group)
    assert policy.can(manager_a, policy.CHANGE, group)
    assert not policy.can(manager_b, policy.CHANGE, group)
    assert not policy.can(caseworker_a, policy.CHANGE, group)
    assert list(policy.accessible(manager_a, SharingGroup.objects.all(), policy.CHANGE)) == [group]
    assert not policy.accessible(manager_b, SharingGroup.objects.all(), policy.CHANGE).exists()
