"""Profiles: which columns a file may have, how each is checked, and how it maps to the standard.

``lindung``: one column per variable of the standard, named by the variable id; multi-code
variables hold codes separated by spaces (as XLSForm select_multiple does). ``ctdc``: the Counter
Trafficking Data Collaborative global dataset layout, mapped to the standard through the CTDC
crosswalk in the definitions (``-99`` and blank mean unknown; the ``is*``, ``meansOfControl*``,
``typeOfLabour*``, ``typeOfSex*`` and ``recruiterRelation*`` families are 0/1 flags, one per code).
"""

from dataclasses import dataclass, field

import polars as pl

from . import registry

# Domains whose core variables every file must carry; any other domain's core variables are
# required only when the file has at least one column of that domain.
ALWAYS_REQUIRED_DOMAINS = ("record", "person")
FLAG_VALUES = frozenset({"0", "1"})
BOOLEAN_TRUE = frozenset({"true", "1", "yes"})
BOOLEAN_VALUES = BOOLEAN_TRUE | {"false", "0", "no"}

# Spellings of older CTDC releases (2019-2020 global dataset) next to the current crosswalk.
CTDC_ALIASES = {
    "sex": {"Female": "F", "Male": "M", "Transgender/NonConforming": "X"},
}
# Published CTDC columns the standard derives from others or does not keep: accepted, not imported.
CTDC_IGNORED = {
    "isSexAndLabour": "flag",
    "majorityStatusAtExploit": "majority",
    "majorityEntry": "majority",
    "RecruiterRelationship": "text",
    "typeOfExploitConcatenated": "text",
    "meansOfControlConcatenated": "text",
    "typeOfLabourConcatenated": "text",
    "typeOfSexConcatenated": "text",
}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str  # code | codes | integer | decimal | year | date | boolean | text | flag
    variable: str = ""
    allowed: frozenset = frozenset()
    list_id: str = ""
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    domain: str = ""
    not_before: str = ""
    imported: bool = True


@dataclass
class Profile:
    name: str
    version: str
    columns: dict = field(default_factory=dict)
    null_tokens: frozenset = frozenset({""})

    def required_columns(self, header) -> list[str]:
        present_domains = {self.columns[h].domain for h in header if h in self.columns}
        return [
            spec.name
            for spec in self.columns.values()
            if spec.required and (spec.domain in ALWAYS_REQUIRED_DOMAINS or spec.domain in present_domains)
        ]


def get(name: str, version: str | None = None) -> Profile:
    standard = registry.load(version)
    if name == "lindung":
        return _lindung(standard)
    if name == "ctdc":
        return _ctdc(standard)
    raise LookupError(f"unknown profile {name!r}: use lindung or ctdc")


def _lindung(standard) -> Profile:
    profile = Profile("lindung", standard.version)
    for var in standard.variables.values():
        allowed = frozenset(standard.code_lists[var.code_list].values()) if var.code_list else frozenset()
        profile.columns[var.id] = ColumnSpec(
            name=var.id,
            kind=var.type,
            variable=var.id,
            allowed=allowed,
            list_id=var.code_list,
            minimum=var.constraints.get("minimum"),
            maximum=var.constraints.get("maximum"),
            required=var.requirement == "core",
            domain=var.domain,
            not_before=var.constraints.get("not_before", ""),
            imported=var.sensitivity != "direct_identifier",
        )
    return profile


def is_flag_family(var) -> bool:
    return str(var.crosswalk.get("ctdc", "")).endswith("*")


def _ctdc(standard) -> Profile:
    profile = Profile("ctdc", standard.version, null_tokens=frozenset({"", "-99"}))
    for var in standard.variables.values():
        column = var.crosswalk.get("ctdc")
        if not column:
            continue
        if is_flag_family(var):
            for code in standard.code_lists[var.code_list].codes:
                if code.crosswalk.get("ctdc"):
                    name = code.crosswalk["ctdc"]
                    profile.columns[name] = ColumnSpec(
                        name=name, kind="flag", variable=var.id, allowed=FLAG_VALUES, domain=var.domain
                    )
            continue
        if var.code_list == "country":
            kind, allowed = (
                "code",
                frozenset(c.crosswalk["iso2"] for c in standard.code_lists["country"].codes),
            )
        elif var.code_list:
            kind, allowed = "code", frozenset(ctdc_code_map(standard, var).keys())
        else:
            kind, allowed = var.type, frozenset()
        profile.columns[column] = ColumnSpec(
            name=column,
            kind=kind,
            variable=var.id,
            allowed=allowed - profile.null_tokens,
            list_id=var.code_list,
            minimum=var.constraints.get("minimum"),
            maximum=var.constraints.get("maximum"),
            required=var.requirement == "core",
            domain="record",
        )
    majority = profile.columns.get("majorityStatus")
    for name, kind in CTDC_IGNORED.items():
        if kind == "majority" and majority is not None:
            profile.columns[name] = ColumnSpec(
                name=name, kind="code", allowed=majority.allowed, imported=False
            )
        elif kind == "flag":
            profile.columns[name] = ColumnSpec(name=name, kind="flag", allowed=FLAG_VALUES, imported=False)
        else:
            profile.columns[name] = ColumnSpec(name=name, kind="text", imported=False)
    return profile


