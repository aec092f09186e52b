"""Route-walking authorization suite: every URL pattern and API route, present and future.

1. An anonymous request to any route (but the public ones) is refused: a redirect to sign-in
   for pages, 401/403 for the API.
2. A user holding every role in one organisation cannot reach another organisation's objects
   through any route that takes an object id, nor see them in any list page or API list.

New routes are covered without new tests. A route whose URL kwargs the walker cannot fill fails
here with the instruction to declare them (see lindung.core.routes).
"""

import re
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lindung.core import policy
from lindung.core.models import Membership, Organisation, User
from lindung.core.roles import Role
from lindung.core.services import api_token_create

PUBLIC_ROUTES = {"core:login", "healthz", "api-schema", "set_language", "favicon"}
# Routes with their own authentication scheme (checked by their own tests).
OWN_AUTH_PREFIXES = ("taxii", "openrosa", "sharing:taxii", "referrals:openrosa", "screening:openrosa")
HOME_ORG = "Sheltering Hands Foundation"


@dataclass
class Route:
    name: str
    pattern: str
    callback: object
    kwargs: list


def _walk(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            full = prefix + str(entry.pattern)
            kwargs = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", full)
            names = [a or b for a, b in kwargs]
            if "format" in names or full.startswith("^static") or "static/" in full[:8]:
                continue
            name = f"{namespace}{entry.name}" if entry.name else full
            yield Route(name, full, entry.callback, names)


def all_routes():
    return list(_walk(get_resolver().url_patterns))


def _declared_models(callback) -> dict:
    models = dict(getattr(callback, "lindung_models", {}) or {})
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        model = getattr(view_class, "model", None)
        queryset = getattr(view_class, "queryset", None)
        model = model or (queryset.model if queryset is not None else None)
        if model is not None:
            kwarg = getattr(view_class, "lookup_url_kwarg", None) or getattr(view_class, "lookup_field", None)
            models.setdefault(kwarg or "pk", model)
            models.setdefault("pk", model)
    return models


def _examples(callback) -> dict:
    examples = dict(getattr(callback, "lindung_examples", {}) or {})
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        examples.update(getattr(view_class, "lindung_examples", {}) or {})
    return examples


def _fill(pattern: str, values: dict) -> str:
    def sub(match):
        key = match.group(1) or match.group(2)
        return str(values[key])

    path = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", sub, pattern)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + path.lstrip("/")


def _dummy(kwarg, pattern):
    """A value the URL pattern accepts for ``kwarg``, pointing at nothing in particular."""
    if re.search(rf"<uuid:{kwarg}>", pattern):
        return uuid.uuid4()
    if re.search(rf"<int:{kwarg}>", pattern):
        return 999999
    group = re.search(rf"\(\?P<{kwarg}>([^)]*)\)", pattern)
    if group:
        regex = group.group(1)
        for candidate in ("999999", "example", str(uuid.uuid4())):
            if re.fullmatch(regex, candidate):
                return candidate
        return regex.split("|")[0]
    return "example"


def _enumerated(kwarg, route) -> bool:
    """A kwarg whose pattern lists its few literal values (``(?P<fmt>csv|xlsx)``) names no object."""
    group = re.search(rf"\(\?P<{kwarg}>([^)]*)\)", route.pattern)
    return bool(group) and all(re.fullmatch(r"[\w-]+", part) for part in group.group(1).split("|"))


def _is_public(route):
    return route.name in PUBLIC_ROUTES or route.name.startswith(OWN_AUTH_PREFIXES)


@pytest.fixture
def world(demo_world):
    home = Organisation.objects.get(name=HOME_ORG)
    walker = User.objects.create_user(username="walker", password="walker-password-1")
    for role in Role:
        Membership.objects.create(user=walker, organisation=home, role=role)
    # Someone else's API token, so token routes have a foreign object to refuse.
    stranger = User.objects.create_user(username="stranger", password="stranger-password-1")
    api_token_create(acting_user=stranger, name="theirs")
    client = Client()
    client.force_login(walker)
    return walker, client


def _refused_anonymously(response, path):
    if path.startswith("/api/"):
        return response.status_code in (401, 403)
    return response.status_code in (302, 401, 403) and (
        response.status_code != 302 or "/account/login/" in response["Location"]
    )


@pytest.mark.django_db
def test_anonymous_requests_are_refused(world):
    client = Client()
    failures = []
    for route in all_routes():
        if _is_public(route):
            continue
        examples = _examples(route.callback)
        path = _fill(route.pattern, {k: examples.get(k, _dummy(k, route.pattern)) for k in route.kwargs})
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        if not _refused_anonymously(response, path):
            failures.append(f"{route.name} {path} -> {response.status_code}")
    assert not failures, "anonymous requests not refused:\n" + "\n".join(failures)


def _foreign_objects(user, model, limit=2):
    visible = policy.accessible(user, model._default_manager.all()).values("pk")
    return list(model._default_manager.exclude(pk__in=visible).order_by("pk")[:limit])


@pytest.mark.django_db
def test_objects_of_other_organisations_are_unreachable(world):
    walker, client = world
    failures, unfillable, untested = [], [], []
    for route in all_routes():
        if _is_public(route) or not route.kwargs:
            continue
        models = _declared_models(route.callback)
        examples = _examples(route.callback)
        object_kwargs = [k for k in route.kwargs if k in models]
        missing = [
            k for k in route.kwargs if k not in models and k not in examples and not _enumerated(k, route)
        ]
        if missing:
            unfillable.append(f"{route.name} ({route.pattern}): kwargs {missing}")
            continue
        if not object_kwargs:
            continue
        values = {**{k: _dummy(k, route.pattern) for k in route.kwargs if _enumerated(k, route)}, **examples}
        primary = "pk" if "pk" in object_kwargs else object_kwargs[0]
        foreign = {k: _foreign_objects(walker, models[k]) for k in object_kwargs}
        if not foreign[primary]:
            if not policy.rule_for(models[primary]) or not policy.rule_for(models[primary]).public:
                untested.append(f"{route.name}: no {models[primary].__name__} outside {HOME_ORG} in the demo")
            continue
        for obj in foreign[primary]:
            for k in object_kwargs:
                candidates = foreign[k] or [obj]
                values[k] = (
                    getattr(candidates[0], "public_id", None) if k == "public_id" else candidates[0].pk
                )
            values[primary] = getattr(obj, "public_id", obj.pk) if primary == "public_id" else obj.pk
            path = _fill(route.pattern, values)
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                if response.status_code not in (403, 404, 405):
                    failures.append(f"{method.upper()} {route.name} {path} -> {response.status_code}")
    assert not unfillable, "declare these kwargs (core.routes.object_view / route_examples):\n" + "\n".join(
        unfillable
    )
    assert not untested, "give the demo objects in a second organisation:\n" + "\n".join(untested)
    assert not failures, "foreign objects reachable:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_lists_show_no_foreign_objects(world):
    walker, client = world
    foreign_urls, foreign_ids = set(), {}
    for model in policy.registered_models():
        rule = policy.rule_for(model)
        if rule.public:
            continue
        objects = _foreign_objects(walker, model, limit=200)
        foreign_ids[model] = {str(o.pk) for o in objects}
        if hasattr(model, "get_absolute_url"):
            for obj in objects:
                try:
                    foreign_urls.add(obj.get_absolute_url())
                except Exception:  # noqa: BLE001 - an object without a page has nothing to leak here
                    continue
    failures = []
    for route in all_routes():
        if _is_public(route) or route.kwargs:
            continue
        path = _fill(route.pattern, {})
        response = client.get(path)
        if (
            response.status_code != 200
            or "html" not in response.get("Content-Type", "")
            and not path.startswith("/api/")
        ):
            continue
        if path.startswith("/api/") and "json" in response.get("Content-Type", ""):
            body = response.json()
            rows = body.get("results", body) if isinstance(body, dict) else body
            model = _declared_models(route.callback).get("pk")
            if model in foreign_ids and isinstance(rows, list):
                leaked = {str(r.get("id")) for r in rows if isinstance(r, dict)} & foreign_ids[model]
                if leaked:
                    failures.append(f"{route.name} lists foreign {model.__name__} ids {sorted(leaked)[:5]}")
        else:
            html = response.content.decode(errors="replace")
            leaked = [u for u in foreign_urls if f'href="{u}"' in html]
            if leaked:
                failures.append(f"{route.name} {path} links foreign objects {leaked[:5]}")
    assert not failures, "\n".join(failures)
