"""TAXII 2.1 server: discovery, API root, collections (one per agreement with the calling peer),
objects (GET, POST), manifest, object versions and status.

Only peers sign in here (HTTP Basic: the peer's name and its secret, kept hashed); users of this
node have nothing to do on these URLs. Every request is written to the exchange log and the audit
log, refusals included, with the reason; objects a peer posts are stored, logged and audited in
one transaction (``receive.objects_receive``).
"""

import base64
import binascii
import functools
import json
import uuid

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from lindung.core.actors import SYSTEM
from lindung.core.parsing import JSONTooDeep, load_json, parse_int

from . import exchange, receive, selectors, services, stix
from .exchange import ExchangeRefused
from .models import ExchangeLog

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
MAX_CONTENT_LENGTH = 10 * 1024 * 1024
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
Direction, Outcome = ExchangeLog.Direction, ExchangeLog.Outcome
# What a handler returns for its log when it logged the exchange itself, in its own transaction.
LOGGED = object()


def _response(data, status=200, headers=None):
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=TAXII_MEDIA_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(status, title, description, code):
    body = {"title": title, "description": description, "error_code": code, "http_status": str(status)}
    response = _response(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Lindung TAXII"'
    return response


def _peer_from(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise ExchangeRefused("Sign in with HTTP Basic: the peer's name and its secret.", status=401)
    try:
        name, sep, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ExchangeRefused("Malformed Basic credentials.", status=401) from exc
    peer = selectors.peer_by_name(name) if sep else None
    if peer is None or not services.secret_matches(peer, secret):
        # The same answer for an unknown name and a wrong secret: nothing to learn by guessing.
        raise ExchangeRefused("Unknown peer or wrong secret.", status=401, object_id=name[:60])
    if not peer.active:
        raise ExchangeRefused("This peer is suspended on this node.", status=403, object_id=name[:60])
    return peer


def _accepts_taxii(request) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    return not accept or "*/*" in accept or "application/taxii+json" in accept


def taxii_endpoint(operation, methods=("GET",)):
    """Authenticate the peer, run the handler, log and audit the exchange either way."""

    def wrap(handler):
        @csrf_exempt
        @functools.wraps(handler)
        def view(request, **kwargs):
            peer = agreement = None
            direction = Direction.RECEIVED if request.method == "POST" else Direction.SERVED
            try:
                if request.method not in methods:
                    raise ExchangeRefused(f"{request.method} is not allowed here.", status=405)
                if not _accepts_taxii(request):
                    raise ExchangeRefused(f"This server answers with {TAXII_MEDIA_TYPE} only.", status=406)
                peer = _peer_from(request)
                if "collection_id" in kwargs:
                    agreement = _agreement(peer, kwargs["collection_id"])
                data, status, headers, logged = handler(request, peer=peer, agreement=agreement, **kwargs)
            except ExchangeRefused as refusal:
                services.exchange_record(
                    direction=direction,
                    operation=operation,
                    outcome=Outcome.REFUSED,
                    peer=peer,
                    agreement=agreement,
                    http_status=refusal.status,
                    message=refusal.message,
                    detail={"object": refusal.object_id} if refusal.object_id else {},
                    request_id=getattr(request, "request_id", ""),
                )
                return _error(refusal.status, "Refused", refusal.message, refusal.code)
            if logged is not LOGGED:
                services.exchange_record(
                    direction=direction,
                    operation=operation,
                    outcome=Outcome.OK,
                    peer=peer,
                    agreement=agreement,
                    http_status=status,
                    request_id=getattr(request, "request_id", ""),
                    **logged,
                )
            return _response(data, status, headers)

        return view

    return wrap


def _uuid(text, what):
    try:
        return uuid.UUID(str(text))
    except ValueError as exc:
        raise ExchangeRefused(f"No such {what}.", status=404) from exc


def _agreement(peer, collection_id):
    agreement = selectors.agreement_for_collection(peer, _uuid(collection_id, "collection"))
    if agreement is None:
        raise ExchangeRefused("No such collection for this peer.", status=404)
    if agreement.revoked_at is not None:
        raise ExchangeRefused(f"The agreement {agreement.reference} has been revoked.", status=403)
    if not agreement.in_force():
        raise ExchangeRefused(f"The agreement {agreement.reference} is not in force now.", status=403)
    return agreement


def _api_root_url(request):
    return request.build_absolute_uri(reverse("sharing:taxii_api_root"))


def _collection(agreement):
    return {
        "id": str(agreement.collection_id),
        "title": agreement.title,
        "description": f"Agreement {agreement.reference}",
        "can_read": True,
        "can_write": agreement.peer_may_write,
        "media_types": [STIX_MEDIA_TYPE],
    }


@taxii_endpoint("discovery")
def discovery(request, peer, agreement):
    root = _api_root_url(request)
    return (
        {
            "title": "Lindung node",
            "description": "TAXII 2.1 exchange of incidents at sea",
            "default": root,
            "api_roots": [root],
        },
        200,
        {},
        {},
    )


@taxii_endpoint("api_root")
def api_root(request, peer, agreement):
    return (
        {"title": "Lindung", "versions": [TAXII_MEDIA_TYPE], "max_content_length": MAX_CONTENT_LENGTH},
        200,
        {},
        {},
    )


@taxii_endpoint("collections")
def collections(request, peer, agreement):
    in_force = [a for a in selectors.agreements_of_peer(peer) if a.in_force()]
    return {"collections": [_collection(a) for a in in_force]}, 200, {}, {"object_count": len(in_force)}


@taxii_endpoint("collection")
def collection(request, peer, agreement, collection_id):
    return _collection(agreement), 200, {}, {}


def _timestamp_param(request, name):
    text = request.GET.get(name)
    if not text:
        return None
    try:
        return stix.parse_timestamp(text)
    except ValueError as exc:
        raise ExchangeRefused(f"{name} must be a STIX timestamp such as 2026-01-31T00:00:00.000Z.") from exc


def _limit(request):
    text = request.GET.get("limit", "")
    if not text:
        return DEFAULT_LIMIT
    try:
        return parse_int(text, field="limit", minimum=1, maximum=MAX_LIMIT)
    except ValidationError as exc:
        message = f"limit must be a whole number from 1 to {MAX_LIMIT}."
        raise ExchangeRefused(message, code=f"limit.{exc.error_dict['limit'][0].code}") from exc


def _list_param(request, name):
    text = request.GET.get(name, "")
    return [part.strip() for part in text.split(",") if part.strip()]


def _versions(request) -> set[str]:
    """Timestamps asked for in match[version]; empty for last/first/all (only the latest is held)."""
    keywords, stamps = {"last", "first", "all"}, set()
    for version in _list_param(request, "match[version]"):
        if version in keywords:
            return set()
        try:
            stix.parse_timestamp(version)
        except ValueError as exc:
            raise ExchangeRefused("match[version] must be last, first, all or STIX timestamps.") from exc
        stamps.add(version)
    return stamps


def _page(request, agreement, ids=None):
    versions = _versions(request)
    spec_versions = _list_param(request, "match[spec_version]")
    if spec_versions and stix.SPEC_VERSION not in spec_versions:
        return exchange.Page(objects=[], incidents=0, more=False, next_cursor="")
    page = exchange.outgoing_page(
        agreement,
        added_after=_timestamp_param(request, "added_after"),
        cursor=request.GET.get("next", ""),
        limit=_limit(request),
        ids=ids or _list_param(request, "match[id]") or None,
        types=set(_list_param(request, "match[type]")) or None,
    )
    if versions:
        page.objects = [o for o in page.objects if (o.get("modified") or o["created"]) in versions]
    return page


def _date_headers(page):
    if not page.objects or page.first_added is None:
        return {}
    return {
        "X-TAXII-Date-Added-First": stix.timestamp(page.first_added),
        "X-TAXII-Date-Added-Last": stix.timestamp(page.last_added),
    }


def _envelope(page, key, items):
    data = {"more": page.more}
    if page.more:
        data["next"] = page.next_cursor
    if items:
        data[key] = items
    return data


def _log(page):
    return {"object_count": len(page.objects), "detail": {"incidents": page.incidents}}


@taxii_endpoint("objects", methods=("GET", "POST"))
def objects(request, peer, agreement, collection_id):
    if request.method == "POST":
        return _add_objects(request, peer, agreement)
    page = _page(request, agreement)
    return _envelope(page, "objects", page.objects), 200, _date_headers(page), _log(page)


def _added(obj):
    return obj.get("modified") or obj["created"]


@taxii_endpoint("manifest")
def manifest(request, peer, agreement, collection_id):
    page = _page(request, agreement)
    items = [
        {"id": o["id"], "date_added": _added(o), "version": _added(o), "media_type": STIX_MEDIA_TYPE}
        for o in page.objects
    ]
    return _envelope(page, "objects", items), 200, _date_headers(page), _log(page)


def _single(request, agreement, object_id):
    if not object_id.startswith("report--"):
        raise ExchangeRefused(
            "Objects are served by report id; related objects come with their report.", status=404
        )
    page = _page(request, agreement, ids=[object_id])
    found = [o for o in page.objects if o["id"] == object_id]
    if not found:
        raise ExchangeRefused("No such object in this collection.", status=404)
    return page, found


@taxii_endpoint("object")
def object_detail(request, peer, agreement, collection_id, object_id):
    page, found = _single(request, agreement, object_id)
    return {"more": False, "objects": found}, 200, _date_headers(page), _log(page)


@taxii_endpoint("object_versions")
def object_versions(request, peer, agreement, collection_id, object_id):
    page, found = _single(request, agreement, object_id)
    return {"more": False, "versions": [found[0]["modified"]]}, 200, _date_headers(page), _log(page)


def _add_objects(request, peer, agreement):
    if not agreement.peer_may_write:
        raise ExchangeRefused(
            f"The agreement {agreement.reference} does not let this peer write.", status=403
        )
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type.startswith("application/taxii+json"):
        raise ExchangeRefused(f"Send the objects as {TAXII_MEDIA_TYPE}.", status=415)
    if len(request.body) > MAX_CONTENT_LENGTH:
        raise ExchangeRefused("The request is larger than this server accepts.", status=413)
    try:
        envelope = load_json(request.body)
    except JSONTooDeep as exc:
        raise ExchangeRefused(str(exc), code=JSONTooDeep.code) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExchangeRefused("The body is not valid JSON.", code="json_invalid") from exc
    if (
        not isinstance(envelope, dict)
        or not isinstance(envelope.get("objects"), list)
        or not envelope["objects"]
    ):
        raise ExchangeRefused("Send a TAXII envelope with a non-empty 'objects' list.")
    requested, status_id = timezone.now(), uuid.uuid4()
    status = {
        "id": str(status_id),
        "status": "complete",
        "request_timestamp": stix.timestamp(requested),
        "total_count": len(envelope["objects"]),
        "success_count": len(envelope["objects"]),
        "successes": [
            {"id": o.get("id"), "version": o.get("modified", o.get("created", ""))}
            for o in envelope["objects"]
            if isinstance(o, dict)
        ],
        "failure_count": 0,
        "pending_count": 0,
    }
    # The objects, their exchange-log line (which keeps the status for the status endpoint) and
    # its audit entry are written together; the status is only answered once they are.
    receive.objects_receive(
        acting_user=SYSTEM, peer=peer, agreement=agreement, pages=[envelope["objects"]],
        how=receive.Push(status_id=status_id, status=status, request_id=getattr(request, "request_id", "")),
    )  # fmt: skip
    return status, 202, {}, LOGGED


@taxii_endpoint("status")
def status(request, peer, agreement, status_id):
    entry = selectors.status_for(peer, _uuid(status_id, "status"))
    if entry is None:
        raise ExchangeRefused("No such status for this peer.", status=404)
    return entry.detail["status"], 200, {}, {}
