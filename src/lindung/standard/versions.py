"""What each version of the standard is, and what changed between two versions."""

from dataclasses import dataclass, field
from functools import cache

from lindung.core.yamlfiles import read_yaml

from . import registry

VARIABLE_FIELDS = (
    "type",
    "code_list",
    "requirement",
    "sensitivity",
    "quasi_identifier",
    "hxl",
    "crosswalk",
    "constraints",
)


@cache
def _meta() -> dict:
    path = registry.DEFINITIONS_DIR / "versions.yaml"
    return read_yaml(path) if path.exists() else {}


def describe(version: str) -> dict:
    meta = _meta().get(version, {})
    return {
        "version": version,
        "status": meta.get("status", "draft"),
        "released": str(meta.get("released", "")),
        "summary": registry._text(meta.get("summary", "")),
        "current": version == registry.current_version(),
    }


def all_versions() -> list[dict]:
    return [describe(v) for v in reversed(registry.versions())]


def changelog() -> str:
    path = registry.DEFINITIONS_DIR / "CHANGELOG.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@dataclass
class Change:
    id: str
    what: list = field(default_factory=list)  # (field, old, new)


@dataclass
class Diff:
    old: str
    new: str
    domains_added: list = field(default_factory=list)
    domains_removed: list = field(default_factory=list)
    variables_added: list = field(default_factory=list)
    variables_removed: list = field(default_factory=list)
    variables_changed: list = field(default_factory=list)
    lists_added: list = field(default_factory=list)
    lists_removed: list = field(default_factory=list)
    lists_changed: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.domains_added,
                self.domains_removed,
                self.variables_added,
                self.variables_removed,
                self.variables_changed,
                self.lists_added,
                self.lists_removed,
                self.lists_changed,
            )
        )

    def as_dict(self) -> dict:
        return {
            "from": self.old,
            "to": self.new,
            "domains": {"added": self.domains_added, "removed": self.domains_removed},
            "variables": {
                "added": self.variables_added,
                "removed": self.variables_removed,
                "changed": [
                    {"id": c.id, "changes": [list(w) for w in c.what]} for c in self.variables_changed
                ],
            },
            "code_lists": {
                "added": self.lists_added,
                "removed": self.lists_removed,
                "changed": [{"id": c.id, "changes": [list(w) for w in c.what]} for c in self.lists_changed],
            },
        }


def compare(old_version: str, new_version: str) -> Diff:
    old, new = registry.load(old_version), registry.load(new_version)
    diff = Diff(old.version, new.version)
    diff.domains_added = sorted(set(new.domains) - set(old.domains))
    diff.domains_removed = sorted(set(old.domains) - set(new.domains))
    diff.variables_added = sorted(set(new.variables) - set(old.variables))
    diff.variables_removed = sorted(set(old.variables) - set(new.variables))
    for var_id in sorted(set(old.variables) & set(new.variables)):
        a, b = old.variables[var_id], new.variables[var_id]
        what = [(f, getattr(a, f), getattr(b, f)) for f in VARIABLE_FIELDS if getattr(a, f) != getattr(b, f)]
        if a.labels.get("en") != b.labels.get("en"):
            what.append(("label", a.labels.get("en"), b.labels.get("en")))
        if a.definitions.get("en") != b.definitions.get("en"):
            what.append(("definition", a.definitions.get("en"), b.definitions.get("en")))
        if what:
            diff.variables_changed.append(Change(var_id, what))
    diff.lists_added = sorted(set(new.code_lists) - set(old.code_lists))
    diff.lists_removed = sorted(set(old.code_lists) - set(new.code_lists))
    for list_id in sorted(set(old.code_lists) & set(new.code_lists)):
        a = {c.code: c for c in old.code_lists[list_id].codes}
        b = {c.code: c for c in new.code_lists[list_id].codes}
        what = [("code added", "", code) for code in b if code not in a]
        what += [("code removed", code, "") for code in a if code not in b]
        for code in a.keys() & b.keys():
            if a[code].labels.get("en") != b[code].labels.get("en"):
                what.append((f"label of {code}", a[code].labels.get("en"), b[code].labels.get("en")))
            if a[code].crosswalk != b[code].crosswalk:
                what.append((f"crosswalk of {code}", a[code].crosswalk, b[code].crosswalk))
        if what:
            diff.lists_changed.append(
                Change(list_id, sorted(what, key=lambda w: (w[0], str(w[1]), str(w[2]))))
            )
    return diff
