"""TAXII 2.1 server: authentication, collections per agreement, objects, manifest, status, writes;
refusals are clear, audited on the exchange log, and import nothing."""

import base64
import copy
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lindung.core.actors import SYSTEM
from lindung.core.markings import TLP, Distribution
from lindung.core.models import AuditEntry
from lindung.core.services import object_share
from lindung.maritime.models import Incident
from lindung.sharing import exchange, receive, services, stix
from lindung.sharing.models import ExchangeLog, ImportedObject

from .factories import make_agreement, make_incident, make_peer, receive_objects

pytestmark = pytest.mark.django_db
TAXII = "application/taxii+json;version=2.1"
SECRET = "a-long-test-secret-for-peers"
ROOT = "/sharing/taxii2/api/"


def _auth(name="node-b", secret=SECRET):
    token = base64.b64encode(f"{name}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_ACCEPT": TAXII}


@pytest.fixture
def served(org_a, org_b):
    """Node A's side: org A shares with org B at peer node-b."""
    peer = make_peer(org_a, name="node-b", partners=[org_b])
    agreement = make_agreement(org_a, peer, [org_b])
    return {"peer": peer, "agreement": agreement, "url": f"{ROOT}collections/{agreement.collection_id}/"}


@pytest.fixture
def receiving(org_a, org_b):
    """Org B's side of the same agreement: node-a may write into B's collection."""
    peer = make_peer(org_b, name="node-a", partners=[org_a])
    agreement = make_agreement(org_b, peer, [org_a], reference="wio-in", peer_may_write=True)
    return {
        "peer": peer,
        "agreement": agreement,
        "url": f"{ROOT}collections/{agreement.collection_id}/objects/",
    }


def _last_log():
    return ExchangeLog.objects.order_by("-id").first()


def test_no_or_wrong_credentials_are_refused_and_logged(client, served):
    response = client.get("/sharing/taxii2/", HTTP_ACCEPT=TAXII)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")
    assert response["Content-Type"] == TAXII
    assert "HTTP Basic" in response.json()["description"]
    response = client.get("/sharing/taxii2/", **_auth(secret="wrong-secret-guess"))
    assert response.status_code == 401
    assert response.json()["description"] == "Unknown peer or wrong secret."
    log = _last_log()
    assert log.outcome == ExchangeLog.Outcome.REFUSED and log.http_status == 401
    assert AuditEntry.objects.filter(action="sharing.exchange_refused").count() == 2


def test_a_signed_in_user_is_not_a_peer(client_for, org_a, served):
    from lindung.core.roles import Role

    client = client_for(org_a, Role.ADMINISTRATOR)
    assert client.get("/sharing/taxii2/api/collections/", HTTP_ACCEPT=TAXII).status_code == 401


def test_discovery_root_and_collections(client, served):
    discovery = client.get("/sharing/taxii2/", **_auth())
    assert discovery.status_code == 200 and discovery["Content-Type"] == TAXII
    assert discovery.json()["api_roots"] == ["http://testserver/sharing/taxii2/api/"]
    root = client.get(ROOT, **_auth()).json()
    assert root["versions"] == [TAXII]
    collections = client.get(f"{ROOT}collections/", **_auth()).json()["collections"]
    assert [c["id"] for c in collections] == [str(served["agreement"].collection_id)]
    assert collections[0]["can_write"] is False
    assert client.get(served["url"], **_auth()).json()["title"] == "Test agreement"
    assert _last_log().direction == ExchangeLog.Direction.SERVED


def test_wrong_accept_is_406(client, served):
    headers = {**_auth(), "HTTP_ACCEPT": "text/html"}
    assert client.get("/sharing/taxii2/", **headers).status_code == 406


