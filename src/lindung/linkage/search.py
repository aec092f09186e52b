"""Linkage's part of the person search (``lindung.cases.hooks.person_search_extenders``): a name
found by one of its parts or in another spelling or script, a document number whatever its
spacing and case, through the blocking keys (keyed digests: nothing is compared in clear).

A name matches when every token of what was typed is a token of the person's names ("name_part")
or, failing that, sounds like one ("name_variant"). A document number matches the stored number or
one of its one-deletion variants ("document_near": the keys cannot tell the two apart)."""

from collections import defaultdict

from lindung.core import policy
from lindung.core.roles import Capability

from . import blocking, keys
from .models import BlockingKey

Kind = BlockingKey.Kind


def _digests(org, tokens, number):
    token = {t: blocking.digest(org, Kind.TOKEN, t) for t in tokens}
    sound = {t: blocking.digest(org, Kind.PHONETIC, keys.phonetic(t)) for t in tokens if keys.phonetic(t)}
    document = blocking.digest(org, Kind.DOCUMENT, number) if number else None
    return token, sound, document


def _codes(held, tokens, token, sound, document) -> set[str]:
    codes = set()
    if document and document in held:
        codes.add("document_near")
    if tokens and all(token[t] in held for t in tokens):
        codes.add("name_part")
    elif tokens and all(token[t] in held or sound.get(t) in held for t in tokens):
        codes.add("name_variant")
    return codes


def extend(user, *, name: str = "", document: str = "") -> dict[int, set[str]]:
    tokens = keys.name_tokens(name) if (name or "").strip() else []
    number = keys.document_number(document)
    found: dict[int, set[str]] = {}
    if not tokens and not number:
        return found
    for org in sorted(policy.organisations_with(user, Capability.VIEW_IDENTITY)):
        token, sound, doc = _digests(org, tokens, number)
        wanted = {*token.values(), *sound.values(), *([doc] if doc else [])}
        held = defaultdict(set)
        rows = BlockingKey.objects.filter(organisation_id=org, digest__in=wanted).values_list(
            "person_id", "digest"
        )
        for person_id, digest in rows:
            held[person_id].add(digest)
        for person_id, digests in held.items():
            codes = _codes(digests, tokens, token, sound, doc)
            if codes:
                found[person_id] = codes
    return found
