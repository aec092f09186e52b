"""The second-factor path, walked (issue 13, finding 1).

With ``LINDUNG_REQUIRE_2FA=1``, a user whose roles see identities and who signed in with the
password only must reach nothing but the pages that set up or check the second factor and sign
out: every /account/ page is walked with such a session, and every API route with such a session
and with a token made without the second factor. None may answer, and no answer may carry an
identity of the demo's persons. A token made after the second factor does read them (the control
that shows the canaries would be seen).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lindung.cases.models import Person
from lindung.core import policy
from lindung.core.models import ApiToken, Membership, Organisation, User
from lindung.core.roles import Role
from lindung.core.services import hash_token
from tests.test_authorization import (
    HOME_ORG,
    _declared_models,
    _dummy,
    _examples,
    _fill,
    _is_public,
    all_routes,
)

BEFORE_SECOND_FACTOR = {"core:login", "core:logout", "core:otp_verify"}


def _token(user, assurance):
    secret = f"lnd_walker-{assurance}"
    ApiToken.objects.create(
        user=user,
        name=assurance,
        key_hash=hash_token(secret),
        expires_at=timezone.now() + timedelta(days=1),
        assurance=assurance,
    )
    return secret


@pytest.fixture
def walker(demo_world, settings):
    settings.LINDUNG_REQUIRE_2FA = True
    home = Organisation.objects.get(name=HOME_ORG)
    user = User.objects.create_user(username="walker2fa", password="walker-password-2fa")
    for role in Role:
        Membership.objects.create(user=user, organisation=home, role=role)
    canaries = set()
    for person in Person.objects.filter(organisation=home):
        canaries |= {n for n in (person.given_name, person.family_name) if n and len(n) >= 4}
    assert canaries, "the demo has persons with names in the home organisation"
    return user, canaries


def _path_for(route, user):
    """The route's address, with objects the user may reach where it takes object ids."""
    models, examples = _declared_models(route.callback), _examples(route.callback)
    values = {}
    for kwarg in route.kwargs:
        obj = policy.accessible(user, models[kwarg]).first() if kwarg in models else None
        if obj is not None:
            values[kwarg] = getattr(obj, "public_id", obj.pk) if kwarg == "public_id" else obj.pk
        else:
            values[kwarg] = examples.get(kwarg, _dummy(kwarg, route.pattern))
    return _fill(route.pattern, values)


def _leaks(response, canaries):
    body = response.content.decode(errors="replace")
    return sorted(c for c in canaries if c in body)


@pytest.mark.django_db
def test_password_only_sign_in_reaches_no_account_page_and_no_api_route(walker):
    user, canaries = walker
    session = Client()
    session.force_login(user)  # the password only: no second factor
    tokens_before = ApiToken.objects.count()
    password_token = _token(user, ApiToken.Assurance.PASSWORD)
    failures, walked = [], 0
    for route in all_routes():
        if _is_public(route) or route.name in BEFORE_SECOND_FACTOR:
            continue
        path = _path_for(route, user)
        if path.startswith("/account/"):
            for method in ("get", "post"):
                response = getattr(session, method)(path)
                walked += 1
                if response.status_code != 302 or not response["Location"].startswith("/account/two-factor/"):
                    failures.append(f"{method.upper()} {route.name} {path} -> {response.status_code}")
        elif path.startswith("/api/"):
            for client, how in ((session, "session"), (Client(), "token")):
                extra = {"HTTP_AUTHORIZATION": f"Bearer {password_token}"} if how == "token" else {}
                response = client.get(path, **extra)
                if response.status_code == 405:
                    response = client.post(path, **extra)
                walked += 1
                if response.status_code not in (401, 403) or _leaks(response, canaries):
                    failures.append(f"{how} {route.name} {path} -> {response.status_code}")
    assert walked > 100, "the walk covered the account pages and the API"
    assert not failures, "reached without the second factor:\n" + "\n".join(failures)
    assert ApiToken.objects.count() == tokens_before + 1, "no token was created by the walk"


@pytest.mark.django_db
def test_the_canaries_are_seen_with_a_second_factor_token(walker):
    user, canaries = walker
    secret = _token(user, ApiToken.Assurance.SECOND_FACTOR)
    response = Client().get("/api/v1/persons/?limit=500", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert _leaks(response, canaries)
