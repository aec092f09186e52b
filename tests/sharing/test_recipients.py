"""Naming the recipients of an incident (what AMBER and AMBER+STRICT need): who may, what is refused."""

import pytest

from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP, Distribution
from lindung.core.models import AuditEntry, ObjectShare, SharingGroup
from lindung.core.roles import Role
from tests.roles import assert_roles

from .factories import make_incident

pytestmark = pytest.mark.django_db


def _url(incident):
    return f"/sharing/incidents/{incident.pk}/recipients/"


def test_only_those_who_may_change_the_incident(client_for, org_a, org_b):
    incident = make_incident(org_a, tlp=TLP.AMBER, distribution=Distribution.ORGANISATION)
    assert_roles(client_for, org_a, _url(incident), allowed=[Role.ANALYST],
                 refused=[Role.ADMINISTRATOR, Role.CASEWORKER, Role.AUDITOR])  # fmt: skip
    assert_roles(client_for, org_b, _url(incident), allowed=[], refused=[Role.ANALYST])


def test_name_and_withdraw_a_recipient(client_for, org_a, org_b):
    incident = make_incident(org_a, tlp=TLP.AMBER_STRICT, distribution=Distribution.ORGANISATION)
    client = client_for(org_a, Role.ANALYST)
    response = client.post(_url(incident), {"organisation": org_b.pk, "purpose": "Joint patrol"})
    assert response.status_code == 302
    share = ObjectShare.objects.active().get()
    assert share.organisation == org_b and AuditEntry.objects.filter(action="sharing.object_shared").exists()
    assert org_b.name in client.get(_url(incident)).content.decode()
    assert client.post(_url(incident), {"revoke": share.pk}).status_code == 302
    assert not ObjectShare.objects.active().exists()


@pytest.mark.parametrize(
    "tlp,data,message",
    [
        (TLP.AMBER_STRICT, {"group": True}, "by name only"),
        (TLP.RED, {"org_b": True}, "stay with their owner"),
        (TLP.AMBER, {}, "Choose one organisation or one sharing group"),
        (TLP.AMBER, {"org_b": True, "group": True}, "Choose one organisation or one sharing group"),
        (TLP.AMBER, {"org_a": True}, "sees its records already"),
        (TLP.AMBER, {"org_b": True, "purpose": ""}, "This field is required"),
    ],
)
def test_refusals(client_for, org_a, org_b, tlp, data, message):
    incident = make_incident(org_a, tlp=tlp, distribution=Distribution.ORGANISATION)
    group = SharingGroup.objects.create(name="Test group")
    post = {"purpose": data.get("purpose", "Testing")}
    if data.get("org_b"):
        post["organisation"] = org_b.pk
    if data.get("org_a"):
        post["organisation"] = org_a.pk
    if data.get("group"):
        post["sharing_group"] = group.pk
    response = client_for(org_a, Role.ANALYST).post(_url(incident), post)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ObjectShare.objects.exists()


def test_withdrawing_a_share_of_another_record_is_404(client_for, org_a, org_b):
    mine = make_incident(org_a, tlp=TLP.AMBER, distribution=Distribution.ORGANISATION)
    theirs = make_incident(org_b, tlp=TLP.AMBER, distribution=Distribution.ORGANISATION)
    from lindung.core.services import object_share

    share = object_share(acting_user=SYSTEM, obj=theirs, purpose="theirs", organisation=org_a)
    response = client_for(org_a, Role.ANALYST).post(_url(mine), {"revoke": share.pk})
    assert response.status_code == 404
    assert ObjectShare.objects.active().filter(pk=share.pk).exists()
