"""Batch deduplication with Splink on DuckDB, in memory: the comparisons, the blocking rules, the
unsupervised training (u by random sampling, m by expectation maximisation) and the explanation of
each pair in the candidate panel's format (``scoring.Step``).

This module knows records, not persons: a record is a dict of normalised fields (see ``record``),
so the benchmarks run the same model on the FEBRL data sets. ``dedupe`` builds the records of
persons; nothing here touches the database of Lindung or the disk: DuckDB runs in memory with
spilling to disk turned off, so decrypted names never leave the process.
"""

import contextlib
import datetime
import logging
import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import keys
from .scoring import SIMILAR_NAME, Score, Step

# Pairs from this probability up are kept.
THRESHOLD = 0.5
SEED = 17
COLUMNS = [
    "unique_id",
    "given_key",
    "given_phonetic",
    "family_key",
    "family_phonetic",
    "dob",
    "dob_year",
    "document",
    "sex",
    "citizenship",
]

# level code -> label, per compared field; the labels say what agreed, never a value.
LEVELS = {
    "given_name": {
        "exact": _("same given name once written in Latin letters"),
        "phonetic": _("given names sound the same"),
        "similar": _("given names spelt alike"),
        "different": _("different given names"),
    },
    "family_name": {
        "exact": _("same family name once written in Latin letters"),
        "phonetic": _("family names sound the same"),
        "similar": _("family names spelt alike"),
        "different": _("different family names"),
    },
    "date_of_birth": {
        "exact": _("same date of birth"),
        "swapped": _("day and month swapped"),
        "one_typo": _("dates of birth one character apart"),
        "year_off": _("year one apart"),
        "different": _("different dates of birth"),
    },
    "document": {
        "exact": _("same document number"),
        "one_edit": _("document numbers one character apart"),
        "different": _("different document numbers"),
    },
    "sex": {"agree": _("same sex"), "different": _("different sex")},
    "citizenship": {"agree": _("same citizenship"), "different": _("different citizenship")},
}


def _name_key(text: str) -> tuple[str, str]:
    tokens = keys.name_tokens(text or "")
    return " ".join(tokens), " ".join(sorted(keys.phonetic_codes(tokens)))


def record(
    unique_id, *, given_name="", family_name="", date_of_birth=None, document="", sex="", citizenship=""
) -> dict:
    """One row of the frame: names folded and transliterated as the duplicate check does (so
    "Мухаммад" and "Mukhammad" give the same key), the date as ISO text, the document number
    normalised; blanks as None (Splink's null level: the field adds nothing)."""
    given, given_ph = _name_key(given_name)
    family, family_ph = _name_key(family_name)
    is_date = isinstance(date_of_birth, datetime.date)
    dob = date_of_birth.isoformat() if is_date else (date_of_birth or None)
    number = keys.document_number(document or "")
    row = {
        "unique_id": unique_id,
        "given_key": given,
        "given_phonetic": given_ph,
        "family_key": family,
        "family_phonetic": family_ph,
        "dob": dob,
        "dob_year": dob[:4] if dob else None,
        "document": number,
        "sex": sex if sex and sex != "unknown" else None,
        "citizenship": citizenship or None,
    }
    return {k: (v if v not in ("", None) else None) for k, v in row.items()} | {"unique_id": unique_id}


