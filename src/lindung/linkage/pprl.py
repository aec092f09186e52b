"""Privacy-preserving linkage between parties: the keys derived from an agreement's secret, the
encodings file a party exports, the matched-pairs file the linkage unit returns, and the
matching itself (anonlink: Dice similarity of Bloom filters, greedy one-to-one).

An encodings file is JSON::

    {"header": {"format", "agreement", "key_fingerprint", "party", "count", "created_at"},
     "records": [{"ref": pseudonymous reference, "clk": base64 of the 1024-bit filter}, ...],
     "mac": HMAC-SHA256 of the canonical header and records under the agreement's MAC key}

Every check that fails raises ``PprlFileError`` with a code, before anything is stored:
``pprl_malformed`` (not JSON, a field missing: a truncated file), ``pprl_wrong_agreement``,
``pprl_wrong_key`` (encoded under another secret: the fingerprint differs), ``pprl_tampered``
(the MAC does not match, or the count does not). Nothing here touches the database.
"""

import base64
import binascii
import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass

from bitarray import bitarray

from . import clk

ENCODINGS_FORMAT = "lindung-pprl-encodings/1"
MATCHES_FORMAT = "lindung-pprl-matches/1"
FILTER_BYTES = clk.FILTER_BITS // 8

# The fields of a person encoded, and their weights (hash functions per bigram): names and the
# date of birth tell persons apart most, sex and citizenship least.
PERSON_SCHEMA = (
    clk.FieldSpec("given_name", 15, "name"),
    clk.FieldSpec("family_name", 15, "name"),
    clk.FieldSpec("date_of_birth", 12, "digits"),
    clk.FieldSpec("document", 10, "code"),
    clk.FieldSpec("sex", 3),
    clk.FieldSpec("citizenship", 4),
)


class PprlFileError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AgreementKeys:
    """Keys derived from the agreement's secret, one per use, so that a use never reveals another:
    the matcher needs only ``mac`` (the fingerprint and the integrity MAC), not ``clk``."""

    clk: bytes
    mac: bytes

    @classmethod
    def from_secret(cls, secret: str) -> "AgreementKeys":
        raw = secret.encode()
        return cls(
            clk=hmac.new(raw, b"lindung.pprl.clk", hashlib.sha256).digest(),
            mac=hmac.new(raw, b"lindung.pprl.mac", hashlib.sha256).digest(),
        )

    @property
    def fingerprint(self) -> str:
        """Shows which secret a file was made with, without revealing it."""
        return hmac.new(self.mac, b"lindung.pprl.fingerprint", hashlib.sha256).hexdigest()[:16]

    def sign(self, content: dict) -> str:
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hmac.new(self.mac, canonical.encode(), hashlib.sha256).hexdigest()


def person_values(person) -> dict:
    documents = person.documents or []
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        # The first document only: a second one would blur the filter of a person who has two.
        "document": documents[0].get("number", "") if documents else "",
        "sex": person.sex,
        "citizenship": person.citizenship,
    }


def _signed(keys: AgreementKeys, header: dict, records: list) -> bytes:
    content = {"header": header, "records": records}
    return json.dumps({**content, "mac": keys.sign(content)}, indent=None).encode()


def write_encodings(keys: AgreementKeys, *, agreement: str, party: str, records, now=None) -> bytes:
    """``records``: (pseudonymous reference, filter) pairs."""
    rows = [{"ref": ref, "clk": base64.b64encode(bits.tobytes()).decode()} for ref, bits in records]
    header = {
        "format": ENCODINGS_FORMAT,
        "agreement": agreement,
        "key_fingerprint": keys.fingerprint,
        "party": party,
        "count": len(rows),
        "created_at": (now or datetime.datetime.now(datetime.UTC)).isoformat(timespec="seconds"),
    }
    return _signed(keys, header, rows)


@dataclass(frozen=True)
class Encodings:
    party: str
    refs: list
    filters: list