def test_objects_pages_filters_and_manifest(client, org_a, served):
    incidents = [make_incident(org_a, tlp=TLP.GREEN) for _ in range(5)]
    everything = client.get(f"{served['url']}objects/", **_auth()).json()
    assert len([o for o in everything["objects"] if o["type"] == "report"]) == 5
    assert everything["more"] is False
    # Paging: a small limit yields several pages, each whole incidents, no report twice.
    seen, params = [], {"limit": 8}
    while True:
        response = client.get(f"{served['url']}objects/", params, **_auth())
        page = response.json()
        seen += [o["id"] for o in page["objects"] if o["type"] == "report"]
        assert response["X-TAXII-Date-Added-First"] <= response["X-TAXII-Date-Added-Last"]
        if not page["more"]:
            break
        params = {"limit": 8, "next": page["next"]}
    assert sorted(seen) == sorted(i.stix_id for i in incidents)
    # added_after: only what changed since.
    last = max(i.modified_at for i in incidents[:3])
    after = client.get(f"{served['url']}objects/", {"added_after": stix.timestamp(last)}, **_auth()).json()
    assert {o["id"] for o in after["objects"] if o["type"] == "report"} <= {i.stix_id for i in incidents[2:]}
    only_locations = client.get(f"{served['url']}objects/", {"match[type]": "location"}, **_auth()).json()
    assert {o["type"] for o in only_locations["objects"]} == {"location"}
    manifest = client.get(f"{served['url']}manifest/", **_auth()).json()
    assert {m["id"] for m in manifest["objects"]} >= {i.stix_id for i in incidents}
    one = client.get(f"{served['url']}objects/{incidents[0].stix_id}/", **_auth()).json()
    assert [o["id"] for o in one["objects"]] == [incidents[0].stix_id]
    stamp = stix.timestamp(incidents[0].modified_at)
    exact = client.get(
        f"{served['url']}objects/", {"match[version]": stamp, "match[type]": "report"}, **_auth()
    )
    assert incidents[0].stix_id in [o["id"] for o in exact.json()["objects"]]
    assert {o["modified"] for o in exact.json()["objects"]} == {stamp}
    versions = client.get(f"{served['url']}objects/{incidents[0].stix_id}/versions/", **_auth()).json()
    assert versions["versions"] == [stix.timestamp(incidents[0].modified_at)]


@pytest.mark.parametrize(
    "params,message",
    [
        ({"limit": "0"}, "limit must be"),
        ({"limit": "many"}, "limit must be"),
        ({"added_after": "yesterday"}, "added_after must be a STIX timestamp"),
        ({"next": "not-a-cursor"}, "is not one this server gave"),
        ({"match[version]": "2020-13-45"}, "STIX timestamp"),
    ],
)
def test_bad_query_parameters_are_400(client, served, params, message):
    response = client.get(f"{served['url']}objects/", params, **_auth())
    assert response.status_code == 400
    assert message in response.json()["description"]
    assert _last_log().outcome == ExchangeLog.Outcome.REFUSED


@pytest.mark.parametrize(
    ("limit", "code"),
    [
        ("²", "limit.invalid"),  # str.isdigit() said yes, int() said no: a 500
        ("٣", "limit.invalid"),
        ("①", "limit.invalid"),
        ("-5", "limit.min_value"),
        ("99999999999999999999", "limit.max_value"),
        (str(10**30), "limit.max_value"),
        ("   ", "limit.required"),
    ],
)
def test_a_limit_that_is_not_an_ascii_whole_number_in_range_is_refused_with_a_code(
    client, served, limit, code
):
    response = client.get(f"{served['url']}objects/", {"limit": limit}, **_auth())
    assert response.status_code == 400 and response.json()["error_code"] == code


@pytest.mark.parametrize("limit", ["+5", " 5 ", "5"])
def test_a_limit_with_a_sign_or_spaces_is_read(client, served, limit):
    assert client.get(f"{served['url']}objects/", {"limit": limit}, **_auth()).status_code == 200


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deeply_nested_json_is_refused_with_a_code(client, receiving, depth):
    body = '{"objects": ' + "[" * depth + "]" * depth + "}"
    response = client.post(receiving["url"], body, content_type=TAXII, **_auth("node-a"))
    assert response.status_code == 400 and response.json()["error_code"] == "json_too_deep"
    assert _received() == 0


def test_unknown_collection_and_revoked_agreement(client, served):
    assert (
        client.get(f"{ROOT}collections/00000000-0000-0000-0000-000000000000/", **_auth()).status_code == 404
    )
    services.agreement_revoke(acting_user=SYSTEM, agreement=served["agreement"])
    response = client.get(f"{served['url']}objects/", **_auth())
    assert response.status_code == 403 and "revoked" in response.json()["description"]
    assert client.get(f"{ROOT}collections/", **_auth()).json()["collections"] == []


