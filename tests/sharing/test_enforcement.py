"""TLP 2.0 and distribution levels for the users of this node, through the policy's one door."""

import pytest

from lindung.core import policy
from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP, Distribution
from lindung.core.models import Organisation, SharingGroup
from lindung.core.roles import Role
from lindung.core.services import object_share, object_share_revoke
from lindung.maritime.models import Incident

from .factories import make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(org_a, org_b):
    org_c = Organisation.objects.create(name="Org C (test)", kind=Organisation.Kind.NGO, country="KEN")
    return org_a, org_b, org_c


def _sees(user, incident):
    in_queryset = policy.accessible(user, Incident.objects.all()).filter(pk=incident.pk).exists()
    by_object = policy.can(user, policy.VIEW, incident)
    assert in_queryset == by_object, "queryset and object checks must agree"
    return by_object


CASES = [
    # tlp, distribution, shared with (b by name | group of a+b), who sees: owner, b, c
    (TLP.CLEAR, Distribution.COMMUNITY, None, (True, True, True)),
    (TLP.GREEN, Distribution.CONNECTED, None, (True, True, True)),
    (TLP.GREEN, Distribution.ORGANISATION, None, (True, False, False)),
    (TLP.GREEN, Distribution.SHARING_GROUP, None, (True, True, False)),
    (TLP.AMBER, Distribution.COMMUNITY, None, (True, False, False)),
    (TLP.AMBER, Distribution.SHARING_GROUP, None, (True, True, False)),
    (TLP.AMBER, Distribution.ORGANISATION, "org", (True, True, False)),
    (TLP.AMBER, Distribution.ORGANISATION, "group", (True, True, False)),
    (TLP.AMBER_STRICT, Distribution.SHARING_GROUP, None, (True, False, False)),
    (TLP.AMBER_STRICT, Distribution.ORGANISATION, "group", (True, False, False)),
    (TLP.AMBER_STRICT, Distribution.ORGANISATION, "org", (True, True, False)),
    (TLP.RED, Distribution.COMMUNITY, "org", (True, False, False)),
    (TLP.RED, Distribution.SHARING_GROUP, "group", (True, False, False)),
]


@pytest.mark.parametrize("tlp,distribution,shared,expected", CASES)
def test_markings_decide_who_reads(orgs, make_user, tlp, distribution, shared, expected):
    a, b, c = orgs
    group = SharingGroup.objects.create(name="A and B (test)")
    group.organisations.set([a, b])
    incident = make_incident(
        a,
        tlp=tlp,
        distribution=distribution,
        group=group if distribution == Distribution.SHARING_GROUP else None,
    )
    if shared == "org":
        object_share(acting_user=SYSTEM, obj=incident, purpose="test", organisation=b)
    elif shared == "group":
        object_share(acting_user=SYSTEM, obj=incident, purpose="test", sharing_group=group)
    users = [make_user(org, Role.ANALYST) for org in (a, b, c)]
    assert tuple(_sees(u, incident) for u in users) == expected


def test_view_needs_the_incident_capability(orgs, make_user):
    a, b, _ = orgs
    incident = make_incident(a, tlp=TLP.CLEAR, distribution=Distribution.COMMUNITY)
    caseworker = make_user(b, Role.CASEWORKER)
    own_admin = make_user(a, Role.ADMINISTRATOR)
    assert not _sees(caseworker, incident)
    assert not _sees(own_admin, incident)


def test_only_the_owner_changes(orgs, make_user):
    a, b, _ = orgs
    incident = make_incident(a, tlp=TLP.CLEAR, distribution=Distribution.COMMUNITY)
    assert policy.can(make_user(a, Role.ANALYST), policy.CHANGE, incident)
    other = make_user(b, Role.ANALYST)
    assert not policy.can(other, policy.CHANGE, incident)
    assert not policy.accessible(other, Incident.objects.all(), policy.CHANGE).exists()


def test_revoked_share_stops_reading(orgs, make_user):
    a, b, _ = orgs
    incident = make_incident(a, tlp=TLP.AMBER_STRICT, distribution=Distribution.ORGANISATION)
    share = object_share(acting_user=SYSTEM, obj=incident, purpose="test", organisation=b)
    reader = make_user(b, Role.ANALYST)
    assert _sees(reader, incident)
    object_share_revoke(acting_user=make_user(a, Role.ANALYST), share=share)
    reader = type(reader).objects.get(pk=reader.pk)
    assert not _sees(reader, incident)


def test_anonymous_sees_nothing(orgs):
    from django.contrib.auth.models import AnonymousUser

    incident = make_incident(orgs[0], tlp=TLP.CLEAR, distribution=Distribution.COMMUNITY)
    assert not policy.can(AnonymousUser(), policy.VIEW, incident)
    assert not policy.accessible(AnonymousUser(), Incident.objects.all()).exists()