def _name_comparison(field, key, phonetic):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=field,
        comparison_levels=[
            cll.NullLevel(key),
            cll.CustomLevel(f'"{key}_l" = "{key}_r"', label_for_charts="exact"),
            cll.CustomLevel(f'"{phonetic}_l" = "{phonetic}_r"', label_for_charts="phonetic"),
            cll.CustomLevel(
                f'jaro_winkler_similarity("{key}_l", "{key}_r") >= {SIMILAR_NAME}', label_for_charts="similar"
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _dob_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    # ISO dates: day and month exchanged, or the same day and month a year apart.
    swapped = (
        'substr("dob_l", 1, 4) = substr("dob_r", 1, 4) AND substr("dob_l", 6, 2) = substr("dob_r", 9, 2) '
        'AND substr("dob_l", 9, 2) = substr("dob_r", 6, 2)'
    )
    year_off = (
        'substr("dob_l", 5) = substr("dob_r", 5) '
        'AND abs(try_cast("dob_year_l" AS INTEGER) - try_cast("dob_year_r" AS INTEGER)) = 1'
    )
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.CustomLevel('"dob_l" = "dob_r"', label_for_charts="exact"),
            cll.CustomLevel(swapped, label_for_charts="swapped"),
            cll.CustomLevel('damerau_levenshtein("dob_l", "dob_r") <= 1', label_for_charts="one_typo"),
            cll.CustomLevel(year_off, label_for_charts="year_off"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _document_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="document",
        comparison_levels=[
            cll.NullLevel("document"),
            cll.CustomLevel('"document_l" = "document_r"', label_for_charts="exact"),
            cll.CustomLevel('levenshtein("document_l", "document_r") <= 1', label_for_charts="one_edit"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _coded_comparison(field):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=field,
        comparison_levels=[
            cll.NullLevel(field),
            cll.CustomLevel(f'"{field}_l" = "{field}_r"', label_for_charts="agree"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _settings(link_type):
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type=link_type,
        comparisons=[
            _name_comparison("given_name", "given_key", "given_phonetic"),
            _name_comparison("family_name", "family_key", "family_phonetic"),
            _dob_comparison(),
            _document_comparison(),
            _coded_comparison("sex"),
            _coded_comparison("citizenship"),
        ],
        # A pair is compared when it shares one of these; each catches what the others miss
        # (a misspelt name, a wrong date, a missing document).
        blocking_rules_to_generate_predictions=[
            block_on("given_phonetic", "family_phonetic"),
            block_on("family_phonetic", "dob_year"),
            block_on("given_phonetic", "dob"),
            block_on("dob", "sex"),
            block_on("document"),
        ],
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=[],
    )


class TooLittleData(Exception):
    """Too few records or pairs for Splink to estimate a usable model."""


@dataclass(frozen=True)
class Pair:
    left: object
    right: object
    probability: float
    match_weight: float
    steps: tuple[Step, ...]

    def explanation(self) -> dict:
        """The candidate panel's ``reasons`` shape: levels and weights, never a value."""
        return {
            "match_weight": round(self.match_weight, 3),
            "probability": round(self.probability, 4),
            "steps": [s.as_dict() for s in self.steps],
        }


@dataclass(frozen=True)
class Result:
    pairs: list[Pair]
    parameters: dict  # the trained model: prior and m/u of every level (no values)
    compared: int


def _connection():
    import duckdb

    con = duckdb.connect(":memory:")
    # No spilling: whatever does not fit in memory fails instead of being written to disk.
    con.execute("SET temp_directory = ''")
    return con


def _parameters(linker) -> dict:
    model = linker.misc.save_model_to_json()
    out = {"probability_two_random_records_match": model["probability_two_random_records_match"]}
    for comparison in model["comparisons"]:
        out[comparison["output_column_name"]] = {
            level.get("label_for_charts"): {"m": level.get("m_probability"), "u": level.get("u_probability")}
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
        }
    return out


PRIOR_LABEL = _("prior estimated from the data")


def score_of(explanation: dict) -> Score:
    """The stored explanation of a pair as a ``Score``, with today's labels in the user's language,
    so the candidate panel's table shows it."""
    steps = []
    for step in explanation.get("steps", []):
        field, level = step.get("field", ""), step.get("level", "")
        label = PRIOR_LABEL if field == "prior" else LEVELS.get(field, {}).get(level, level)
        steps.append(Step(field, level, label, float(step.get("log2_bayes_factor", 0))))
    return Score(tuple(steps))


def _steps(row, prior_log2, gamma_codes) -> tuple[Step, ...]:
    steps = [Step("prior", "prior", PRIOR_LABEL, prior_log2)]
    for field, codes in gamma_codes.items():
        gamma = int(row[f"gamma_{field}"])
        if gamma < 0:  # null on one side: the field adds nothing
            continue
        code = codes[gamma]
        steps.append(Step(field, code, LEVELS[field][code], float(row[f"mw_{field}"])))
    return tuple(steps)


def _gamma_codes(linker) -> dict[str, dict[int, str]]:
    """{field: {comparison vector value: level code}}: Splink numbers the levels from the last
    (else, 0) up to the first, the null level being -1."""
    model = linker.misc.save_model_to_json()
    out = {}
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        out[comparison["output_column_name"]] = {
            len(levels) - 1 - i: lv["label_for_charts"] for i, lv in enumerate(levels)
        }
    return out


def run(records: list[dict], *, other=None, threshold=THRESHOLD, seed=SEED, max_pairs=1e6) -> Result:
    """Train a model on ``records`` without labels and return the pairs at or above ``threshold``,
    best first: duplicates within ``records``, or, given ``other``, the links between the two
    lists (the FEBRL4 benchmark)."""
    import pandas as pd
    from splink import DuckDBAPI, Linker, block_on

    db_api = DuckDBAPI(_connection())
    frames = [pd.DataFrame.from_records(r, columns=COLUMNS) for r in (records, other) if r is not None]
    tables = [db_api.register(frame) for frame in frames]
    link_type = "dedupe_only" if other is None else "link_only"
    # Splink's warnings name fields and levels (never values) and are about training only.
    linker = Linker(tables if other is not None else tables[0], _settings(link_type), log_level=logging.ERROR)
    from splink.internals.exceptions import EMTrainingException

    # With no sure pair at all, Splink's default prior stays.
    with contextlib.suppress(ValueError, ZeroDivisionError):
        linker.training.estimate_probability_two_random_records_match(
            [block_on("given_key", "family_key", "dob"), block_on("document")], recall=0.7
        )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    # Each pass fixes what it blocks on and estimates the m of the others. A small organisation
    # may have no pair sharing a date of birth: that pass is skipped and Splink's defaults stay.
    passes = 0
    for rule in (block_on("dob"), block_on("given_phonetic", "family_phonetic")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
            passes += 1
        except (EMTrainingException, ValueError):  # no pair, or too few to estimate from
            continue
    try:
        predictions = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    except ValueError as exc:  # a level estimated at m = 0 or 1 from a handful of pairs
        raise TooLittleData from exc
    parameters = _parameters(linker) | {"em_passes": passes}
    p = parameters["probability_two_random_records_match"]
    prior_log2 = math.log2(p / (1 - p))
    codes = _gamma_codes(linker)
    pairs = [
        Pair(
            row["unique_id_l"],
            row["unique_id_r"],
            float(row["match_probability"]),
            float(row["match_weight"]),
            _steps(row, prior_log2, codes),
        )
        for row in predictions.to_dict("records")
    ]
    pairs.sort(key=lambda pr: (-pr.match_weight, str(pr.left), str(pr.right)))
    return Result(pairs=pairs, parameters=parameters, compared=sum(len(f) for f in frames))
