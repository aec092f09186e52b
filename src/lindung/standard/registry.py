"""The data standard as loaded from its versioned definition files.

Definitions live in ``definitions/<version>/*.yaml``, one file per domain, reviewed like code.
Every module takes its code lists from here (``choices("sex")``), so nobody types a country, a
form of exploitation or a vulnerability category by hand.

File format (see definitions/README.md)::

    domain: person
    label: {en: Person, fr: Personne}
    variables:
      - id: sex
        label: {en: Sex, fr: Sexe}
        definition: {en: "Sex as recorded ..."}
        type: code            # code | codes | integer | decimal | date | year | text | boolean
        code_list: sex
        requirement: core     # core | recommended | optional
        sensitivity: quasi_identifier  # direct_identifier | quasi_identifier | sensitive | non_sensitive
        quasi_identifier: true  # default: sensitivity is quasi_identifier (see below)
        hxl: "#affected+f"
        crosswalk: {ctdc: gender}
    code_lists:
      - id: sex
        label: {en: Sex}
        codes:
          - {code: F, label: {en: Female, fr: Femme}, crosswalk: {ctdc: Female}}

``quasi_identifier`` says whether the variable, combined with others, can single a person out in
record-level data, as CTDC classifies the columns of its k-anonymised global dataset: year of
registration, data source, country of exploitation, majority status and the forms of exploitation
are quasi-identifiers although they are not sensitive on their own (a sensitive variable can be one
too). Record-level exports are k-anonymous on every exported quasi-identifier and l-diverse on the
sensitive variables that are not.

Two code lists are generated, not written: ``country`` (ISO 3166-1 alpha-3) and ``language``
(ISO 639-3), both from pycountry.
"""

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import pycountry
from django.utils.translation import get_language

from lindung.core.yamlfiles import read_yaml

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
GENERATED_LISTS = ("country", "language")


