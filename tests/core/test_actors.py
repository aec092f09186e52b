"""The system actor: services refuse a missing actor instead of skipping the policy; SYSTEM passes
the policy, is recorded as "system" in the audit log and leaves "recorded by" columns empty."""

import pytest

from lindung.core import policy, services
from lindung.core.actors import SYSTEM, user_of
from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, ObjectShare, Organisation
from lindung.core.roles import Capability, Role


def _referral_service(org):
    from lindung.referrals import services as referral_services

    return referral_services.service_save(
        acting_user=None,
        organisation=org,
        name="Clinic",
        country="THA",
        service_type="medical_care",
        place="X",
    )


def _framework_instrument(org):
    from lindung.frameworks import services as framework_services

    return framework_services.instrument_create(acting_user=None, data={"title_en": "Unchecked law"})


@pytest.mark.parametrize(
    "call",
    [
        lambda org: services.organisation_create(
            acting_user=None, name="Nobody's", kind="ngo", country="THA"
        ),
        lambda org: services.sharing_group_create(acting_user=None, name="g", organisations=[org]),
        lambda org: services.object_share(acting_user=None, obj=org, purpose="p", organisation=org),
        lambda org: policy.require(None, policy.VIEW, org),
        lambda org: policy.require_capability(None, Capability.MANAGE_SHARING, org.pk),
        _referral_service,
        _framework_instrument,
    ],
)
def test_a_missing_actor_is_refused_not_waved_through(org_a, call):
    before = (Organisation.objects.count(), AuditEntry.objects.count(), ObjectShare.objects.count())
    with pytest.raises(TypeError, match="SYSTEM"):
        call(org_a)
    assert (Organisation.objects.count(), AuditEntry.objects.count(), ObjectShare.objects.count()) == before


def test_the_system_passes_the_policy_and_is_audited_as_system(org_a, org_b):
    share = services.object_share(acting_user=SYSTEM, obj=org_a, purpose="test", organisation=org_b)
    assert share.granted_by is None
    entry = AuditEntry.objects.filter(action=AuditAction.OBJECT_SHARED).latest("id")
    assert (entry.actor_id, entry.actor_username) == (None, "system")
    assert policy.can(SYSTEM, policy.CHANGE, org_a) and policy.can_see_identity(SYSTEM, org_a)
    assert set(policy.accessible(SYSTEM, Organisation.objects.all())) == {org_a, org_b}


def test_a_person_is_still_checked(org_a, make_user):
    researcher = make_user(org_a, Role.RESEARCHER)
    with pytest.raises(policy.Refused):
        services.sharing_group_create(acting_user=researcher, name="g", organisations=[org_a])
    assert user_of(researcher) is researcher and user_of(SYSTEM) is None
    with pytest.raises(TypeError):
        user_of(None)
