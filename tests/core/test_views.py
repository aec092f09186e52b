"""Core pages: who may use each, and what bad input gets."""

import pytest

from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry, Membership, Organisation, User
from lindung.core.roles import Role
from tests.roles import ALL_ROLES, assert_roles, others

pytestmark = pytest.mark.django_db


def test_home_and_directory_for_every_role(client_for, org_a):
    for url in ("/", "/organisations/", f"/organisations/{org_a.pk}/", "/account/tokens/"):
        assert_roles(client_for, org_a, url, allowed=ALL_ROLES, refused=[])


def test_audit_log_for_auditors_only(client_for, org_a):
    assert_roles(client_for, org_a, "/audit/", allowed=[Role.AUDITOR], refused=others(Role.AUDITOR))
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, purpose="audit review").exists()


def test_organisation_create_for_administrators_only(client_for, org_a):
    assert_roles(
        client_for,
        org_a,
        "/organisations/new/",
        allowed=[Role.ADMINISTRATOR],
        refused=others(Role.ADMINISTRATOR),
    )


def test_user_create_for_administrators_of_that_organisation(client_for, org_a, org_b):
    url = f"/organisations/{org_a.pk}/users/new/"
    assert_roles(client_for, org_a, url, allowed=[Role.ADMINISTRATOR], refused=others(Role.ADMINISTRATOR))
    assert_roles(client_for, org_b, url, allowed=[], refused=[Role.ADMINISTRATOR])


def test_administrator_creates_user_and_manages_roles(client_for, org_a):
    admin = client_for(org_a, Role.ADMINISTRATOR)
    response = admin.post(
        f"/organisations/{org_a.pk}/users/new/",
        {"username": "new.caseworker", "role": Role.CASEWORKER, "password": "a-long-enough-pass"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="new.caseworker")
    assert user.check_password("a-long-enough-pass")
    admin.post(f"/organisations/{org_a.pk}/users/{user.pk}/roles/", {"role": Role.SUPERVISOR})
    assert set(user.memberships.values_list("role", flat=True)) == {Role.CASEWORKER, Role.SUPERVISOR}
    membership = Membership.objects.get(user=user, role=Role.CASEWORKER)
    admin.post(f"/memberships/{membership.pk}/revoke/")
    assert set(user.memberships.values_list("role", flat=True)) == {Role.SUPERVISOR}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        AuditAction.USER_CREATED,
        AuditAction.MEMBERSHIP_GRANTED,
        AuditAction.MEMBERSHIP_REVOKED,
    } <= actions


def test_administrator_of_another_organisation_cannot_touch_roles(client_for, org_a, org_b, make_user):
    member = make_user(org_a, Role.CASEWORKER)
    membership = Membership.objects.get(user=member)
    outsider = client_for(org_b, Role.ADMINISTRATOR)
    assert outsider.post(f"/memberships/{membership.pk}/revoke/").status_code == 404
    assert (
        outsider.post(
            f"/organisations/{org_a.pk}/users/{member.pk}/roles/", {"role": "supervisor"}
        ).status_code
        == 403
    )
    assert Membership.objects.filter(user=member).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"username": "bad name!", "role": "caseworker", "password": "a-long-enough-pass"},
            "username",
            "Use letters",
        ),
        (
            {"username": "ok", "role": "king", "password": "a-long-enough-pass"},
            "role",
            "Select a valid choice",
        ),
        ({"username": "ok", "role": "caseworker", "password": "short"}, "password", "at least 12"),
    ],
)
def test_user_form_bad_input_names_the_field(client_for, org_a, data, field, message):
    admin = client_for(org_a, Role.ADMINISTRATOR)
    response = admin.post(f"/organisations/{org_a.pk}/users/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not User.objects.filter(username=data["username"]).exists()


def test_duplicate_username_and_organisation_are_refused(client_for, org_a, make_user):
    make_user(org_a, Role.CASEWORKER, username="taken")
    admin = client_for(org_a, Role.ADMINISTRATOR)
    response = admin.post(
        f"/organisations/{org_a.pk}/users/new/",
        {"username": "TAKEN", "role": "caseworker", "password": "a-long-enough-pass"},
    )
    assert "This username is taken." in response.content.decode()
    response = admin.post(
        "/organisations/new/", {"name": org_a.name.upper(), "kind": "ngo", "country": "THA"}
    )
    assert "exists already" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_audit_log_filters(client_for, org_a):
    auditor = client_for(org_a, Role.AUDITOR)
    admin = client_for(org_a, Role.ADMINISTRATOR)
    admin.post("/organisations/new/", {"name": "Partner", "kind": "ngo", "country": "IDN"})
    page = auditor.get("/audit/", {"action": "org.created"})
    rows = list(page.context["page"])
    assert rows and all(r.action == AuditAction.ORGANISATION_CREATED for r in rows)
    bad = auditor.get("/audit/", {"since": "not-a-date"})
    assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()


def test_audit_api_only_for_auditors(client_for, org_a):
    assert_roles(client_for, org_a, "/api/v1/audit/", allowed=[Role.AUDITOR], refused=[])
    body = client_for(org_a, Role.CASEWORKER).get("/api/v1/audit/").json()
    assert body["count"] == 0
