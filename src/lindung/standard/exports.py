"""The standard in other formats: JSON Schema, Frictionless Table Schema and Data Package, XLSForm,
and the data dictionary as XLSX and PDF. Records can also be written back in the CTDC layout."""

import io
import json

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from lindung.core import spreadsheets

from . import profiles, registry

FORMATS = {
    "json-schema": ("application/schema+json", "json"),
    "table-schema": ("application/json", "json"),
    "data-package": ("application/json", "json"),
    "xlsform": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}
LANGUAGES = ("en", "fr", "ru", "th", "ms", "id")
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "ru": "Russian",
    "th": "Thai",
    "ms": "Malay",
    "id": "Indonesian",
}
JSON_TYPES = {"integer": "integer", "year": "integer", "decimal": "number", "boolean": "boolean"}
TABLE_TYPES = {
    "integer": "integer",
    "year": "year",
    "decimal": "number",
    "boolean": "boolean",
    "date": "date",
}


def render(fmt: str, version: str | None = None) -> bytes:
    standard = registry.load(version)
    builders = {
        "json-schema": lambda s: _json(json_schema(s)),
        "table-schema": lambda s: _json(table_schema(s)),
        "data-package": lambda s: _json(data_package(s)),
        "xlsform": xlsform,
        "xlsx": dictionary_xlsx,
        "pdf": dictionary_pdf,
    }
    if fmt not in builders:
        raise LookupError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return builders[fmt](standard)


def filename(fmt: str, version: str) -> str:
    return f"lindung-standard-{version}-{fmt}.{FORMATS[fmt][1]}"


def _json(doc) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False).encode()


def _en(labels) -> str:
    return registry._text(labels, "en")


def _annotations(var) -> dict:
    return {
        "domain": var.domain,
        "requirement": var.requirement,
        "sensitivity": var.sensitivity,
        "quasi_identifier": var.quasi_identifier,
        "hxl": var.hxl,
        "crosswalk": var.crosswalk,
        "code_list": var.code_list,
        "labels": var.labels,
    }