def test_another_peer_does_not_see_the_collection(client, org_a, org_b, served):
    make_peer(org_a, name="node-c", secret="another-long-test-secret")
    response = client.get(f"{served['url']}objects/", **_auth("node-c", "another-long-test-secret"))
    assert response.status_code == 404


# writes ------------------------------------------------------------------------------------


def _envelope(org_a, served, **incident_options):
    incident = make_incident(org_a, **incident_options)
    if incident.tlp in (TLP.AMBER, TLP.AMBER_STRICT):
        object_share(
            acting_user=SYSTEM,
            obj=incident,
            purpose="test",
            organisation=served["agreement"].partner_organisations.get(),
        )
    objects = exchange.export_bundle(served["agreement"])["objects"]
    return incident, {"objects": objects}


def _post(client, url, envelope, name="node-a"):
    return client.post(url, json.dumps(envelope), content_type=TAXII, **_auth(name))


def _received():
    return Incident.objects.exclude(origin_node="").count()


def test_post_imports_and_status_reports(client, org_a, org_b, served, receiving):
    incident, envelope = _envelope(
        org_a, served, tlp=TLP.AMBER_STRICT, distribution=Distribution.ORGANISATION
    )
    response = _post(client, receiving["url"], envelope)
    assert response.status_code == 202, response.json()
    status = response.json()
    assert status["status"] == "complete" and status["failure_count"] == 0
    copy_ = Incident.objects.get(origin_node="node-a", origin_id=incident.stix_id)
    assert copy_.tlp == TLP.AMBER_STRICT and copy_.organisation == org_a and copy_.narrative is None
    assert copy_.persons.count() == 2 and copy_.vessel.name == "Test dhow Alpha"
    assert copy_.facilitators.get().reference.startswith("FN-")
    assert _last_log().direction == ExchangeLog.Direction.RECEIVED
    polled = client.get(f"{ROOT}status/{status['id']}/", **_auth("node-a"))
    assert polled.status_code == 200 and polled.json()["success_count"] == status["success_count"]
    # Another peer cannot read that status.
    assert client.get(f"{ROOT}status/{status['id']}/", **_auth()).status_code == 404


def test_replayed_post_is_refused(client, org_a, served, receiving):
    _, envelope = _envelope(org_a, served, tlp=TLP.GREEN)
    assert _post(client, receiving["url"], envelope).status_code == 202
    again = _post(client, receiving["url"], envelope)
    assert again.status_code == 409 and "already received" in again.json()["description"]
    assert _received() == 1
    assert ImportedObject.objects.get().versions_received == 1


def test_update_supersedes_instead_of_duplicating(client, org_a, served, receiving):
    incident, envelope = _envelope(org_a, served, tlp=TLP.GREEN)
    assert _post(client, receiving["url"], envelope).status_code == 202
    incident.dead, incident.survivors, incident.version = 3, 35, 2
    incident.modified_at = incident.modified_at + __import__("datetime").timedelta(minutes=5)
    incident.save()
    newer = {"objects": exchange.export_bundle(served["agreement"])["objects"]}
    response = _post(client, receiving["url"], newer)
    assert response.status_code == 202, response.json()
    copy_ = Incident.objects.get(origin_node="node-a")
    assert (copy_.dead, copy_.version) == (3, 2)
    assert ImportedObject.objects.get().versions_received == 2


def _report(envelope):
    return next(o for o in envelope["objects"] if o["type"] == "report")


def _bad(mutate, org_a, served):
    _, envelope = _envelope(org_a, served, tlp=TLP.GREEN)
    envelope = copy.deepcopy(envelope)
    mutate(envelope)
    return envelope


