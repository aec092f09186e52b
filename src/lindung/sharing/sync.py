"""Pull from peers over TAXII 2.1 (taxii2-client): ``lindung sharing sync``.

For each agreement in force with a peer, fetch the peer's collection for that agreement page by
page, starting after the last object received (``added_after``), and hand the pages to
``receive.objects_receive``, which checks and stores them. The whole pull of one agreement, with its
exchange-log line, audit entry and new starting point, is one transaction: if any page is refused,
nothing of that pull is kept and the next sync starts again from the same point.

The interpreter settings that speed a pull up are the process's: the ``sharing sync`` command and
the worker set them (``lindung.core.interpreter``), not this module.
"""

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from django.conf import settings
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection

from lindung.core.actors import SYSTEM

from . import receive
from .exchange import ExchangeRefused
from .models import ExchangeLog, SharingAgreement
from .services import exchange_record

PAGE_SIZE = 2000


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


def max_pages() -> int:
    """Pages one pull may take (``LINDUNG_SYNC_MAX_PAGES``): a longer pull is refused whole."""
    return int(getattr(settings, "LINDUNG_SYNC_MAX_PAGES", 100_000))


class _Pages:
    """The peer's collection for an agreement, page by page, from the agreement's cursor on. The next
    page is fetched while this one is checked and stored: the peer builds it meanwhile, on its own
    machine (or core), instead of both sides waiting for each other in turn."""

    def __init__(self, agreement, fetcher, page_size):
        self.agreement, self.fetcher, self.page_size = agreement, fetcher, page_size
        self.objects = 0  # objects received so far, for the log of a refused pull

    def __iter__(self):
        # Every page of one pull is asked with the same added_after: "next" positions the page.
        fetch = functools.partial(
            _collection(self.agreement).get_objects,
            limit=self.page_size,
            added_after=self.agreement.pull_cursor,
        )
        fetching = self.fetcher.submit(fetch, next="")
        receive.load_code_lists()  # while the first page is on its way
        positions = set()
        while True:
            envelope = fetching.result()
            if not isinstance(envelope, dict) or not isinstance(envelope.get("next", ""), str):
                raise ExchangeRefused("The peer's answer is not a TAXII envelope.")
            more = envelope.get("more")
            if more:
                position = envelope.get("next", "")
                # A peer that says "more" without moving on would keep the pull (and its open
                # transaction) going for ever: refuse the pull instead.
                if not position or position in positions or len(positions) >= max_pages():
                    raise ExchangeRefused("The peer's pages do not come to an end: nothing pulled.")
                positions.add(position)
                fetching = self.fetcher.submit(fetch, next=position)
            objects = envelope.get("objects", [])
            self.objects += len(objects) if isinstance(objects, list) else 0
            yield objects
            if not more:
                return


def pull_agreement(agreement: SharingAgreement, *, full_validation=True, page_size=PAGE_SIZE) -> PullReport:
    """Pull an agreement's collection from its peer and store it (``receive.objects_receive``:
    everything of the pull, its log and audit entry, in one transaction). A refusal, or a peer that
    cannot be reached or answers nonsense, keeps nothing and is logged."""
    report = PullReport(agreement=agreement.reference, ok=False)
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch")
    pages = _Pages(agreement, fetcher, page_size)
    try:
        if not agreement.in_force():
            raise ExchangeRefused(f"The agreement {agreement.reference} is not in force: nothing pulled.")
        receipt = receive.objects_receive(
            acting_user=SYSTEM, peer=agreement.peer, agreement=agreement, pages=pages,
            how=receive.Pull(full_validation=full_validation),
        )  # fmt: skip
    except (requests.RequestException, TAXIIServiceException, ExchangeRefused) as exc:
        report.message = _reason(exc)
        exchange_record(
            direction=ExchangeLog.Direction.PULLED,
            operation="pull",
            outcome=ExchangeLog.Outcome.REFUSED,
            peer=agreement.peer,
            agreement=agreement,
            object_count=pages.objects,
            message=report.message,
            actor=SYSTEM,
        )
        return report
    finally:
        # A page fetched ahead of a refused one is not waited for.
        fetcher.shutdown(wait=False, cancel_futures=True)
    report.ok, report.objects = True, receipt.objects
    report.created, report.updated, report.unchanged = receipt.created, receipt.updated, receipt.unchanged
    return report


def sync(*, peer_name=None, full_validation=True, page_size=PAGE_SIZE) -> list[PullReport]:
    """Pull every agreement in force (of one peer, or of all active peers)."""
    agreements = (
        SharingAgreement.objects.in_force().filter(peer__active=True).select_related("peer", "organisation")
    )
    if peer_name:
        agreements = agreements.filter(peer__name=peer_name)
    return [pull_agreement(a, full_validation=full_validation, page_size=page_size) for a in agreements]
