"""Profiles: which columns a file may have, how each is checked, and how it maps to the standard.

``lindung``: one column per variable of the standard, named by the variable id; multi-code
variables hold codes separated by spaces (as XLSForm select_multiple does). ``ctdc``: the Counter
Trafficking Data Collaborative global dataset layout, mapped to the standard through the CTDC
crosswalk in the definitions (``-99`` and blank mean unknown; the ``is*``, ``meansOfControl*``,
``typeOfLabour*``, ``typeOfSex*`` and ``recruiterRelation*`` families are 0/1 flags, one per code).
"""

from dataclasses import dataclass, field
from functools import cache

import polars as pl

from lindung.core.yamlfiles import read_yaml

from . import registry

# Domains whose core variables every file must carry; any other domain's core variables are
# required only when the file has at least one column of that domain.
ALWAYS_REQUIRED_DOMAINS = ("record", "person")
FLAG_VALUES = frozenset({"0", "1"})
BOOLEAN_TRUE = frozenset({"true", "1", "yes"})
BOOLEAN_VALUES = BOOLEAN_TRUE | {"false", "0", "no"}

CTDC_RELEASES_FILE = registry.DEFINITIONS_DIR / "ctdc_releases.yaml"
# What a CTDC import keeps beside the standard variables, so that a record can be written back as
# it was read: the cells of the columns the standard does not hold ("ctdc:<column>"), the columns
# whose cell said "not recorded" (-99) and those left blank, each a space-separated list.
CTDC_LAYOUT = "_layout"
CTDC_CELL = "ctdc:"
CTDC_NOT_RECORDED = "_ctdc_not_recorded"
CTDC_BLANK = "_ctdc_blank"
NOT_RECORDED = "-99"

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
    """{CTDC value: standard code} for a single-code variable (aliases of older releases and the
    spellings of every release too)."""
    mapping = {
        c.crosswalk["ctdc"]: c.code
        for c in standard.code_lists[var.code_list].codes
        if c.crosswalk.get("ctdc") and c.crosswalk["ctdc"] != NOT_RECORDED
    }
    mapping.update(CTDC_ALIASES.get(var.id, {}))
    for release in ctdc_releases().values():
        mapping.update({value: code for code, value in release.codes.get(var.id, {}).items()})
    return mapping


@dataclass(frozen=True)
class CtdcRelease:
    """One published layout of the CTDC global dataset (see definitions/ctdc_releases.yaml)."""

    id: str
    labels: dict
    notice: str = ""
    separator: str = ";"
    codes: dict = field(default_factory=dict)
    columns: tuple = ()
    default: bool = False

    @property
    def label(self) -> str:
        return registry._text(self.labels)

    def header(self, profile: Profile) -> list[str]:
        """The columns in the release's order (after the notice column, if any)."""
        if self.columns:
            return list(self.columns)
        return [name for name, spec in profile.columns.items() if spec.imported]


@cache
def ctdc_releases() -> dict[str, CtdcRelease]:
    doc = read_yaml(CTDC_RELEASES_FILE) or {}
    releases = {}
    for raw in doc.get("releases", []):
        releases[raw["id"]] = CtdcRelease(
            id=raw["id"],
            labels=raw.get("label", {"en": raw["id"]}),
            notice=raw.get("notice", ""),
            separator=raw.get("separator", ";"),
            codes={
                var: {str(k): str(v) for k, v in codes.items()}
                for var, codes in raw.get("labels", {}).items()
            },
            columns=tuple(raw.get("columns", ())),
            default=bool(raw.get("default", False)),
        )
    return releases


def ctdc_release(release_id: str | None = None) -> CtdcRelease:
    releases = ctdc_releases()
    if release_id is None:
        return next(r for r in releases.values() if r.default)
    if release_id not in releases:
        raise LookupError(f"unknown CTDC release {release_id!r}: use one of {', '.join(releases)}")
    return releases[release_id]


# mapping to the standard -----------------------------------------------------------------------


def standardise(frame: pl.DataFrame, profile: Profile, source: pl.DataFrame | None = None) -> pl.DataFrame:
    """The cleaned frame (already validated) as standard variables; direct identifiers dropped.

    Multi-code variables come out as space-separated codes in a fixed order, so that equal
    content gives equal rows whatever the order or separators of the source. ``source`` (the
    cells as written) lets a CTDC import keep "no", "not recorded" and "blank" apart."""
    standard = registry.load(profile.version)
    if profile.name == "ctdc":
        converted = _from_ctdc(frame, profile, standard)
        return (
            converted
            if source is None
            else pl.concat([converted, _ctdc_cells(source, profile)], how="horizontal")
        )
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


def _ctdc_cells(source: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """What the standard variables cannot say about a CTDC row: see CTDC_LAYOUT."""
    cells = {name: pl.col(name).str.strip_chars().fill_null("") for name in source.columns}
    exprs = [pl.lit("ctdc").alias(CTDC_LAYOUT)]
    marked = {CTDC_NOT_RECORDED: [], CTDC_BLANK: []}
    for name, cell in cells.items():
        if not profile.columns[name].imported:
            exprs.append(cell.alias(CTDC_CELL + name))
            continue
        marked[CTDC_NOT_RECORDED].append(pl.when(cell == NOT_RECORDED).then(pl.lit(name)))
        marked[CTDC_BLANK].append(pl.when(cell == "").then(pl.lit(name)))
    # A column the file does not have is written back as empty cells, not as "no".
    absent = [name for name, spec in profile.columns.items() if spec.imported and name not in cells]
    marked[CTDC_BLANK] += [pl.lit(name) for name in absent]
    for key, parts in marked.items():
        joined = pl.concat_str(parts, separator=" ", ignore_nulls=True) if parts else pl.lit("")
        exprs.append(joined.replace("", None).alias(key))
    return source.select(exprs)


def _unknown_code(standard, list_id: str) -> str:
    return (
        "unknown"
        if standard.code_lists[list_id].get("unknown")
        else ("U" if standard.code_lists[list_id].get("U") else "")
    )