def ctdc_code_map(standard, var) -> dict[str, str]:
    """{CTDC value: standard code} for a single-code variable (aliases of older releases too)."""
    mapping = {
        c.crosswalk["ctdc"]: c.code
        for c in standard.code_lists[var.code_list].codes
        if c.crosswalk.get("ctdc") and c.crosswalk["ctdc"] != "-99"
    }
    mapping.update(CTDC_ALIASES.get(var.id, {}))
    return mapping


# mapping to the standard -----------------------------------------------------------------------


def standardise(frame: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """The cleaned frame (already validated) as standard variables; direct identifiers dropped.

    Multi-code variables come out as space-separated codes in a fixed order, so that equal
    content gives equal rows whatever the order or separators of the source."""
    standard = registry.load(profile.version)
    if profile.name == "ctdc":
        return _from_ctdc(frame, profile, standard)
    exprs = []
    for name in frame.columns:
        spec = profile.columns.get(name)
        if spec is None or not spec.imported:
            continue
        if spec.kind == "codes":
            order = standard.code_lists[spec.list_id].values()
            exprs.append(_ordered_codes(pl.col(name), order).alias(name))
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs)


def _ordered_codes(expr: pl.Expr, order: list[str]) -> pl.Expr:
    rank = {code: i for i, code in enumerate(order)}
    tokens = expr.str.replace_all(r"[;,]", " ").str.split(" ")
    return (
        tokens.list.eval(pl.element().filter(pl.element() != ""))
        .list.eval(pl.element().sort_by(pl.element().replace_strict(rank, default=len(rank))))
        .list.unique(maintain_order=True)
        .list.join(" ")
        .replace("", None)
    )


def _from_ctdc(frame: pl.DataFrame, profile: Profile, standard) -> pl.DataFrame:
    exprs = []
    families: dict[str, list] = {}
    for name in frame.columns:
        spec = profile.columns[name]
        if not spec.imported:
            continue
        if spec.kind == "flag":
            families.setdefault(spec.variable, []).append(name)
            continue
        var = standard.variables[spec.variable]
        if var.code_list == "country":
            iso = {c.crosswalk["iso2"]: c.code for c in standard.code_lists["country"].codes}
            exprs.append(pl.col(name).replace_strict(iso, default=None).alias(var.id))
        elif var.code_list:
            mapping = ctdc_code_map(standard, var)
            unknown = _unknown_code(standard, var.code_list)
            expr = pl.col(name).replace_strict(mapping, default=None)
            if unknown:
                expr = expr.fill_null(pl.lit(unknown))
            exprs.append(expr.alias(var.id))
        elif var.type in ("integer", "year"):
            exprs.append(pl.col(name).cast(pl.Int64).alias(var.id))
        else:
            exprs.append(pl.col(name).alias(var.id))
    for var_id, columns in families.items():
        var = standard.variables[var_id]
        by_column = {c.crosswalk.get("ctdc"): c.code for c in standard.code_lists[var.code_list].codes}
        ordered = [c for c in standard.code_lists[var.code_list].codes if c.crosswalk.get("ctdc") in columns]
        parts = [
            pl.when(pl.col(c.crosswalk["ctdc"]) == "1").then(pl.lit(by_column[c.crosswalk["ctdc"]]))
            for c in ordered
        ]
        exprs.append(pl.concat_str(parts, separator=" ", ignore_nulls=True).replace("", None).alias(var_id))
    return frame.select(exprs)


def _unknown_code(standard, list_id: str) -> str:
    return (
        "unknown"
        if standard.code_lists[list_id].get("unknown")
        else ("U" if standard.code_lists[list_id].get("U") else "")
    )
