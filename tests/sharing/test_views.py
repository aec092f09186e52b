"""Sharing pages: who may use them (MANAGE_SHARING only) and what each form refuses."""

import pytest
from django.db import connection

from lindung.core.markings import TLP
from lindung.core.models import AuditEntry, SharingGroup
from lindung.core.roles import Role
from lindung.sharing.models import ExchangeLog, Peer, SharingAgreement
from lindung.sharing.services import exchange_record
from tests.roles import assert_roles

from .factories import make_agreement, make_peer

pytestmark = pytest.mark.django_db
MANAGERS = [Role.ADMINISTRATOR]
OTHERS = [Role.ANALYST, Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR, Role.DATA_MANAGER, Role.RESEARCHER]


@pytest.mark.parametrize(
    "url",
    ["/sharing/", "/sharing/groups/", "/sharing/groups/new/", "/sharing/peers/", "/sharing/peers/new/",
     "/sharing/agreements/", "/sharing/agreements/new/", "/sharing/exchanges/"],
)  # fmt: skip
def test_pages_are_for_sharing_managers(client_for, org_a, url):
    assert_roles(client_for, org_a, url, allowed=MANAGERS, refused=OTHERS)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/sharing/agreements/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_object_pages_stay_in_their_organisation(client_for, org_a, org_b):
    peer = make_peer(org_a, partners=[org_b])
    agreement = make_agreement(org_a, peer, [org_b])
    mine = client_for(org_a, Role.ADMINISTRATOR)
    other = client_for(org_b, Role.ADMINISTRATOR)
    for url in (f"/sharing/peers/{peer.pk}/", f"/sharing/agreements/{agreement.pk}/"):
        assert mine.get(url).status_code == 200
        assert other.get(url).status_code == 404
    assert other.post(f"/sharing/agreements/{agreement.pk}/revoke/").status_code == 404
    assert SharingAgreement.objects.get().revoked_at is None


def test_create_peer_shows_the_secret_once_and_stores_its_hash(client_for, org_a, org_b):
    client = client_for(org_a, Role.ADMINISTRATOR)
    response = client.post("/sharing/peers/new/", {
        "name": "node-x", "api_root_url": "https://node-x.example.org/sharing/taxii2/api/",
        "organisation": org_a.pk, "organisations": [org_b.pk], "outgoing_username": "us",
        "outgoing_secret": "our-secret-at-node-x",
    })  # fmt: skip
    assert response.status_code == 200
    secret = response.context["secret"]
    peer = Peer.objects.get(name="node-x")
    assert secret not in peer.incoming_secret_hash and len(peer.incoming_secret_hash) == 64
    assert peer.outgoing_secret == "our-secret-at-node-x"
    with connection.cursor() as cursor:
        cursor.execute("SELECT outgoing_secret FROM sharing_peer WHERE id = %s", [peer.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("v1:") and "our-secret" not in raw
    assert AuditEntry.objects.filter(action="sharing.peer_created").exists()


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": "bad name!", "api_root_url": "https://x.example.org/"}, "name"),
        ({"name": "node-y", "api_root_url": "not a url"}, "api_root_url"),
    ],
)
def test_peer_form_errors(client_for, org_a, data, field):
    client = client_for(org_a, Role.ADMINISTRATOR)
    response = client.post("/sharing/peers/new/", {**data, "organisation": org_a.pk})
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Peer.objects.exists()


def test_rotating_the_peer_secret(client_for, org_a):
    peer = make_peer(org_a)
    old = peer.incoming_secret_hash
    client = client_for(org_a, Role.ADMINISTRATOR)
    response = client.post(
        f"/sharing/peers/{peer.pk}/", {"outgoing_username": "node-a", "rotate_incoming": "on"}
    )
    assert response.status_code == 200 and response.context["secret"]
    peer.refresh_from_db()
    assert peer.incoming_secret_hash != old


def _agreement_data(org_a, org_b, peer, **overrides):
    data = {
        "reference": "wio-new", "title": "New agreement", "purpose": "Testing", "organisation": org_a.pk,
        "peer": peer.pk, "partner_organisations": [org_b.pk], "categories": ["incident"],
        "fields": ["incident_type", "dead"], "tlp_ceiling": TLP.AMBER, "retention_days": 90,
    }  # fmt: skip
    data.update(overrides)
    return data


