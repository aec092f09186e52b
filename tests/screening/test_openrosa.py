"""OpenRosa as ODK Collect and KoboCollect speak it: Digest authentication, form list, form
download, and a real multipart submission built from the XForm, landing as an interview with its
profile. Duplicates are accepted once; unknown or outdated forms and bad answers are refused."""

import hashlib
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from lindung.core.roles import Role
from lindung.screening import services
from lindung.screening.models import InstrumentVersion, Interview

from .conftest import ANSWERS

SECRET = "phone-secret-for-tests"
XF = "{http://www.w3.org/2002/xforms}"


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def digest(client, method, url, username, secret, **kwargs):
    """Do what a phone does: ask, read the challenge, answer it (qop=auth)."""
    first = getattr(client, method)(url, **kwargs)
    assert first.status_code == 401
    challenge = dict(re.findall(r'(\w+)="([^"]*)"', first["WWW-Authenticate"]))
    nc, cnonce = "00000001", uuid.uuid4().hex[:16]
    ha1 = md5(f"{username}:{challenge['realm']}:{secret}")
    ha2 = md5(f"{method.upper()}:{url}")
    response = md5(f"{ha1}:{challenge['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    header = (
        f'Digest username="{username}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
        f'uri="{url}", qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}", '
        f'opaque="{challenge["opaque"]}", algorithm=MD5'
    )
    if isinstance(kwargs.get("data"), dict) and hasattr(kwargs["data"].get("xml_submission_file"), "seek"):
        kwargs["data"]["xml_submission_file"].seek(0)
    return getattr(client, method)(url, HTTP_AUTHORIZATION=header, **kwargs)


@pytest.fixture
def phone_user(make_user, org_a, guide):
    user = make_user(org_a, Role.CASEWORKER, username="fieldworker")
    services.openrosa_secret_set(acting_user=user, secret=SECRET)
    return user


@pytest.mark.django_db
def test_no_credentials_wrong_credentials_and_right_ones(phone_user):
    client = Client()
    url = reverse("screening:openrosa_formlist")
    response = client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Digest ")
    assert 'qop="auth"' in response["WWW-Authenticate"]
    assert response["X-OpenRosa-Version"] == "1.0"
    assert digest(client, "get", url, "fieldworker", "wrong-secret-000").status_code == 401
    assert digest(client, "get", url, "nobody", SECRET).status_code == 401
    response = digest(client, "get", url, "fieldworker", SECRET)
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert "<formID>lindung_identification</formID>" in response.content.decode()


@pytest.mark.django_db
def test_sign_in_password_is_not_the_phone_secret(phone_user):
    from tests.conftest import TEST_PASSWORD

    assert (
        digest(
            Client(), "get", reverse("screening:openrosa_formlist"), "fieldworker", TEST_PASSWORD
        ).status_code
        == 401
    )


@pytest.mark.django_db
def test_a_signed_in_browser_session_is_not_enough(phone_user):
    client = Client()
    client.force_login(phone_user)
    assert client.get(reverse("screening:openrosa_formlist")).status_code == 401


@pytest.mark.django_db
def test_roles_without_screening_are_refused(make_user, org_a, guide):
    user = make_user(org_a, Role.CASEWORKER, Role.SERVICE_PROVIDER, username="provider1")
    services.openrosa_secret_set(acting_user=user, secret=SECRET)
    user.memberships.filter(role=Role.CASEWORKER).delete()
    response = digest(Client(), "get", reverse("screening:openrosa_formlist"), "provider1", SECRET)
    assert response.status_code == 403


