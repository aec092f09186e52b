"""Cross-organisation canaries over every route, GET and POST (what the outside test did by hand).

Every free-text field of every object a user with every role in organisation A may not read (names,
notes, narratives, descriptions, ...) holds a unique canary string. That user then visits every URL
pattern and API route: GET with their own objects' ids and with the foreign ones, POST empty and
with every HTML form they are shown submitted with a foreign canary in its text inputs, and POST
the API routes with a canary in the usual search keys. No response may contain a canary, except
one the request itself carried (a search form shows back what was searched).
"""

import itertools
import re
from html.parser import HTMLParser

import pytest

from lindung.core import policy
from lindung.maritime.models import Incident

from .test_authorization import (
    _declared_models,
    _dummy,
    _enumerated,
    _examples,
    _fill,
    _foreign_objects,
    _is_public,
    all_routes,
    world,  # noqa: F401 - the fixture, used by name
)
from .test_exports import _route_paths
from .textfields import fill_text_fields, project_models

CANARY = re.compile(r"cnry\d{6}q")
CONTROL = "cnry999999q"
# Routes whose POST ends the walker's session or changes how they sign in: walked by GET only.
GET_ONLY = {"core:logout", "core:otp_verify", "core:membership_revoke"}
API_KEYS = ("q", "query", "name", "given_name", "family_name", "text", "search", "reference")


class _Forms(HTMLParser):
    """The POST forms of a page: (action, {name: value}, [names of text inputs])."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or "", {}, [])
            self.forms.append(self._current)
        elif self._current and tag in ("input", "textarea", "select") and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._current[1].setdefault(attrs["name"], attrs.get("value") or "")
            if tag == "textarea" or kind in ("text", "search"):
                self._current[2].append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@pytest.fixture
def canaries(world):  # noqa: F811 - the imported fixture
    walker, client = world
    numbers = itertools.count(1)
    values = {}

    def canary(obj, field):
        value = f"cnry{next(numbers):06d}q"
        values[value] = f"{obj._meta.label_lower}.{field.name} #{obj.pk}"
        return value

    for model in project_models():
        rule = policy.rule_for(model)
        if rule is None or rule.public:
            continue
        visible = policy.accessible(walker, model._default_manager.all()).values("pk")
        fill_text_fields(model._default_manager.exclude(pk__in=visible), canary)
    assert len(values) > 100, "the demo gives too few foreign objects to plant canaries in"
    # The control: a canary in the incidents the walker may read, which their pages must show, so
    # a walk that finds nothing has proved that it would have.
    assert fill_text_fields(policy.accessible(walker, Incident.objects.all()), lambda obj, field: CONTROL)
    return walker, client, values


def _leaks(response, planted, sent=()) -> list[str]:
    body = b"".join(response) if getattr(response, "streaming", False) else response.content
    found = set(CANARY.findall(body.decode("utf-8", errors="replace"))) - set(sent)
    return sorted(f"{c} ({planted[c]})" for c in found if c in planted)


def _foreign_paths(route, walker):
    """The route with the ids of objects of other organisations in its object kwargs."""
    models = _declared_models(route.callback)
    examples = _examples(route.callback)
    object_kwargs = [k for k in route.kwargs if k in models]
    if not object_kwargs:
        return []
    values = {k: examples.get(k, _dummy(k, route.pattern)) for k in route.kwargs if k not in models}
    values.update({k: _dummy(k, route.pattern) for k in route.kwargs if _enumerated(k, route)})
    paths = []
    for obj in _foreign_objects(walker, models[object_kwargs[0]], limit=2):
        filled = dict(values)
        for k in object_kwargs:
            other = obj if models[k] is type(obj) else (_foreign_objects(walker, models[k], 1) or [obj])[0]
            filled[k] = getattr(other, "public_id", other.pk) if k == "public_id" else other.pk
        paths.append(_fill(route.pattern, filled))
    return paths


@pytest.mark.django_db
def test_no_route_shows_another_organisations_text(canaries):
    walker, client, planted = canaries
    # A few canaries (foreign persons' and participants' names first) are what the forms search
    # for; a search shows its terms back, so these few are not looked for in the answers.
    names = [c for c, where in planted.items() if ".person." in where or ".participant." in where]
    probes = (names or sorted(planted))[:8]
    spent = set(probes)
    sent = itertools.cycle(probes)
    failures, pages, forms_sent = [], 0, 0

    def send():
        return next(sent)

    control_seen = []

    def check(method, path, response):
        leaks = _leaks(response, planted, spent)
        control_seen.append(CONTROL.encode() in response.content if not response.streaming else False)
        if leaks:
            failures.append(f"{method} {path} -> {response.status_code}: {leaks[:3]}")

    for route in all_routes():
        if _is_public(route):
            continue
        own = _route_paths(route, walker) if route.kwargs else [_fill(route.pattern, {})]
        for path in [*own, *_foreign_paths(route, walker)]:
            response = client.get(path)
            check("GET", path, response)
            pages += response.status_code == 200
            if route.name in GET_ONLY:
                continue
            check("POST", path, client.post(path))
            if path.startswith("/api/"):
                body = dict.fromkeys(API_KEYS, send())
                check("POST", path, client.post(path, body, content_type="application/json"))
            elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
                parser = _Forms()
                parser.feed(response.content.decode("utf-8", errors="replace"))
                for action, data, text_inputs in parser.forms:
                    if not text_inputs or action.rstrip("/").endswith(("logout", "language", "i18n/setlang")):
                        continue
                    target = action or path
                    check("POST", target, client.post(target, {**data, **dict.fromkeys(text_inputs, send())}))
                    forms_sent += 1
            client.force_login(walker)  # a POST may have ended the session; keep walking signed in
    assert not failures, "canaries of another organisation in responses:\n" + "\n".join(failures)
    assert any(control_seen), "the walker's own canary never showed: the walk cannot see what it looks for"
    assert pages > 100 and forms_sent > 20, f"the walk reached only {pages} pages and {forms_sent} forms"