def _load(data, fmt: str, agreement: str, keys: AgreementKeys) -> dict:
    try:
        doc = json.loads(data)
        header, records, mac = doc["header"], doc["records"], doc["mac"]
        if header["format"] != fmt or not isinstance(records, list) or not isinstance(mac, str):
            raise PprlFileError("pprl_malformed")
        fingerprint, reference, count = header["key_fingerprint"], header["agreement"], header["count"]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        if isinstance(exc, PprlFileError):
            raise
        raise PprlFileError("pprl_malformed") from None
    if reference != agreement:
        raise PprlFileError("pprl_wrong_agreement")
    if not hmac.compare_digest(str(fingerprint), keys.fingerprint):
        raise PprlFileError("pprl_wrong_key")
    if not hmac.compare_digest(mac, keys.sign({"header": header, "records": records})):
        raise PprlFileError("pprl_tampered")
    if count != len(records):
        raise PprlFileError("pprl_tampered")
    return doc


def read_encodings(data, *, agreement: str, keys: AgreementKeys) -> Encodings:
    doc = _load(data, ENCODINGS_FORMAT, agreement, keys)
    refs, filters = [], []
    try:
        for row in doc["records"]:
            raw = base64.b64decode(row["clk"], validate=True)
            if len(raw) != FILTER_BYTES:
                raise PprlFileError("pprl_malformed")
            bits = bitarray()
            bits.frombytes(raw)
            refs.append(str(row["ref"]))
            filters.append(bits)
    except (KeyError, TypeError, binascii.Error):
        raise PprlFileError("pprl_malformed") from None
    if len(set(refs)) != len(refs):
        raise PprlFileError("pprl_malformed")
    return Encodings(party=str(doc["header"]["party"]), refs=refs, filters=filters)


def match(first: Encodings, second: Encodings, threshold: float) -> list[tuple[str, str, float]]:
    """Pairs of references whose filters' Dice similarity is at least ``threshold``, each record
    in at most one pair (anonlink's greedy solver: best similarity first)."""
    from anonlink import candidate_generation, similarities, solving

    if not first.filters or not second.filters:
        return []
    candidates = candidate_generation.find_candidate_pairs(
        [first.filters, second.filters], similarities.dice_coefficient_accelerated, threshold
    )
    scores = {
        (int(i), int(j)): float(s)
        for s, i, j in zip(candidates[0], candidates[2][0], candidates[2][1], strict=True)
    }
    pairs = []
    for group in solving.greedy_solve(candidates):
        ends = dict(group)
        if 0 in ends and 1 in ends:
            i, j = ends[0], ends[1]
            pairs.append((first.refs[i], second.refs[j], round(scores[(i, j)], 4)))
    return sorted(pairs, key=lambda p: (-p[2], p[0]))


def write_matches(keys: AgreementKeys, *, agreement: str, parties, threshold: float, pairs) -> bytes:
    header = {
        "format": MATCHES_FORMAT,
        "agreement": agreement,
        "key_fingerprint": keys.fingerprint,
        "parties": list(parties),
        "threshold": threshold,
        "count": len(pairs),
    }
    rows = [{"refs": [a, b], "similarity": s} for a, b, s in pairs]
    return _signed(keys, header, rows)


def read_matches(data, *, agreement: str, keys: AgreementKeys) -> tuple[list, list]:
    """(parties, [(reference of the first party, of the second, similarity)])."""
    doc = _load(data, MATCHES_FORMAT, agreement, keys)
    try:
        parties = [str(p) for p in doc["header"]["parties"]]
        pairs = [(str(r["refs"][0]), str(r["refs"][1]), float(r["similarity"])) for r in doc["records"]]
    except (KeyError, TypeError, IndexError, ValueError):
        raise PprlFileError("pprl_malformed") from None
    if len(parties) != 2:
        raise PprlFileError("pprl_malformed")
    return parties, pairs