BAD = [
    (
        "repeated persons group",
        lambda e: _report(e)["extensions"][stix.INCIDENT_EXTENSION_ID].update(
            persons_breakdown=[{"sex": "F", "age_group": "18-20", "nationality": "SOM", "count": 1}] * 2
        ),
        400,
        "repeats a group",
    ),
    (
        "version not a number",
        lambda e: _report(e)["extensions"][stix.INCIDENT_EXTENSION_ID].update(version="two"),
        400,
        "malformed",
    ),
    (
        "unknown marking",
        lambda e: _report(e).update(
            object_marking_refs=["marking-definition--00000000-0000-4000-8000-000000000000"]
        ),
        400,
        "unknown marking",
    ),
    ("invalid STIX", lambda e: _report(e).update(created="31/12/2025"), 400, "fail STIX 2.1 validation"),
    (
        "forged author",
        lambda e: _report(e).update(created_by_ref=stix.organisation_identity_id("Somebody else")),
        403,
        "not a partner",
    ),
    (
        "over the ceiling",
        lambda e: _report(e).update(object_marking_refs=[stix.TLP2_MARKING_IDS[TLP.RED]]),
        403,
        "above the agreement's ceiling",
    ),
    (
        "not addressed to us",
        lambda e: _report(e)["extensions"][stix.INCIDENT_EXTENSION_ID].update(
            recipient_refs=[stix.organisation_identity_id("Somebody else")]
        ),
        403,
        "not addressed",
    ),
    (
        "position out of range",
        lambda e: next(o for o in e["objects"] if o["type"] == "location").update(latitude=123.0),
        400,
        "validation",
    ),
    (
        "future time",
        lambda e: _report(e)["extensions"][stix.INCIDENT_EXTENSION_ID].update(
            occurred_at="2999-01-01T00:00:00.000Z"
        ),
        400,
        "future",
    ),
    (
        "unknown code",
        lambda e: _report(e)["extensions"][stix.INCIDENT_EXTENSION_ID].update(incident_type="teleportation"),
        400,
        "incident_type",
    ),
    (
        "persons group of nobody",
        lambda e: _report(e)["extensions"][stix.INCIDENT_EXTENSION_ID].update(
            persons_breakdown=[{"sex": "F", "age_group": "18-20", "nationality": "SOM", "count": 0}]
        ),
        400,
        "persons on board: count",
    ),
    (
        "persons unknown code",
        lambda e: _report(e)["extensions"][stix.INCIDENT_EXTENSION_ID].update(
            persons_breakdown=[{"sex": "Q", "age_group": "18-20", "nationality": "SOM", "count": 2}]
        ),
        400,
        "persons on board: sex",
    ),
    (
        "persons count not a number",
        lambda e: _report(e)["extensions"][stix.INCIDENT_EXTENSION_ID].update(
            persons_breakdown=[{"sex": "F", "age_group": "18-20", "nationality": "SOM", "count": "many"}]
        ),
        400,
        "persons on board: count",
    ),
]


MALFORMED = [
    ("version not a number", lambda e: _details(e).update(version="two")),
    ("version a superscript", lambda e: _details(e).update(version="²")),
    ("version too large", lambda e: _details(e).update(version=10**30)),
    ("retention below zero", lambda e: _details(e).update(retention_days=-(10**18))),
    ("retention not a number", lambda e: _details(e).update(retention_days=[1])),
    ("extensions not an object", lambda e: _report(e).update(extensions=["x"])),
    ("object_refs not a list", lambda e: _report(e).update(object_refs=7)),
    ("recipients not a list", lambda e: _details(e).update(recipient_refs=7)),
    ("author not an id", lambda e: _report(e).update(created_by_ref=["x"])),
    ("occurred_at not a timestamp", lambda e: _details(e).update(occurred_at=12)),
    ("precision not a number", lambda e: _location(e).update(precision="far")),
]


def _location(envelope):
    return next(o for o in envelope["objects"] if o["type"] == "location")


def _details(envelope):
    return _report(envelope)["extensions"][stix.INCIDENT_EXTENSION_ID]