def json_schema(standard) -> dict:
    """One record as a JSON object; multi-code variables are arrays of codes."""
    props = {}
    for var in standard.variables.values():
        prop: dict = {"title": _en(var.labels), "description": _en(var.definitions)}
        codes = standard.code_lists[var.code_list].values() if var.code_list else None
        if var.type == "code":
            prop["type"] = ["string", "null"]
            prop["enum"] = [*codes, None]
        elif var.type == "codes":
            prop.update(type="array", items={"type": "string", "enum": codes}, uniqueItems=True)
        elif var.type == "date":
            prop.update(type=["string", "null"], format="date")
        else:
            prop["type"] = [JSON_TYPES.get(var.type, "string"), "null"]
        if "minimum" in var.constraints:
            prop["minimum"] = var.constraints["minimum"]
        if "maximum" in var.constraints:
            prop["maximum"] = var.constraints["maximum"]
        prop["x-lindung"] = _annotations(var)
        props[var.id] = prop
    required = [
        v.id
        for v in standard.variables.values()
        if v.requirement == "core" and v.domain in profiles.ALWAYS_REQUIRED_DOMAINS
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://lindung.example.org/standard/{standard.version}/record.schema.json",
        "title": f"Lindung data standard {standard.version}: record",
        "description": "A record about a migrant in a vulnerable situation. Core variables of a domain are "
        "required when the record covers that domain; record and person are always covered.",
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


def table_schema(standard) -> dict:
    """Frictionless Table Schema of a CSV in the ``lindung`` profile."""
    fields = []
    for var in standard.variables.values():
        field = {
            "name": var.id,
            "title": _en(var.labels),
            "description": _en(var.definitions),
            "type": TABLE_TYPES.get(var.type, "string"),
        }
        constraints = {}
        if var.type == "code":
            constraints["enum"] = standard.code_lists[var.code_list].values()
        elif var.type == "codes":
            codes = "|".join(_regex_escape(c) for c in standard.code_lists[var.code_list].values())
            constraints["pattern"] = f"(({codes})( ({codes}))*)?"
        if "minimum" in var.constraints:
            constraints["minimum"] = var.constraints["minimum"]
        if "maximum" in var.constraints:
            constraints["maximum"] = var.constraints["maximum"]
        if var.type == "boolean":
            field["trueValues"], field["falseValues"] = ["true", "1", "yes"], ["false", "0", "no"]
        if constraints:
            field["constraints"] = constraints
        field["x-lindung"] = _annotations(var)
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def _regex_escape(code: str) -> str:
    import re

    return re.escape(code)


def data_package(standard) -> dict:
    return {
        "name": f"lindung-standard-{standard.version.replace('.', '-')}",
        "title": f"Lindung data standard {standard.version}",
        "version": standard.version,
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [
            {
                "name": "records",
                "path": "records.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(standard),
            }
        ],
    }


# spreadsheets ---------------------------------------------------------------------------------


def _workbook():
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def _sheet(book, title: str, header: list[str], rows):
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    return sheet


def _save(book) -> bytes:
    return spreadsheets.workbook_bytes(book)


XLSFORM_TYPES = {
    "integer": "integer",
    "year": "integer",
    "decimal": "decimal",
    "date": "date",
    "text": "text",
    "boolean": "select_one yes_no_unknown",
}


def xlsform(standard) -> bytes:
    """An XLSForm (survey, choices, settings) asking every variable of the standard; ``choices``
    is the sheet other forms copy their lists from."""
    book = _workbook()
    label_cols = [f"label::{LANGUAGE_NAMES[lang]} ({lang})" for lang in LANGUAGES]
    survey_rows = []
    used_lists = []
    for var in standard.variables.values():
        if var.type == "code":
            kind = f"select_one {var.code_list}"
        elif var.type == "codes":
            kind = f"select_multiple {var.code_list}"
        else:
            kind = XLSFORM_TYPES.get(var.type, "text")
        list_id = kind.split(" ", 1)[1] if kind.startswith("select") else ""
        if list_id and list_id not in used_lists:
            used_lists.append(list_id)
        constraint = ""
        if "minimum" in var.constraints or "maximum" in var.constraints:
            bounds = []
            if "minimum" in var.constraints:
                bounds.append(f". >= {var.constraints['minimum']}")
            if "maximum" in var.constraints:
                bounds.append(f". <= {var.constraints['maximum']}")
            constraint = " and ".join(bounds)
        survey_rows.append(
            [
                kind,
                var.id,
                *[var.labels.get(lang, "") for lang in LANGUAGES],
                *[var.definitions.get(lang, "") for lang in LANGUAGES],
                "yes" if var.requirement == "core" else "",
                constraint,
            ]
        )
    _sheet(
        book,
        "survey",
        [
            "type",
            "name",
            *label_cols,
            *[f"hint::{LANGUAGE_NAMES[lang]} ({lang})" for lang in LANGUAGES],
            "required",
            "constraint",
        ],
        survey_rows,
    )
    choice_rows = []
    for list_id in sorted(standard.code_lists):
        for code in standard.code_lists[list_id].codes:
            choice_rows.append([list_id, code.code, *[code.labels.get(lang, "") for lang in LANGUAGES]])
    _sheet(book, "choices", ["list_name", "name", *label_cols], choice_rows)
    _sheet(
        book,
        "settings",
        ["form_title", "form_id", "version", "default_language"],
        [[f"Lindung data standard {standard.version}", "lindung_standard", standard.version, "English (en)"]],
    )
    return _save(book)


def dictionary_xlsx(standard) -> bytes:
    book = _workbook()
    var_rows = []
    for var in standard.variables.values():
        var_rows.append(
            [
                var.domain,
                var.id,
                _en(var.labels),
                var.labels.get("fr", ""),
                var.type,
                var.code_list,
                var.requirement,
                var.sensitivity,
                var.hxl,
                _en(var.definitions),
                var.crosswalk.get("ctdc", ""),
                var.crosswalk.get("ics_tip", ""),
                json.dumps(var.constraints) if var.constraints else "",
            ]
        )
    _sheet(
        book,
        "variables",
        [
            "domain",
            "id",
            "label (en)",
            "label (fr)",
            "type",
            "code list",
            "requirement",
            "sensitivity",
            "HXL",
            "definition (en)",
            "CTDC",
            "ICS-TIP",
            "constraints",
        ],
        var_rows,
    )
    code_rows = []
    for list_id in sorted(standard.code_lists):
        code_list = standard.code_lists[list_id]
        for code in code_list.codes:
            code_rows.append(
                [
                    list_id,
                    code.code,
                    _en(code.labels),
                    code.labels.get("fr", ""),
                    code.parent,
                    code.crosswalk.get("ctdc", ""),
                    code.crosswalk.get("ics_tip", ""),
                ]
            )
    _sheet(
        book,
        "code lists",
        ["list", "code", "label (en)", "label (fr)", "parent", "CTDC", "ICS-TIP"],
        code_rows,
    )
    return _save(book)


def dictionary_context(standard) -> dict:
    domains = []
    for domain_id, labels in standard.domains.items():
        variables = [v for v in standard.variables.values() if v.domain == domain_id]
        if variables:
            domains.append({"id": domain_id, "label": registry._text(labels), "variables": variables})
    lists = [standard.code_lists[k] for k in sorted(standard.code_lists) if k not in registry.GENERATED_LISTS]
    return {
        "standard": standard,
        "domains": domains,
        "code_lists": lists,
        "generated_lists": registry.GENERATED_LISTS,
    }


def dictionary_pdf(standard) -> bytes:
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("standard/dictionary_print.html", dictionary_context(standard))
    return HTML(string=html).write_pdf()


# records --------------------------------------------------------------------------------------


RECORD_FIELDS = (
    "year_of_registration",
    "sex",
    "age_group",
    "majority_status",
    "citizenship",
    "country_of_exploitation",
    "data_source",
)


def _ctdc_plans(standard, profile, release, columns) -> list[tuple]:
    """(column, kind, variable, detail) for each column written."""
    iso2 = {c.code: c.crosswalk["iso2"] for c in standard.code_lists["country"].codes}
    plans = []
    for name in columns:
        spec = profile.columns.get(name)
        if spec is None or not spec.imported:
            plans.append((name, "cell", "", None))
            continue
        var = standard.variables[spec.variable]
        if spec.kind == "flag":
            code = next(
                c.code for c in standard.code_lists[var.code_list].codes if c.crosswalk.get("ctdc") == name
            )
            plans.append((name, "flag", var.id, code))
        elif var.code_list == "country":
            plans.append((name, "map", var.id, iso2))
        elif var.code_list:
            reverse = {
                c.code: c.crosswalk["ctdc"]
                for c in standard.code_lists[var.code_list].codes
                if c.crosswalk.get("ctdc") and c.crosswalk["ctdc"] != profiles.NOT_RECORDED
            }
            reverse.update(release.codes.get(var.id, {}))
            plans.append((name, "map", var.id, reverse))
        else:
            plans.append((name, "raw", var.id, None))
    return plans


def _ctdc_cell(kind, name, value, detail, values, from_ctdc: bool) -> str:
    if kind == "cell":
        return values.get(profiles.CTDC_CELL + name, "")
    if kind == "flag":
        if value:
            return "1" if detail in str(value).split() else "0"
        # Read from CTDC, an unmarked flag of an empty family was an explicit 0.
        return "0" if from_ctdc else profiles.NOT_RECORDED
    if value in (None, ""):
        return profiles.NOT_RECORDED
    if kind == "map":
        return detail.get(value, profiles.NOT_RECORDED)
    return str(value)


def records_ctdc_csv(records, version: str | None = None, release: str | None = None) -> bytes:
    """Write records in the layout of a CTDC release (``profiles.ctdc_releases``): its notice
    column, column order and spellings; codes through the crosswalk, countries as ISO alpha-2,
    flag families as 1/0. A record read from a CTDC file gets back its own "-99" and blank cells
    and the columns the standard does not hold; any other record gets ``-99`` where the standard
    value is unknown."""
    standard = registry.load(version)
    profile = profiles.get("ctdc", standard.version)
    layout = profiles.ctdc_release(release)
    columns = layout.header(profile)
    plans = _ctdc_plans(standard, profile, layout, columns)
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out, lineterminator="\n")
    notice = [layout.notice] if layout.notice else []
    writer.writerow([*notice, *columns])
    for record in records:
        values = {**record.values, **{k: getattr(record, k) for k in RECORD_FIELDS}}
        values["forms_of_exploitation"] = record.forms_of_exploitation.strip()
        from_ctdc = values.get(profiles.CTDC_LAYOUT) == "ctdc"
        not_recorded = set((values.get(profiles.CTDC_NOT_RECORDED) or "").split())
        blank = set((values.get(profiles.CTDC_BLANK) or "").split())
        row = [""] if notice else []
        for name, kind, var_id, detail in plans:
            if name in not_recorded:
                row.append(profiles.NOT_RECORDED)
            elif name in blank:
                row.append("")
            else:
                row.append(_ctdc_cell(kind, name, values.get(var_id), detail, values, from_ctdc))
        writer.writerow(row)
    return out.getvalue().encode()
