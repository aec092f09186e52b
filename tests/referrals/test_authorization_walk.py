"""The shared route walker, run over the screening and referrals routes only, on a world made of
the core, cases, screening and referrals demos (so that this app's suite does not depend on the
state of unrelated apps). tests/test_authorization.py runs the same checks over every app."""

import pytest
from django.test import Client

from lindung.core import demo as core_demo
from lindung.core import policy
from lindung.core.models import Membership, Organisation, User
from lindung.core.roles import Role
from tests.test_authorization import (
    HOME_ORG,
    _declared_models,
    _dummy,
    _examples,
    _fill,
    _foreign_objects,
    _is_public,
    _refused_anonymously,
    all_routes,
)

NAMES = ("screening:", "referrals:")
API_PATTERNS = ("api/v1/^screening/", "api/v1/^referrals/", "api/v1/screening/", "api/v1/referrals/")


def _mine(route):
    return route.name.startswith(NAMES) or route.pattern.startswith(API_PATTERNS)


@pytest.fixture
def world(db):
    from lindung.cases import demo as cases_demo
    from lindung.referrals import demo as referrals_demo
    from lindung.screening import demo as screening_demo

    ctx = {}
    for module in (core_demo, cases_demo, screening_demo, referrals_demo):
        module.load(ctx)
    walker = User.objects.create_user(username="walker", password="walker-password-1")
    for role in Role:
        Membership.objects.create(
            user=walker, organisation=Organisation.objects.get(name=HOME_ORG), role=role
        )
    client = Client()
    client.force_login(walker)
    return walker, client


@pytest.mark.django_db
def test_my_routes_refuse_anonymous_requests(world):
    client = Client()
    failures, checked = [], 0
    for route in all_routes():
        if not _mine(route) or _is_public(route):
            continue
        examples = _examples(route.callback)
        path = _fill(route.pattern, {k: examples.get(k, _dummy(k, route.pattern)) for k in route.kwargs})
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        checked += 1
        if not _refused_anonymously(response, path):
            failures.append(f"{route.name} {path} -> {response.status_code}")
    assert checked > 25
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_my_routes_refuse_foreign_objects(world):
    walker, client = world
    failures, unfillable, tested = [], [], 0
    for route in all_routes():
        if not _mine(route) or _is_public(route) or not route.kwargs:
            continue
        models = _declared_models(route.callback)
        examples = _examples(route.callback)
        missing = [k for k in route.kwargs if k not in models and k not in examples]
        if missing:
            unfillable.append(f"{route.name}: {missing}")
            continue
        object_kwargs = [k for k in route.kwargs if k in models]
        if not object_kwargs:
            continue
        foreign = _foreign_objects(walker, models[object_kwargs[0]])
        rule = policy.rule_for(models[object_kwargs[0]])
        if not foreign:
            assert rule is not None and rule.public, f"{route.name}: no foreign object in the demo"
            continue
        for obj in foreign:
            values = {**examples, object_kwargs[0]: obj.pk}
            path = _fill(route.pattern, values)
            for method in ("get", "post"):
                tested += 1
                response = getattr(client, method)(path)
                if response.status_code not in (403, 404, 405):
                    failures.append(f"{method.upper()} {route.name} {path} -> {response.status_code}")
    assert not unfillable, "\n".join(unfillable)
    assert tested >= 20
    assert not failures, "\n".join(failures)