@pytest.mark.parametrize("name,mutate", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_values_are_refused_with_their_code(org_a, served, receiving, name, mutate):
    envelope = _bad(mutate, org_a, served)
    with pytest.raises(exchange.ExchangeRefused) as refused:
        receive_objects(receiving["agreement"], envelope["objects"], full_validation=False)
    assert refused.value.code == receive.MALFORMED and refused.value.status == 400
    assert _received() == 0


@pytest.mark.parametrize("error", [TypeError, KeyError, AttributeError, ValueError])
def test_a_bug_while_storing_surfaces_instead_of_passing_for_malformed_input(
    org_a, served, receiving, monkeypatch, error
):
    _, envelope = _envelope(org_a, served, tlp=TLP.GREEN)

    def broken(*args, **kwargs):
        raise error("a bug in Lindung, not in the objects")

    monkeypatch.setattr(receive, "_persons", broken)
    with pytest.raises(error):
        receive_objects(receiving["agreement"], envelope["objects"])
    assert _received() == 0


@pytest.mark.parametrize("name,mutate,status,message", BAD, ids=[b[0] for b in BAD])
def test_bad_objects_are_refused_and_nothing_imported(
    client, org_a, served, receiving, name, mutate, status, message
):
    envelope = _bad(mutate, org_a, served)
    response = _post(client, receiving["url"], envelope)
    assert response.status_code == status, response.json()
    assert message in response.json()["description"]
    assert _received() == 0 and ImportedObject.objects.count() == 0
    log = _last_log()
    assert log.outcome == ExchangeLog.Outcome.REFUSED and log.direction == ExchangeLog.Direction.RECEIVED
    assert AuditEntry.objects.filter(action="sharing.exchange_refused", object_id=str(log.pk)).exists()


def test_one_bad_object_refuses_the_whole_request(client, org_a, served, receiving):
    make_incident(org_a, tlp=TLP.GREEN)
    envelope = _bad(
        lambda e: [r for r in e["objects"] if r["type"] == "report"][-1]["extensions"][
            stix.INCIDENT_EXTENSION_ID
        ].update(dead=-4),
        org_a,
        served,
    )
    assert len([o for o in envelope["objects"] if o["type"] == "report"]) == 2
    assert _post(client, receiving["url"], envelope).status_code == 400
    assert _received() == 0


def test_writing_where_the_peer_may_not_is_refused(client, org_a, served, receiving):
    _, envelope = _envelope(org_a, served, tlp=TLP.GREEN)
    read_only = f"{served['url']}objects/"  # node-b's collection on this node: read-only
    response = _post(client, read_only, envelope, name="node-b")
    assert response.status_code == 403 and "does not let this peer write" in response.json()["description"]
    assert _received() == 0


@pytest.mark.parametrize(
    "body,content_type,status",
    [
        ("{not json", TAXII, 400),
        (json.dumps({"objects": []}), TAXII, 400),
        (json.dumps([1, 2]), TAXII, 400),
        (json.dumps({"objects": [{"type": "report"}]}), TAXII, 400),
        (json.dumps({"objects": [1]}), TAXII, 400),
        (json.dumps({"objects": [{"type": ["a"], "id": 3, "spec_version": "2.1"}]}), TAXII, 400),
        (
            json.dumps(
                {
                    "objects": [
                        {
                            "type": "report",
                            "id": "report--x",
                            "spec_version": "2.1",
                            "object_marking_refs": "tlp",
                        }
                    ]
                }
            ),
            TAXII,
            400,
        ),
        (json.dumps({"objects": [1]}), "application/json", 415),
    ],
)
def test_malformed_posts(client, receiving, body, content_type, status):
    response = client.post(receiving["url"], body, content_type=content_type, **_auth("node-a"))
    assert response.status_code == status
    assert response.json()["description"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
stix_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["report", "location", "identity", "marking-definition", "x"]),
     "spec_version": st.sampled_from(["2.1", "2.0"])},
    optional={"id": st.text(max_size=50), "created": st.text(max_size=30), "modified": st.text(max_size=30),
              "object_refs": json_values, "object_marking_refs": json_values, "extensions": json_values,
              "created_by_ref": st.text(max_size=50)},
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"objects": st.lists(stix_like | json_values, min_size=1, max_size=4)}))
def test_fuzzed_posts_never_fail_with_500(client, receiving, body):
    response = _post(client, receiving["url"], body)
    assert 400 <= response.status_code < 500, (response.status_code, body)
    assert response.json()["description"]
    assert _received() == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(
    st.sampled_from(["limit", "next", "added_after", "match[id]", "match[type]", "match[version]",
                     "match[spec_version]"]),
    st.text(max_size=30), max_size=4,
))  # fmt: skip
@example(params={"limit": "²"})
@example(params={"limit": "٣", "next": "①"})
@example(params={"limit": "+5"})
@example(params={"limit": "-5"})
@example(params={"limit": " 5 "})
@example(params={"limit": str(10**30)})
@example(params={"limit": "99999999999999999999"})
@example(params={"limit": ""})
def test_fuzzed_queries_never_fail_with_500(client, served, params):
    response = client.get(f"{served['url']}objects/", params, **_auth())
    assert response.status_code in (200, 400), (response.status_code, params)
