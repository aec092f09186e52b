"""Issue 13, findings 1 and 2: the second factor cannot be bypassed through API tokens or any
/account/ page; passwords are validated wherever they are set, can be changed by their owner and
reset by an administrator (which forces a change); password spraying from one address is slowed.
"""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lindung.core import demo, services
from lindung.core.actors import SYSTEM
from lindung.core.assurance import SecondFactorRequired
from lindung.core.audit_actions import AuditAction
from lindung.core.models import ApiToken, AuditEntry, User
from lindung.core.roles import Role
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a-much-longer-passphrase-2026"


def _login(client, username, password=TEST_PASSWORD):
    return client.post("/account/login/", {"username": username, "password": password})


def _pass_second_factor(client, user):
    client.get("/account/two-factor/")  # enrols a device
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/account/two-factor/", {"code": code}).status_code == 302


@pytest.fixture
def require_2fa(settings):
    settings.LINDUNG_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _password_token(user):
    """A token as every token was before second-factor assurance existed."""
    return services.api_token_create(
        acting_user=user, name="old", assurance_level=ApiToken.Assurance.PASSWORD
    )


# Finding 1: second factor and tokens --------------------------------------------------------


@pytest.mark.django_db
def test_password_only_session_cannot_open_or_post_the_token_page(make_user, org_a, require_2fa):
    user = make_user(org_a, Role.CASEWORKER)
    client = Client()
    _login(client, user.username)
    page = client.get("/account/tokens/")
    assert page.status_code == 302 and page["Location"].startswith("/account/two-factor/")
    posted = client.post("/account/tokens/", {"name": "bypass", "days": 7})
    assert posted.status_code == 302 and posted["Location"].startswith("/account/two-factor/")
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_token_service_refuses_without_second_factor(make_user, org_a, require_2fa):
    user = make_user(org_a, Role.CASEWORKER)
    with pytest.raises(SecondFactorRequired):
        _password_token(user)
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_token_made_after_the_second_factor_records_it_and_reads_persons(make_user, org_a, require_2fa):
    user = make_user(org_a, Role.CASEWORKER)
    client = Client()
    _login(client, user.username)
    _pass_second_factor(client, user)
    assert client.post("/account/tokens/", {"name": "script", "days": 7}).status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.assurance == ApiToken.Assurance.SECOND_FACTOR
    assert client.get("/account/tokens/").context["secret"] is None  # shown once, not again
    # The API, with the verified session, creates a token of the same assurance.
    created = client.post("/api/v1/tokens/", {"name": "api", "days": 7}, content_type="application/json")
    assert created.status_code == 201
    response = Client().get("/api/v1/persons/", HTTP_AUTHORIZATION=f"Bearer {created.json()['secret']}")
    assert response.status_code == 200
    assert ApiToken.objects.get(name="api").assurance == ApiToken.Assurance.SECOND_FACTOR


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/persons/", "/api/v1/tokens/"])
def test_password_level_token_is_refused_where_a_second_factor_is_required(make_user, org_a, settings, path):
    user = make_user(org_a, Role.CASEWORKER)
    _token, secret = _password_token(user)  # made while the site did not require the second factor
    assert Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    settings.LINDUNG_REQUIRE_2FA = True
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    refusal = AuditEntry.objects.filter(action=AuditAction.TOKEN_REFUSED, actor_id=user.pk).get()
    assert refusal.detail == {"reason": "second_factor_required"}


