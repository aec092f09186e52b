"""A captured Digest answer cannot be played again (issue 13, finding 11): the nonce count must
grow for each nonce, nonces expire, and a replay is refused with 401 and audited. The phone
secret goes through the password validators (finding 2)."""

import re
import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from lindung.core.audit_actions import AuditAction
from lindung.core.models import AuditEntry
from lindung.core.roles import Role
from lindung.screening import openrosa

from .test_openrosa import SECRET, md5, phone_user  # noqa: F401 - phone_user is a fixture

URL = "/screening/openrosa/formList"


def _challenge(client, url):
    first = client.get(url)
    assert first.status_code == 401
    return dict(re.findall(r'(\w+)="([^"]*)"', first["WWW-Authenticate"]))


def _answer(challenge, url, nc, username="fieldworker", secret=SECRET, qop=True):
    ha1 = md5(f"{username}:{challenge['realm']}:{secret}")
    ha2 = md5(f"GET:{url}")
    cnonce = uuid.uuid4().hex[:16]
    if not qop:
        response = md5(f"{ha1}:{challenge['nonce']}:{ha2}")
        return (
            f'Digest username="{username}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
            f'uri="{url}", response="{response}"'
        )
    response = md5(f"{ha1}:{challenge['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{username}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
        f'uri="{url}", qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}", algorithm=MD5'
    )


@pytest.fixture
def url(phone_user):  # noqa: F811 - the fixture imported above
    assert reverse("screening:openrosa_formlist") == URL
    return URL


@pytest.mark.django_db
def test_the_same_header_is_accepted_once(url):
    client = Client()
    header = _answer(_challenge(client, url), url, "00000001")
    assert client.get(url, HTTP_AUTHORIZATION=header).status_code == 200
    replay = Client().get(url, HTTP_AUTHORIZATION=header)
    assert replay.status_code == 401
    assert replay["WWW-Authenticate"].startswith("Digest ")
    entry = AuditEntry.objects.get(action=AuditAction.DIGEST_REPLAY_REFUSED)
    assert entry.detail == {"channel": "openrosa", "username": "fieldworker"}


@pytest.mark.django_db
def test_nonce_count_must_grow(url):
    client = Client()
    challenge = _challenge(client, url)
    assert client.get(url, HTTP_AUTHORIZATION=_answer(challenge, url, "00000001")).status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=_answer(challenge, url, "00000002")).status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=_answer(challenge, url, "0000000a")).status_code == 200
    for stale_count in ("0000000a", "00000003", "00000000", "zz", ""):
        assert client.get(url, HTTP_AUTHORIZATION=_answer(challenge, url, stale_count)).status_code == 401
    assert AuditEntry.objects.filter(action=AuditAction.DIGEST_REPLAY_REFUSED).count() == 5


@pytest.mark.django_db
def test_without_qop_a_nonce_serves_once(url):
    client = Client()
    header = _answer(_challenge(client, url), url, None, qop=False)
    assert client.get(url, HTTP_AUTHORIZATION=header).status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=header).status_code == 401


@pytest.mark.django_db
def test_a_wrong_answer_does_not_spend_the_nonce(url):
    client = Client()
    challenge = _challenge(client, url)
    wrong = _answer(challenge, url, "00000005", secret="not-the-phone-secret")
    assert client.get(url, HTTP_AUTHORIZATION=wrong).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=_answer(challenge, url, "00000001")).status_code == 200


@pytest.mark.django_db
def test_expired_nonces_are_stale_and_forgotten(url, monkeypatch):
    from lindung.screening.models import DigestNonce

    client = Client()
    challenge = _challenge(client, url)
    assert client.get(url, HTTP_AUTHORIZATION=_answer(challenge, url, "00000001")).status_code == 200
    later = time.time() + openrosa.NONCE_SECONDS + 1
    monkeypatch.setattr(openrosa.time, "time", lambda: later)
    expired = client.get(url, HTTP_AUTHORIZATION=_answer(challenge, url, "00000002"))
    assert expired.status_code == 401 and 'stale="true"' in expired["WWW-Authenticate"]
    fresh = _challenge(client, url)
    assert client.get(url, HTTP_AUTHORIZATION=_answer(fresh, url, "00000001")).status_code == 200
    assert list(DigestNonce.objects.values_list("nonce", flat=True)) == [fresh["nonce"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("secret", "code"),
    [("123456789012", "password_entirely_numeric"), ("fieldworker-1", "password_too_similar")],
)
def test_phone_secret_goes_through_the_password_validators(client_for, org_a, secret, code):
    from lindung.screening.models import OpenRosaCredential

    client = client_for(org_a, Role.CASEWORKER)
    client.user.username = "fieldworker"
    client.user.save(update_fields=["username"])
    response = client.post("/screening/phone/", {"secret": secret})
    assert response.status_code == 200
    assert response.context["form"].has_error("secret", code)
    assert not OpenRosaCredential.objects.exists()