def test_create_and_revoke_an_agreement(client_for, org_a, org_b):
    peer = make_peer(org_a, partners=[org_b])
    client = client_for(org_a, Role.ADMINISTRATOR)
    response = client.post("/sharing/agreements/new/", _agreement_data(org_a, org_b, peer))
    agreement = SharingAgreement.objects.get()
    assert response.status_code == 302 and agreement.fields == ["dead", "incident_type"]
    assert agreement.in_force()
    response = client.post(f"/sharing/agreements/{agreement.pk}/revoke/")
    agreement.refresh_from_db()
    assert response.status_code == 302 and agreement.revoked_at is not None and not agreement.in_force()
    assert AuditEntry.objects.filter(action="sharing.agreement_revoked").exists()
    # Revoking twice is a clear message, not an error page.
    again = client.post(f"/sharing/agreements/{agreement.pk}/revoke/", follow=True)
    assert "already revoked" in again.content.decode()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"fields": ["incident_type", "vessel_name"]}, "fields"),
        ({"categories": ["incident"], "fields": []}, "fields"),
        ({"tlp_ceiling": TLP.RED}, "tlp_ceiling"),
        ({"retention_days": 0}, "retention_days"),
        ({"valid_from": "2026-05-01T00:00", "valid_until": "2026-04-01T00:00"}, "valid_until"),
        ({"partner_organisations": []}, "partner_organisations"),
        ({"reference": "Not a slug!"}, "reference"),
    ],
)
def test_agreement_form_errors(client_for, org_a, org_b, overrides, field):
    peer = make_peer(org_a, partners=[org_b])
    client = client_for(org_a, Role.ADMINISTRATOR)
    response = client.post("/sharing/agreements/new/", _agreement_data(org_a, org_b, peer, **overrides))
    assert response.status_code == 200 and field in response.context["form"].errors, response.context[
        "form"
    ].errors
    assert not SharingAgreement.objects.exists()


def test_agreement_with_another_organisations_peer_is_refused(client_for, org_a, org_b):
    peer = make_peer(org_b, partners=[org_a])
    client = client_for(org_a, Role.ADMINISTRATOR)
    response = client.post("/sharing/agreements/new/", _agreement_data(org_a, org_b, peer))
    assert response.status_code == 200 and "peer" in response.context["form"].errors
    assert not SharingAgreement.objects.exists()


def test_sharing_group_create_and_edit(client_for, org_a, org_b):
    peer = make_peer(org_a)
    client = client_for(org_a, Role.ADMINISTRATOR)
    data = {"name": "Test community", "organisations": [org_a.pk, org_b.pk], "peers": [peer.pk]}
    response = client.post("/sharing/groups/new/", data)
    group = SharingGroup.objects.get(name="Test community")
    assert response.status_code == 302 and set(group.peers.all()) == {peer}
    response = client.post(
        f"/sharing/groups/{group.pk}/", {"organisations": [org_a.pk], "description": "Smaller"}
    )
    assert response.status_code == 302 and list(group.organisations.all()) == [org_a]
    assert not group.peers.exists()
    missing = client.post("/sharing/groups/new/", {"name": "Empty"})
    assert "organisations" in missing.context["form"].errors


def test_group_of_other_organisations_cannot_be_edited(client_for, org_a, org_b):
    group = SharingGroup.objects.create(name="B only")
    group.organisations.set([org_b])
    client = client_for(org_a, Role.ADMINISTRATOR)
    assert client.post(f"/sharing/groups/{group.pk}/", {"organisations": [org_a.pk]}).status_code == 403
    assert list(group.organisations.all()) == [org_b]


def test_exchange_log_shows_own_and_node_wide_entries(client_for, org_a, org_b):
    peer_a, peer_b = make_peer(org_a, name="p-a"), make_peer(org_b, name="p-b")
    for peer in (peer_a, peer_b, None):
        exchange_record(direction="served", operation="objects", outcome="ok", peer=peer, object_count=3)
    response = client_for(org_a, Role.ADMINISTRATOR).get("/sharing/exchanges/")
    shown = list(response.context["exchanges"])
    assert {e.peer.name if e.peer else None for e in shown} == {"p-a", None}
    assert ExchangeLog.objects.count() == 3


def test_demo_creates_the_community_and_agreements(demo_world):
    group = SharingGroup.objects.get(name="Western Indian Ocean maritime community")
    orgs = demo_world["orgs"]
    assert set(group.organisations.all()) >= {orgs["rmifc"], orgs["sey_centre"]}
    assert group.peers.count() == 2
    assert SharingAgreement.objects.in_force().filter(reference="wio-2026-01").count() == 2
    from lindung.core import demo

    demo.run_all()  # idempotent
    assert SharingAgreement.objects.count() == 2 and Peer.objects.count() == 2
