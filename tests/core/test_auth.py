"""Sign-in, lockout, second factor, session limits, CSRF, headers, tokens and bad input."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lindung.core import services
from lindung.core.audit_actions import AuditAction
from lindung.core.models import ApiToken, AuditEntry
from lindung.core.roles import Role
from tests.conftest import TEST_PASSWORD


def _login(client, username, password=TEST_PASSWORD):
    return client.post("/account/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_login_and_logout_are_audited(make_user, org_a):
    user = make_user(org_a, Role.CASEWORKER)
    client = Client()
    assert _login(client, user.username).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/account/logout/")
    actions = list(AuditEntry.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert AuditAction.LOGIN in actions and AuditAction.LOGOUT in actions
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited_without_the_password(make_user, org_a):
    user = make_user(org_a, Role.CASEWORKER)
    response = _login(Client(), user.username, "wrong-password-123")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.detail == {"username": user.username}
    assert "wrong-password" not in str(entry.detail)


@pytest.mark.django_db
def test_lockout_after_repeated_failures(make_user, org_a, settings):
    user = make_user(org_a, Role.CASEWORKER)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "wrong-password-123")
    response = _login(client, user.username)  # even the right password is refused now
    assert response.status_code == 429
    assert b"Account locked" in response.content
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT).exists()


@pytest.mark.django_db
def test_identity_roles_must_pass_totp(make_user, org_a, settings):
    settings.LINDUNG_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # production throttles retries; the test retries at once
    user = make_user(org_a, Role.CASEWORKER)
    client = Client()
    _login(client, user.username)
    response = client.get("/organisations/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    page = client.get("/account/two-factor/")
    assert b"<svg" in page.content  # enrolment shows a QR code
    device = TOTPDevice.objects.get(user=user)
    bad = client.post("/account/two-factor/", {"code": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert b"not valid" in bad.content
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    ok = client.post("/account/two-factor/", {"code": code})
    assert ok.status_code == 302
    assert client.get("/organisations/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    actions = set(AuditEntry.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert {AuditAction.OTP_FAILED, AuditAction.OTP_DEVICE_ADDED, AuditAction.OTP_VERIFIED} <= actions


@pytest.mark.django_db
def test_roles_without_identities_need_no_second_factor(make_user, org_a, settings):
    settings.LINDUNG_REQUIRE_2FA = True
    user = make_user(org_a, Role.RESEARCHER)
    client = Client()
    _login(client, user.username)
    assert client.get("/organisations/").status_code == 200


@pytest.mark.django_db
def test_unverified_session_cannot_use_the_api(make_user, org_a, settings):
    settings.LINDUNG_REQUIRE_2FA = True
    user = make_user(org_a, Role.CASEWORKER)
    client = Client()
    _login(client, user.username)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("gap_setting", ["SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT"])
def test_session_time_limits(client_for, org_a, settings, gap_setting):
    client = client_for(org_a, Role.CASEWORKER)
    assert client.get("/").status_code == 200
    session = client.session
    past = int(time.time()) - getattr(settings, gap_setting) - 5
    if gap_setting == "SESSION_IDLE_TIMEOUT":
        session["lindung_seen"] = past
    else:
        session["lindung_started"] = past
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert AuditEntry.objects.filter(action=AuditAction.SESSION_EXPIRED).exists()


@pytest.mark.django_db
def test_session_activity_is_written_once_a_minute(client_for, org_a, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return [q for q in queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")]

    client = client_for(org_a, Role.CASEWORKER)
    assert client.get("/").status_code == 200
    assert session_writes() == []  # the same minute: nothing written
    session = client.session
    session["lindung_seen"] = int(time.time()) - settings.SESSION_SEEN_EVERY
    session.save()
    assert len(session_writes()) == 1
    assert client.session["lindung_seen"] >= int(time.time()) - 2


@pytest.mark.django_db
def test_tampered_session_cookie_is_anonymous(client_for, org_a, settings):
    client = client_for(org_a, Role.CASEWORKER)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    cookie.set(cookie.key, cookie.value[:-2] + "xx", cookie.value[:-2] + "xx")
    response = client.get("/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


@pytest.mark.django_db
def test_forged_csrf_is_refused_with_message_and_audited(make_user, org_a):
    user = make_user(org_a, Role.ADMINISTRATOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/organisations/new/", {"name": "X", "kind": "ngo", "country": "THA"})
    assert response.status_code == 403
    assert b"security check failed" in response.content
    assert AuditEntry.objects.filter(action=AuditAction.CSRF_REFUSED, actor_id=user.pk).exists()


def test_security_headers(client):
    response = client.get("/account/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_https_settings_turn_on_hsts_and_secure_cookies():
    import importlib
    import os

    from lindung import settings as project_settings

    os.environ["LINDUNG_HTTPS"] = "1"
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.SECURE_HSTS_SECONDS >= 31536000
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
    finally:
        del os.environ["LINDUNG_HTTPS"]
        importlib.reload(project_settings)


def test_unknown_language_is_a_clear_400(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 400
    assert b"Unknown language" in response.content


@pytest.mark.django_db
def test_french_home_page(client_for, org_a):
    client = client_for(org_a, Role.CASEWORKER)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="fr"' in page.content.decode()
    assert "Vos rôles" in page.content.decode()
    client.user.refresh_from_db()
    assert client.user.preferred_language == "fr"


# API tokens --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_is_stored_hashed_and_authenticates(make_user, org_a):
    user = make_user(org_a, Role.CASEWORKER)
    token, secret = services.api_token_create(acting_user=user, name="script")
    assert secret not in ApiToken.objects.values_list("key_hash", flat=True)
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["username"] == user.username


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["expired", "revoked", "unknown", "malformed"])
def test_bad_tokens_are_401_with_message_and_audited(make_user, org_a, state):
    user = make_user(org_a, Role.CASEWORKER)
    token, secret = services.api_token_create(acting_user=user, name="script")
    header = f"Bearer {secret}"
    if state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "revoked":
        services.api_token_revoke(acting_user=user, token=token)
    elif state == "unknown":
        header = "Bearer lnd_not-a-real-token"
    else:
        header = "Bearer two parts"
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]
    if state != "malformed":
        assert AuditEntry.objects.filter(action=AuditAction.TOKEN_REFUSED).exists()


@pytest.mark.django_db
def test_token_api_create_list_revoke(client_for, org_a):
    client = client_for(org_a, Role.ANALYST)
    created = client.post("/api/v1/tokens/", {"name": "sync", "days": 7}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("lnd_")
    listed = client.get("/api/v1/tokens/").json()
    assert listed["count"] == 1 and listed["results"][0]["secret"] is None
    assert client.delete(f"/api/v1/tokens/{body['id']}/").status_code == 204
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {body['secret']}").status_code == 401


@pytest.mark.django_db
def test_malformed_json_is_a_400_with_message(client_for, org_a):
    client = client_for(org_a, Role.ANALYST)
    response = client.post("/api/v1/tokens/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "Malformed" in response.json()["detail"]


@pytest.mark.django_db
def test_token_days_out_of_range(client_for, org_a):
    client = client_for(org_a, Role.ANALYST)
    response = client.post("/api/v1/tokens/", {"name": "x", "days": 4000}, content_type="application/json")
    assert response.status_code == 400
    assert "days" in response.json()


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
