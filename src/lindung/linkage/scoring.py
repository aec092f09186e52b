"""Fellegi–Sunter scoring of a candidate pair, with its explanation field by field.

Each field is compared at a few levels, from the strongest agreement down to disagreement. A level
carries two probabilities: ``m``, how often two records of the same person fall in it, and ``u``,
how often two records of different persons do. The pair's match weight is the prior's log2 odds
plus, for each field, log2(m/u) of the level it falls in (its Bayes factor); a field that one side
does not have adds nothing. The explanation lists every step, as Splink's waterfall chart does.

The probabilities are documented estimates for registrations of one population by several
agencies (see docs/linkage.md), not trained values: Splink's batch deduplication can estimate
them from a site's own data later.
"""

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import JaroWinkler, Levenshtein

from . import keys
from .identity import Identity

# One person in a thousand registrations is already known: the odds before any comparison.
PRIOR = 1 / 1000
# Shown as a candidate from this probability up.
THRESHOLD = 0.1
SIMILAR_NAME = 0.88


@dataclass(frozen=True)
class Level:
    code: str
    label: object
    m: float
    u: float

    @property
    def log2_factor(self) -> float:
        return math.log2(self.m / self.u)


LEVELS = {
    "name": {
        "exact": Level("exact", _("same name once written in Latin letters"), 0.55, 0.0005),
        "phonetic": Level("phonetic", _("names sound the same"), 0.25, 0.003),
        "similar": Level("similar", _("names spelt alike"), 0.12, 0.01),
        "partial": Level("partial", _("one name in common"), 0.05, 0.05),
        "different": Level("different", _("different names"), 0.03, 0.9365),
    },
    "date_of_birth": {
        "exact": Level("exact", _("same date of birth"), 0.85, 0.0003),
        "swapped": Level("swapped", _("day and month swapped"), 0.04, 0.0003),
        "year_off": Level("year_off", _("year one apart"), 0.05, 0.0006),
        "different": Level("different", _("different dates of birth"), 0.06, 0.9988),
    },
    "document": {
        "exact": Level("exact", _("same document number"), 0.75, 0.00001),
        "one_edit": Level("one_edit", _("document numbers one character apart"), 0.15, 0.0001),
        "different": Level("different", _("different document numbers"), 0.10, 0.99989),
    },
    "sex": {
        "agree": Level("agree", _("same sex"), 0.97, 0.5),
        "different": Level("different", _("different sex"), 0.03, 0.5),
    },
    "citizenship": {
        "agree": Level("agree", _("same citizenship"), 0.9, 0.15),
        "different": Level("different", _("different citizenship"), 0.1, 0.85),
    },
}
FIELD_LABELS = {
    "name": _("Name"),
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "date_of_birth": _("Date of birth"),
    "document": _("Identity document"),
    "sex": _("Sex"),
    "citizenship": _("Citizenship"),
}
_NAME_ORDER = list(LEVELS["name"])


@dataclass(frozen=True)
class Step:
    """One bar of the waterfall: a field at a level, or the prior (field "prior")."""

    field: str
    level: str
    label: str
    log2_factor: float

    @property
    def field_label(self):
        return FIELD_LABELS.get(self.field, _("Before comparing"))

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "level": self.level,
            "label": str(self.label),
            "bayes_factor": round(2**self.log2_factor, 6),
            "log2_bayes_factor": round(self.log2_factor, 3),
        }


@dataclass(frozen=True)
class Score:
    steps: tuple[Step, ...]

    @property
    def match_weight(self) -> float:
        return sum(s.log2_factor for s in self.steps)

    @property
    def probability(self) -> float:
        odds = 2**self.match_weight
        return odds / (1 + odds)

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    def reasons(self) -> dict:
        """What a decision keeps of the comparison: levels and weights, never the values."""
        return {
            "match_weight": round(self.match_weight, 3),
            "probability": round(self.probability, 4),
            "steps": [s.as_dict() for s in self.steps],
        }


def _name_level(a: Identity, b: Identity) -> str | None:
    if not a.names or not b.names:
        return None
    best = len(_NAME_ORDER) - 1
    for name_a in a.names:
        for name_b in b.names:
            best = min(best, _NAME_ORDER.index(_compare_names(name_a, name_b)))
    return _NAME_ORDER[best]


def _compare_names(name_a: str, name_b: str) -> str:
    ta, tb = keys.name_tokens(name_a), keys.name_tokens(name_b)
    if not ta or not tb:
        return "different"
    if set(ta) == set(tb):
        return "exact"
    pa, pb = set(keys.phonetic_codes(ta)), set(keys.phonetic_codes(tb))
    if pa == pb:
        return "phonetic"
    if JaroWinkler.normalized_similarity(" ".join(sorted(ta)), " ".join(sorted(tb))) >= SIMILAR_NAME:
        return "similar"
    if set(ta) & set(tb) or pa & pb:
        return "partial"
    return "different"


def _dob_level(a: Identity, b: Identity) -> str | None:
    x, y = a.date_of_birth, b.date_of_birth
    if x is None or y is None:
        return None
    if x == y:
        return "exact"
    if keys.swapped(x) == y:
        return "swapped"
    if (x.month, x.day) == (y.month, y.day) and abs(x.year - y.year) == 1:
        return "year_off"
    return "different"


def _document_level(a: Identity, b: Identity) -> str | None:
    pairs = [(x.number, y.number) for x in a.documents for y in b.documents if x.type == y.type]
    if not pairs:
        return None
    distance = min(Levenshtein.distance(x, y) for x, y in pairs)
    return "exact" if distance == 0 else "one_edit" if distance == 1 else "different"


def _coded_level(x: str, y: str) -> str | None:
    if not x or not y or "unknown" in (x, y):
        return None
    return "agree" if x == y else "different"


def score(a: Identity, b: Identity) -> Score:
    prior = math.log2(PRIOR / (1 - PRIOR))
    steps = [Step("prior", "prior", _("one registration in a thousand is a person already known"), prior)]
    levels = {
        "name": _name_level(a, b),
        "date_of_birth": _dob_level(a, b),
        "document": _document_level(a, b),
        "sex": _coded_level(a.sex, b.sex),
        "citizenship": _coded_level(a.citizenship, b.citizenship),
    }
    for field, code in levels.items():
        if code is not None:
            level = LEVELS[field][code]
            steps.append(Step(field, code, level.label, level.log2_factor))
    return Score(tuple(steps))
