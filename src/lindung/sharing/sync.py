"""Pull from peers over TAXII 2.1 (taxii2-client): ``lindung sharing sync``.

For each agreement in force with a peer, fetch the peer's collection for that agreement page by
page, starting after the last object received (``added_after``), check and store each page. The
whole pull of one agreement is one transaction: if any page is refused, nothing of that pull is
kept and the next sync starts again from the same point.
"""

import functools
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from django.db import transaction
from django.utils import timezone
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection

from . import exchange, stix
from .exchange import ExchangeRefused
from .models import ExchangeLog, SharingAgreement
from .services import exchange_record

PAGE_SIZE = 2000
FETCH_SWITCH_INTERVAL = 0.0005  # seconds


@dataclass
class PullReport:
    agreement: str
    ok: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    objects: int = 0
    message: str = ""


def _collection(agreement) -> Collection:
    peer = agreement.peer
    url = f"{peer.api_root_url.rstrip('/')}/collections/{agreement.collection_id}/"
    return Collection(url, user=peer.outgoing_username, password=peer.outgoing_secret or "")


def _reason(exc) -> str:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        try:
            body = exc.response.json()
        except ValueError:
            body = {}
        description = str(body.get("description", ""))[:200] if isinstance(body, dict) else ""
        return f"The peer answered {exc.response.status_code}: {description}".strip()
    if isinstance(exc, requests.ConnectionError):
        return "The peer could not be reached."
    if isinstance(exc, ExchangeRefused):
        return exc.message
    return f"The peer's answer was not usable: {type(exc).__name__}."


def pull_agreement(agreement: SharingAgreement, *, full_validation=True, page_size=PAGE_SIZE) -> PullReport:
    report = PullReport(agreement=agreement.reference, ok=False)
    if not agreement.in_force():
        report.message = f"The agreement {agreement.reference} is not in force: nothing pulled."
        exchange_record(
            direction=ExchangeLog.Direction.PULLED,
            operation="pull",
            outcome=ExchangeLog.Outcome.REFUSED,
            peer=agreement.peer,
            agreement=agreement,
            message=report.message,
        )
        return report
    cursor = agreement.pull_cursor
    # The next page is fetched while this one is checked and stored: the peer builds it meanwhile,
    # on its own machine (or core), instead of both sides waiting for each other in turn.
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch")
    # The fetching thread reads a page in thousands of small chunks and needs the interpreter lock
    # after each; the storing thread would keep it for the default 5 ms every time, so that reading
    # a page took longer than storing one. A shorter interval hands the lock over sooner.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(FETCH_SWITCH_INTERVAL)
    try:
        collection = _collection(agreement)
        with transaction.atomic():
            # Every page of one pull is asked with the same added_after: "next" positions the page.
            fetch = functools.partial(collection.get_objects, limit=page_size, added_after=cursor)
            fetching = fetcher.submit(fetch, next="")
            exchange.load_code_lists()
            while True:
                envelope = fetching.result()
                more = envelope.get("more")
                if more:
                    fetching = fetcher.submit(fetch, next=envelope.get("next", ""))
                objects = envelope.get("objects", [])
                result = exchange.import_objects(
                    peer=agreement.peer, agreement=agreement, objects=objects, full_validation=full_validation
                )
                report.created += result.created
                report.updated += result.updated
                report.unchanged += result.unchanged
                report.objects += len(objects)
                for obj in objects:
                    if obj.get("type") == "report":
                        modified = stix.parse_timestamp(obj["modified"])
                        cursor = modified if cursor is None or modified > cursor else cursor
                if not more:
                    break
            SharingAgreement.objects.filter(pk=agreement.pk).update(pull_cursor=cursor)
            agreement.peer.last_pull_at = timezone.now()
            agreement.peer.save(update_fields=["last_pull_at"])
    except (
        requests.RequestException, TAXIIServiceException, ExchangeRefused, ValueError, KeyError, TypeError,
        AttributeError,
    ) as exc:  # fmt: skip
        report.message = _reason(exc)
        exchange_record(
            direction=ExchangeLog.Direction.PULLED,
            operation="pull",
            outcome=ExchangeLog.Outcome.REFUSED,
            peer=agreement.peer,
            agreement=agreement,
            object_count=report.objects,
            message=report.message,
        )
        report.created = report.updated = report.unchanged = 0
        return report
    finally:
        # A page fetched ahead of a refused one is not waited for.
        fetcher.shutdown(wait=False, cancel_futures=True)
        sys.setswitchinterval(switch_interval)
    report.ok = True
    exchange_record(
        direction=ExchangeLog.Direction.PULLED,
        operation="pull",
        outcome=ExchangeLog.Outcome.OK,
        peer=agreement.peer,
        agreement=agreement,
        object_count=report.objects,
        detail={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return report


def sync(*, peer_name=None, full_validation=True, page_size=PAGE_SIZE) -> list[PullReport]:
    """Pull every agreement in force (of one peer, or of all active peers)."""
    agreements = (
        SharingAgreement.objects.in_force().filter(peer__active=True).select_related("peer", "organisation")
    )
    if peer_name:
        agreements = agreements.filter(peer__name=peer_name)
    return [pull_agreement(a, full_validation=full_validation, page_size=page_size) for a in agreements]