def _text(value, lang: str | None = None) -> str:
    """A label in the active language, falling back to English."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    lang = (lang or get_language() or "en").split("-")[0]
    return value.get(lang) or value.get("en") or next(iter(value.values()), "")


@dataclass(frozen=True)
class Code:
    code: str
    labels: dict
    crosswalk: dict = field(default_factory=dict)
    parent: str = ""

    @property
    def label(self) -> str:
        return _text(self.labels)


@dataclass(frozen=True)
class CodeList:
    id: str
    labels: dict
    codes: tuple[Code, ...]
    domain: str = ""

    @property
    def label(self) -> str:
        return _text(self.labels)

    def get(self, code: str) -> Code | None:
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict:
        # Built once per list: the generated language list has ~8,000 codes.
        return {c.code: c for c in self.codes}

    def values(self) -> list[str]:
        return [c.code for c in self.codes]


@dataclass(frozen=True)
class Variable:
    id: str
    domain: str
    labels: dict
    definitions: dict
    type: str
    code_list: str = ""
    requirement: str = "optional"
    sensitivity: str = "non_sensitive"
    quasi_identifier: bool = False
    hxl: str = ""
    crosswalk: dict = field(default_factory=dict)
    constraints: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return _text(self.labels)

    @property
    def definition(self) -> str:
        return _text(self.definitions)


@dataclass
class Standard:
    version: str
    domains: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    code_lists: dict = field(default_factory=dict)


class UnknownCodeList(KeyError):
    pass


def versions() -> list[str]:
    def key(name):
        # Folder names of shipped versions ("1.0"); ASCII digits only, so int() never fails.
        return tuple(int(p) if p.isascii() and p.isdigit() else p for p in name.split("."))

    return sorted((p.name for p in DEFINITIONS_DIR.iterdir() if p.is_dir()), key=key)


def current_version() -> str:
    return versions()[-1]


def _country_list() -> CodeList:
    codes = tuple(
        Code(c.alpha_3, {"en": c.name}, {"iso2": c.alpha_2})
        for c in sorted(pycountry.countries, key=lambda c: c.name)
    )
    return CodeList("country", {"en": "Country (ISO 3166-1 alpha-3)"}, codes, "generated")


def _language_list() -> CodeList:
    codes = tuple(
        Code(lang.alpha_3, {"en": lang.name}, {"iso639_1": getattr(lang, "alpha_2", "")})
        for lang in sorted(pycountry.languages, key=lambda lang: lang.name)
        if getattr(lang, "type", "") == "L" and getattr(lang, "scope", "") in ("I", "M")
    )
    return CodeList("language", {"en": "Language (ISO 639-3)"}, codes, "generated")


@cache
def load(version: str | None = None) -> Standard:
    version = version or current_version()
    folder = DEFINITIONS_DIR / version
    if not folder.is_dir():
        raise LookupError(f"no standard version {version!r}; known: {', '.join(versions())}")
    standard = Standard(version=version)
    for path in sorted(folder.glob("*.yaml")):
        doc = read_yaml(path) or {}
        domain = doc["domain"]
        standard.domains[domain] = doc.get("label", {"en": domain})
        for raw in doc.get("code_lists", []):
            codes = tuple(
                Code(
                    str(c["code"]),
                    c.get("label", {"en": str(c["code"])}),
                    c.get("crosswalk", {}),
                    c.get("parent", ""),
                )
                for c in raw["codes"]
            )
            if raw["id"] in standard.code_lists:
                raise ValueError(f"{path.name}: code list {raw['id']!r} is defined twice")
            standard.code_lists[raw["id"]] = CodeList(
                raw["id"], raw.get("label", {"en": raw["id"]}), codes, domain
            )
        for raw in doc.get("variables", []):
            if raw["id"] in standard.variables:
                raise ValueError(f"{path.name}: variable {raw['id']!r} is defined twice")
            sensitivity = raw.get("sensitivity", "non_sensitive")
            quasi = raw.get("quasi_identifier", sensitivity == "quasi_identifier")
            if quasi not in (True, False) or (quasi and sensitivity == "direct_identifier"):
                raise ValueError(
                    f"{path.name}: variable {raw['id']!r}: quasi_identifier must be true or false, "
                    "and a direct identifier is never one (it is dropped)"
                )
            standard.variables[raw["id"]] = Variable(
                id=raw["id"],
                domain=domain,
                labels=raw.get("label", {"en": raw["id"]}),
                definitions=raw.get("definition", {}),
                type=raw["type"],
                code_list=raw.get("code_list", ""),
                requirement=raw.get("requirement", "optional"),
                sensitivity=sensitivity,
                quasi_identifier=quasi,
                hxl=raw.get("hxl", ""),
                crosswalk=raw.get("crosswalk", {}),
                constraints=raw.get("constraints", {}),
            )
    standard.code_lists["country"] = _country_list()
    standard.code_lists["language"] = _language_list()
    for variable in standard.variables.values():
        if variable.code_list and variable.code_list not in standard.code_lists:
            raise ValueError(f"variable {variable.id!r} names unknown code list {variable.code_list!r}")
    return standard


def code_list(list_id: str, version: str | None = None) -> CodeList:
    try:
        return load(version).code_lists[list_id]
    except KeyError as exc:
        raise UnknownCodeList(f"the standard {load(version).version} has no code list {list_id!r}") from exc


def choices(list_id: str, version: str | None = None) -> list[tuple[str, str]]:
    """(code, label in the active language) pairs, for model and form choices."""
    return [(c.code, c.label) for c in code_list(list_id, version).codes]


def label(list_id: str, code: str, version: str | None = None) -> str:
    found = code_list(list_id, version).get(code) if code else None
    return found.label if found else (code or "")


def is_valid(list_id: str, code: str, version: str | None = None) -> bool:
    return code_list(list_id, version).get(code) is not None


def choices_callable(list_id: str):
    """For ``models.CharField(choices=...)``: evaluated lazily, so migrations stay stable."""

    def _choices():
        return choices(list_id)

    _choices.__name__ = f"choices_{list_id}"
    return _choices
