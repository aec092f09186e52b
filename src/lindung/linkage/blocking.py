"""Blocking keys as keyed digests: written for every person, searched for a registration.

A digest is the organisation's blind index HMAC of ``linkage.<kind>`` and the key, so a database
dump shows no name, date or number, and digests of two organisations cannot be joined. A search
computes the digests of what it looks for with the key of each organisation it may search in.
"""

from lindung.core import crypto

from . import keys
from .identity import Identity
from .models import BlockingKey

Kind = BlockingKey.Kind
# A short number has one-deletion variants that many other numbers share.
MIN_NUMBER_FOR_VARIANTS = 5


def _document_keys(identity: Identity) -> set[str]:
    out = set()
    for doc in identity.documents:
        out.add(doc.number)
        if len(doc.number) >= MIN_NUMBER_FOR_VARIANTS:
            out.update(keys.deletions(doc.number))
    return out


def stored_keys(identity: Identity) -> set[tuple[str, str]]:
    """(kind, value) pairs kept for a person."""
    out = {(Kind.TOKEN, t) for t in identity.tokens}
    out |= {(Kind.PHONETIC, c) for c in keys.phonetic_codes(identity.tokens)}
    if identity.date_of_birth:
        out.add((Kind.DOB, identity.date_of_birth.isoformat()))
    out |= {(Kind.DOCUMENT, n) for n in _document_keys(identity)}
    return out


def query_keys(identity: Identity) -> set[tuple[str, str]]:
    """(kind, value) pairs to look for: what is stored, and the dates a clerk may have written."""
    out = stored_keys(identity)
    if identity.date_of_birth:
        out |= {(Kind.DOB, d.isoformat()) for d in keys.dob_variants(identity.date_of_birth)}
    return out


def digest(organisation_id: int, kind: str, value: str) -> str:
    return crypto.blind_index(value, organisation_id=organisation_id, kind=f"linkage.{kind}")


def rebuild(person) -> int:
    """Replace a person's keys by those of their current identity; the number written."""
    BlockingKey.objects.filter(person=person).delete()
    if person.anonymised_at is not None:
        return 0
    org = person.organisation_id
    rows = [
        BlockingKey(person=person, organisation_id=org, kind=kind, digest=digest(org, kind, value))
        for kind, value in stored_keys(Identity.of_person(person))
    ]
    BlockingKey.objects.bulk_create(rows)
    return len(rows)