@pytest.mark.django_db
def test_password_level_token_cannot_mint_a_stronger_one(make_user, org_a, require_2fa):
    user = make_user(org_a, Role.RESEARCHER)  # needs no second factor: its token works
    _token, secret = _password_token(user)
    created = Client().post(
        "/api/v1/tokens/",
        {"name": "copy"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert created.status_code == 201
    assert ApiToken.objects.get(name="copy").assurance == ApiToken.Assurance.PASSWORD


@pytest.mark.django_db
def test_roles_without_identities_keep_their_password_tokens(make_user, org_a, require_2fa):
    user = make_user(org_a, Role.ANALYST)
    _token, secret = _password_token(user)
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("require", [True, False])
def test_migration_revokes_older_tokens_of_users_who_must_use_the_second_factor(
    make_user, org_a, settings, require
):
    caseworker = make_user(org_a, Role.CASEWORKER)
    coordinator = make_user(org_a, Role.ENGAGEMENT_COORDINATOR)
    analyst = make_user(org_a, Role.ANALYST)
    tokens = {u.username: _password_token(u)[0] for u in (caseworker, coordinator, analyst)}
    already = _password_token(caseworker)[0]
    ApiToken.objects.filter(pk=already.pk).update(revoked_at=timezone.now() - timedelta(days=3))
    settings.LINDUNG_REQUIRE_2FA = require
    migration = import_module("lindung.core.migrations.0007_revoke_tokens_without_second_factor")
    migration.revoke_password_tokens(global_apps, None)
    revoked = {name: ApiToken.objects.get(pk=t.pk).revoked_at is not None for name, t in tokens.items()}
    assert revoked == {caseworker.username: require, coordinator.username: require, analyst.username: False}
    assert ApiToken.objects.get(pk=already.pk).revoked_at < timezone.now() - timedelta(days=2)


@pytest.mark.django_db
def test_account_pages_before_the_second_factor(make_user, org_a, require_2fa):
    user = make_user(org_a, Role.CASEWORKER)
    client = Client()
    _login(client, user.username)
    assert client.get("/account/two-factor/").status_code == 200
    for path in ("/account/tokens/", "/account/password/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/"), path
    assert client.post("/account/logout/").status_code == 302
    assert client.get("/account/two-factor/").status_code == 302  # signed out: to the sign-in page


# Finding 2: passwords ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("1234567890", "password_entirely_numeric"),
        ("password123", "password_too_common"),
        ("aaaaaaaaaa", "password_too_short"),
        ("eleven-char", "password_too_short"),
        ("newcomer-example", "password_too_similar"),
    ],
)
def test_administrator_created_users_get_the_password_validators(make_user, org_a, password, code):
    admin = make_user(org_a, Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as refused:
        services.user_create(
            acting_user=admin,
            organisation=org_a,
            username="newcomer",
            password=password,
            role=Role.CASEWORKER,
            email="newcomer@example.org",
        )
    assert code in [e.code for e in refused.value.error_dict["password"]]
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.django_db
def test_user_create_page_refuses_a_weak_password(client_for, org_a):
    client = client_for(org_a, Role.ADMINISTRATOR)
    response = client.post(
        f"/organisations/{org_a.pk}/users/new/",
        {"username": "newcomer", "role": Role.CASEWORKER, "password": "password123"},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("password", "password_too_common")
    assert not User.objects.filter(username="newcomer").exists()


def test_settings_ask_for_twelve_characters_at_least():
    with pytest.raises(ValidationError) as refused:
        validate_password("x7#kq9!mz2@")  # 11 characters, not common, not numeric
    assert [e.code for e in refused.value.error_list] == ["password_too_short"]
    validate_password("x7#kq9!mz2@w")


@pytest.mark.django_db
def test_demo_password_passes_the_validators():
    for username, first_name, _org, _roles in demo.USERS:
        validate_password(demo.DEMO_PASSWORD, user=User(username=username, first_name=first_name))


@pytest.mark.django_db
def test_change_own_password(make_user, org_a):
    user = make_user(org_a, Role.CASEWORKER)
    client = Client()
    _login(client, user.username)
    assert client.get("/account/password/").status_code == 200
    wrong_old = client.post(
        "/account/password/",
        {"old_password": "not-my-password-1", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong_old.context["form"].has_error("old_password", "password_incorrect")
    weak = client.post(
        "/account/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert weak.context["form"].has_error("new_password2", "password_too_common")
    ok = client.post(
        "/account/password/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # still signed in
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    actions = list(AuditEntry.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert actions.count(AuditAction.PASSWORD_CHANGE_FAILED) == 1
    assert actions.count(AuditAction.PASSWORD_CHANGED) == 1


@pytest.mark.django_db
def test_administrator_reset_forces_a_change_at_next_sign_in(make_user, org_a):
    admin = make_user(org_a, Role.ADMINISTRATOR)
    user = make_user(org_a, Role.RESEARCHER)
    _token, secret = services.api_token_create(acting_user=user, name="script")
    admin_client = Client()
    admin_client.force_login(admin)
    url = f"/organisations/{org_a.pk}/users/{user.pk}/password/"
    assert url in admin_client.get(f"/organisations/{org_a.pk}/").content.decode()
    assert admin_client.get(url).status_code == 200
    weak = admin_client.post(url, {"new_password1": "1234567890", "new_password2": "1234567890"})
    assert weak.status_code == 200
    temporary = "temporary-passphrase-77"
    done = admin_client.post(url, {"new_password1": temporary, "new_password2": temporary})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(temporary)
    assert AuditEntry.objects.filter(
        action=AuditAction.PASSWORD_RESET, actor_id=admin.pk, object_id=str(user.pk)
    )

    client = Client()
    assert _login(client, user.username, temporary).status_code == 302
    for path in ("/", "/organisations/", "/account/tokens/", f"/organisations/{org_a.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/account/password/"), path
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    by_token = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert by_token.status_code == 403 and by_token.json()["code"] == "password_change_required"
    kept = client.post(
        "/account/password/",
        {"old_password": temporary, "new_password1": temporary, "new_password2": temporary},
    )
    assert kept.context["form"].has_error("__all__", "password_unchanged")
    changed = client.post(
        "/account/password/",
        {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert client.get("/organisations/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password


@pytest.mark.django_db
def test_reset_is_refused_for_users_an_administrator_does_not_fully_manage(make_user, org_a, org_b):
    admin = make_user(org_a, Role.ADMINISTRATOR)
    foreign = make_user(org_b, Role.CASEWORKER)
    shared = make_user(org_a, Role.RESEARCHER)
    # The shared user also works for org B, which the administrator does not manage.
    services.membership_grant(acting_user=SYSTEM, user=shared, organisation=org_b, role=Role.CASEWORKER)
    client = Client()
    client.force_login(admin)
    body = {"new_password1": "temporary-passphrase-77", "new_password2": "temporary-passphrase-77"}
    assert client.post(f"/organisations/{org_a.pk}/users/{foreign.pk}/password/", body).status_code == 404
    assert client.post(f"/organisations/{org_a.pk}/users/{shared.pk}/password/", body).status_code == 403
    assert client.post(f"/organisations/{org_b.pk}/users/{foreign.pk}/password/", body).status_code == 403
    for user in (foreign, shared):
        user.refresh_from_db()
        assert user.check_password(TEST_PASSWORD) and not user.must_change_password


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_throttled(make_user, org_a, settings):
    settings.LINDUNG_ADDRESS_FAILURE_LIMIT = 10
    victim = make_user(org_a, Role.CASEWORKER)
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [_login(sprayer, f"guess{n}", "Summer2026!spray").status_code for n in range(30)]
    assert statuses[:10] == [200] * 10  # the sign-in form again, with its error
    assert set(statuses[10:]) == {429}
    # Even the right password is refused from that address while the window lasts...
    assert _login(sprayer, victim.username).status_code == 429
    # ...but not from another one.
    assert _login(Client(REMOTE_ADDR="198.51.100.7"), victim.username).status_code == 302
    throttled = AuditEntry.objects.filter(action=AuditAction.LOGIN_THROTTLED)
    assert throttled.count() == 21
    assert set(throttled.values_list("detail__reason", flat=True)) == {"address_failures"}


@pytest.mark.django_db
def test_address_throttle_window_passes(make_user, org_a, settings):
    from lindung.core.models import SignInFailure

    settings.LINDUNG_ADDRESS_FAILURE_LIMIT = 3
    victim = make_user(org_a, Role.CASEWORKER)
    client = Client(REMOTE_ADDR="203.0.113.10")
    for n in range(3):
        _login(client, f"guess{n}", "wrong-password-123")
    assert _login(client, victim.username).status_code == 429
    SignInFailure.objects.update(
        at=timezone.now() - timedelta(seconds=settings.LINDUNG_ADDRESS_FAILURE_WINDOW + 1)
    )
    assert _login(client, victim.username).status_code == 302
