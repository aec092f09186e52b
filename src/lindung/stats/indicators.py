"""Indicator definitions, loaded from versioned YAML files (see indicators/README.md)."""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from lindung.core.yamlfiles import read_yaml
from lindung.standard.registry import _text

from . import sources
from .dimensions import DIMENSIONS

DEFINITIONS_DIR = Path(__file__).resolve().parent / "indicators"
MEASURES = ("count", "sum", "share", "median_days")
ADDITIVE = ("count", "sum")
DEFAULT_DISAGGREGATIONS = ("sex", "age_group")


class UnknownIndicator(LookupError):
    pass


@dataclass(frozen=True)
class Indicator:
    id: str
    version: str
    names: dict
    descriptions: dict
    source: str
    measure: dict
    dimensions: tuple
    default_by: tuple
    disaggregations: tuple
    hxl: str = "#indicator+num"
    period: str = ""
    where: dict = field(default_factory=dict)
    theme: str = ""

    @property
    def name(self) -> str:
        return _text(self.names)

    @property
    def description(self) -> str:
        return _text(self.descriptions)

    @property
    def measure_type(self) -> str:
        return self.measure["type"]

    @property
    def additive(self) -> bool:
        return self.measure_type in ADDITIVE

    @property
    def source_adapter(self) -> sources.Source:
        return sources.get(self.source)

    @property
    def unit(self) -> str:
        if self.measure_type == "share":
            return _("percent")
        if self.measure_type == "median_days":
            return _("days (median)")
        if self.measure_type == "sum":
            return _("persons")
        return str(self.source_adapter.unit)

    def needed_fields(self) -> list[str]:
        wanted = [self.measure.get("field"), self.measure.get("condition")]
        wanted += [k for k in self.where if k not in DIMENSIONS]
        return [f for f in wanted if f]

    @property
    def sdmx_id(self) -> str:
        return self.id.upper()


def versions() -> list[str]:
    return sorted(p.name for p in DEFINITIONS_DIR.iterdir() if p.is_dir())


def current_version() -> str:
    return versions()[-1]


def _check(raw: dict, path: Path) -> None:
    where = f"{path.parent.name}/{path.name}, indicator {raw.get('id', '?')!r}"
    for key in ("id", "name", "source", "measure", "dimensions", "default_by"):
        if key not in raw:
            raise ValueError(f"{where}: missing {key!r}")
    if raw["source"] not in sources.SOURCES:
        raise ValueError(f"{where}: unknown source {raw['source']!r}")
    source = sources.get(raw["source"])
    measure = raw["measure"]
    if measure.get("type") not in MEASURES:
        raise ValueError(f"{where}: measure type must be one of {MEASURES}")
    for key in ("field", "condition"):
        if measure.get(key) and measure[key] not in source.fields():
            raise ValueError(f"{where}: the source has no field {measure[key]!r}")
    offered = source.dimensions()
    for dimension in [*raw["dimensions"], *raw.get("where", {})]:
        if dimension not in offered and dimension not in source.fields():
            raise ValueError(f"{where}: the source has no dimension {dimension!r}")
    for dimension in raw["default_by"]:
        if dimension not in raw["dimensions"]:
            raise ValueError(f"{where}: default_by names {dimension!r}, which is not among its dimensions")
    if raw.get("period") and raw["period"] not in source.periods:
        raise ValueError(f"{where}: the source has no period {raw['period']!r}")


@cache
def load(version: str | None = None) -> dict[str, Indicator]:
    version = version or current_version()
    folder = DEFINITIONS_DIR / version
    if not folder.is_dir():
        raise UnknownIndicator(f"no indicator set {version!r}; known: {', '.join(versions())}")
    found: dict[str, Indicator] = {}
    for path in sorted(folder.glob("*.yaml")):
        doc = read_yaml(path) or {}
        for raw in doc.get("indicators", []):
            _check(raw, path)
            if raw["id"] in found:
                raise ValueError(f"{path.name}: indicator {raw['id']!r} is defined twice")
            dims = tuple(raw["dimensions"])
            found[raw["id"]] = Indicator(
                id=raw["id"],
                version=version,
                names=raw["name"],
                descriptions=raw.get("description", {}),
                source=raw["source"],
                measure=dict(raw["measure"]),
                dimensions=dims,
                default_by=tuple(raw["default_by"]),
                disaggregations=tuple(
                    raw.get("disaggregations", [d for d in DEFAULT_DISAGGREGATIONS if d in dims])
                ),
                hxl=raw.get("hxl", "#indicator+num"),
                period=raw.get("period", ""),
                where=dict(raw.get("where", {})),
                theme=path.stem,
            )
    return found


def get(indicator_id: str, version: str | None = None) -> Indicator:
    found = load(version).get(indicator_id)
    if found is None:
        raise UnknownIndicator(
            _("Unknown indicator %(id)s. Known indicators: %(known)s.")
            % {"id": indicator_id, "known": ", ".join(sorted(load(version)))}
        )
    return found


def all_indicators(version: str | None = None) -> list[Indicator]:
    return list(load(version).values())