@pytest.mark.django_db
def test_stale_nonce_is_answered_with_stale_true(phone_user, monkeypatch):
    from lindung.screening import openrosa

    url = reverse("screening:openrosa_formlist")
    old = openrosa.new_nonce(now=1_000_000)
    header = f'Digest username="fieldworker", realm="x", nonce="{old}", uri="{url}", response="00"'
    response = Client().get(url, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and 'stale="true"' in response["WWW-Authenticate"]


def _xform(client):
    url = reverse("screening:openrosa_form", args=["lindung_identification"])
    response = digest(client, "get", url, "fieldworker", SECRET)
    assert response.status_code == 200
    return response.content


def _submission_from_xform(xform: bytes, answers: dict, instance_id: str, version=None) -> bytes:
    """Fill the XForm's primary instance like ODK Collect does."""
    root = ET.fromstring(xform)
    data = root.find(f".//{XF}model/{XF}instance/*")
    ET.register_namespace("", "")
    instance = ET.Element(data.tag.replace(XF, ""), dict(data.attrib))
    if version:
        instance.set("version", version)
    for group in data:
        group_el = ET.SubElement(instance, group.tag.replace(XF, ""))
        for leaf in group:
            name = leaf.tag.replace(XF, "")
            leaf_el = ET.SubElement(group_el, name)
            if name == "instanceID":
                leaf_el.text = instance_id
            elif name in answers:
                value = answers[name]
                leaf_el.text = " ".join(value) if isinstance(value, list) else str(value)
    return ET.tostring(instance, xml_declaration=True, encoding="utf-8")


def _post(client, xml: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("submission.xml", xml, content_type="text/xml")
    return digest(
        client,
        "post",
        reverse("screening:openrosa_submission"),
        "fieldworker",
        SECRET,
        data={"xml_submission_file": upload},
    )


@pytest.mark.django_db
def test_real_submission_round_trips_into_a_profile_once(phone_user):
    client = Client()
    answers = {**ANSWERS, "violence_experienced": ["physical", "sexual"], "violence_ongoing": "yes"}
    xml = _submission_from_xform(_xform(client), answers, "uuid:2b7f1f0e-0000-4000-8000-000000000001")
    response = _post(client, xml)
    assert response.status_code == 201, response.content
    assert response["X-OpenRosa-Version"] == "1.0"
    assert b"OpenRosaResponse" in response.content
    interview = Interview.objects.get()
    assert interview.channel == "openrosa" and interview.status == "completed"
    assert interview.answers["violence_experienced"] == ["physical", "sexual"]
    profile = interview.profile
    assert {"presumed_victim_of_trafficking", "survivor_of_gbv", "migrant_with_health_needs"} <= set(
        profile.categories
    )
    assert profile.urgency == "immediate"
    # The phone sends it again (no answer reached it): accepted, not duplicated.
    again = _post(client, xml)
    assert again.status_code == 202
    assert Interview.objects.count() == 1


@pytest.mark.django_db
def test_head_on_submission_tells_the_size_limit(phone_user):
    response = digest(Client(), "head", reverse("screening:openrosa_submission"), "fieldworker", SECRET)
    assert response.status_code == 204
    assert int(response["X-OpenRosa-Accept-Content-Length"]) > 0


@pytest.mark.django_db
def test_outdated_unknown_and_bad_submissions_are_refused(phone_user):
    client = Client()
    xform = _xform(client)
    outdated = _post(client, _submission_from_xform(xform, ANSWERS, "uuid:old", version="2020.1"))
    assert outdated.status_code == 400 and "not in use" in outdated.content.decode()
    unknown = _post(
        client,
        _submission_from_xform(xform, ANSWERS, "uuid:unk").replace(
            b'id="lindung_identification"', b'id="some_other_form"'
        ),
    )
    assert unknown.status_code == 404 and "Unknown form" in unknown.content.decode()
    bad = _post(client, _submission_from_xform(xform, {**ANSWERS, "in_danger_now": "perhaps"}, "uuid:bad"))
    assert (
        bad.status_code == 400 and "in_danger_now: perhaps is not an allowed answer" in bad.content.decode()
    )
    broken = _post(client, b"<data id='lindung_identification'")
    assert broken.status_code == 400
    no_file = digest(
        client, "post", reverse("screening:openrosa_submission"), "fieldworker", SECRET, data={"other": "x"}
    )
    assert no_file.status_code == 400 and "xml_submission_file" in no_file.content.decode()
    assert Interview.objects.count() == 0


@pytest.mark.django_db
def test_retired_version_is_refused_after_a_new_one_is_published(phone_user):
    client = Client()
    xform = _xform(client)
    # A newer shipped guide arrives (as the loader would bring it): the phone's version is retired.
    guide = InstrumentVersion.objects.get()
    InstrumentVersion.objects.filter(pk=guide.pk).update(status="retired")
    InstrumentVersion.objects.create(
        instrument=guide.instrument,
        version="2027.1",
        status="published",
        definition={**guide.definition, "version": "2027.1"},
    )
    response = _post(client, _submission_from_xform(xform, ANSWERS, "uuid:late"))
    assert response.status_code == 400 and "current version: 2027.1" in response.content.decode()


@pytest.mark.django_db
def test_phone_secret_page(client_for, org_a, guide):
    client = client_for(org_a, Role.CASEWORKER)
    response = client.post(reverse("screening:phone_setup"), {"secret": "short"})
    assert response.status_code == 200 and "at least 12" in response.content.decode()
    response = client.post(reverse("screening:phone_setup"), {"secret": SECRET})
    assert response.status_code == 302
    assert client.user.openrosa_credential.ha1 == md5(f"{client.user.username}:Lindung OpenRosa:{SECRET}")


@pytest.mark.django_db
def test_repeated_wrong_secrets_lock_the_phone_sign_in_out(phone_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    url = reverse("screening:openrosa_formlist")
    for _attempt in range(3):
        assert digest(client, "get", url, "fieldworker", "guess-000000000").status_code == 401
    response = digest(client, "get", url, "fieldworker", SECRET)  # even the right secret now
    assert response.status_code == 403 and "Too many failed sign-ins" in response.content.decode()
    assert digest(client, "get", url, "other-user", "guess-000000000").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("stamp", ["²", "٣", "①", "99999999999999999999"])
def test_a_signed_nonce_whose_stamp_is_not_an_ascii_number_is_bad_not_a_crash(stamp):
    from lindung.screening import openrosa

    assert openrosa._nonce_state(f"{stamp}.{openrosa._sign(stamp)}") == "bad"


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["²", "①", "-1"])
def test_a_content_length_that_is_not_a_whole_number_is_refused(phone_user, length):
    url = reverse("screening:openrosa_submission")
    response = digest(
        Client(), "post", url, "fieldworker", SECRET, data="", content_type="text/xml", CONTENT_LENGTH=length
    )
    assert response.status_code == 400
