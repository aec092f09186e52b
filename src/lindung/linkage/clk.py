"""Cryptographic long-term keys (CLKs): Bloom-filter encodings of a person's identity, as described
by Schnell, Bachteler and Reiher (2009, 2011), so that two parties can compare records without
showing each other a name.

Each field is normalised (names as the duplicate check does: any script to ASCII, folded for what
transliteration systems disagree on), cut into bigrams of the value padded with a space at each
end, and each bigram sets ``k`` bits of one 1024-bit filter. The ``k`` positions come from double
hashing: ``h1 + i·h2 mod 1024`` for i in 0..k-1, where h1 and h2 are the two halves of an
HMAC-SHA256 keyed with the agreement's secret, of the field's name and the bigram. The field name
goes into the HMAC so that "an" in a given name and "an" in a family name set different bits. A
field's ``k`` is its weight: the more bits its bigrams set, the more it counts in the Dice
similarity of two filters.

Without the secret nobody can compute which bits a bigram sets, so a party holding only the other
party's filters cannot run a dictionary of names through the encoder. This module needs no Django
(the benchmark uses it on FEBRL data).
"""

import hashlib
import hmac
from dataclasses import dataclass

from bitarray import bitarray

from . import keys

ASCII_DIGITS = frozenset("0123456789")

FILTER_BITS = 1024


@dataclass(frozen=True)
class FieldSpec:
    name: str
    hashes: int  # k: the field's weight
    kind: str = "text"  # "name" (transliterated, folded tokens), "text", "digits", "code"


def normalise(value, kind: str) -> str:
    """The comparable form of a value: the same rules as the duplicate check, so "Мухаммад" and
    "Mukhammad" give the same bigrams."""
    text = "" if value is None else str(value)
    if kind == "name":
        return " ".join(keys.fold(token) for token in keys.ascii_name(text).split())
    if kind == "code":
        return keys.document_number(text)
    if kind == "digits":
        # ASCII digits only: isdigit() also takes "²" and other scripts' digits, which would make
        # two parties' encodings of one date differ.
        return "".join(ch for ch in text if ch in ASCII_DIGITS)
    return keys.ascii_name(text)


def bigrams(text: str) -> list[str]:
    if not text:
        return []
    padded = f" {text} "
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def positions(key: bytes, field: str, gram: str, hashes: int) -> list[int]:
    digest = hmac.new(key, f"{field}\x00{gram}".encode(), hashlib.sha256).digest()
    h1 = int.from_bytes(digest[:16], "big")
    h2 = int.from_bytes(digest[16:], "big")
    return [(h1 + i * h2) % FILTER_BITS for i in range(hashes)]


def encode(key: bytes, schema: tuple[FieldSpec, ...], values: dict) -> bitarray:
    """The 1024-bit filter of one record: ``values`` maps field names of ``schema`` to raw values
    (missing or empty fields set no bit)."""
    bits = bitarray(FILTER_BITS)
    bits.setall(0)
    for spec in schema:
        for gram in bigrams(normalise(values.get(spec.name), spec.kind)):
            for pos in positions(key, spec.name, gram, spec.hashes):
                bits[pos] = 1
    return bits


def dice(a: bitarray, b: bitarray) -> float:
    total = a.count() + b.count()
    return 2 * (a & b).count() / total if total else 0.0
