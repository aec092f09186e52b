"""Instrument definitions: validation, the readable YAML source, XLSForm in and out, XForm.

A definition is plain data (stored as JSON on ``InstrumentVersion``)::

    {"form_id", "version", "title": {lang: text}, "languages": [lang, ...],
     "choice_lists": {list: [{"name", "label": {lang: text}}]},
     "sections": [{"name", "label", "relevant",
                   "questions": [{"name", "type", "list", "label", "hint", "required",
                                  "relevant", "constraint",
                                  "factors": {answer: [{"direction", "factor"}]}}]}]}

XLSForm mapping: each section is a ``begin_group``/``end_group``; labels go to
``label::English (en)`` style columns; the DoMV factors of each answer go to an extra sheet,
``lindung_factors`` (question, answer, direction, factor, level), which pyxform ignores, so the same
file works in ODK and Kobo.
"""

import json
import re
from functools import cache
from pathlib import Path

import openpyxl
import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lindung.core import spreadsheets
from lindung.standard import registry

from . import expressions

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
QUESTION_TYPES = ("select_one", "select_multiple", "integer", "text")
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "ru": "Russian",
    "th": "Thai",
    "ms": "Malay",
    "id": "Indonesian",
}
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
CHOICE_RE = re.compile(r"^[^\s]{1,64}$")
DIRECTIONS = ("risk", "protective")
FACTOR_SHEET = "lindung_factors"


class DefinitionError(ValueError):
    """Holds every problem found, each naming where it is (sheet, row, column or question)."""

    def __init__(self, errors, code: str = "instrument.invalid"):
        self.errors = list(errors)
        self.code = code
        super().__init__("; ".join(self.errors))


def text(labels, lang: str | None = None) -> str:
    """A label in the active language, falling back to English, then to any language."""
    if not labels:
        return ""
    if isinstance(labels, str):
        return labels
    lang = (lang or get_language() or "en").split("-")[0]
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), "")


# validation ----------------------------------------------------------------------------------


def _check_expression(errors, where, expr, known):
    if not expr:
        return
    try:
        expressions.parse(expr)
    except expressions.ExpressionError as exc:
        errors.append(
            _("%(where)s: expression %(expr)r: %(error)s") % {"where": where, "expr": expr, "error": exc}
        )
        return
    unknown = expressions.references(expr) - known
    if unknown:
        errors.append(
            _("%(where)s: expression refers to unknown or later question(s) %(names)s")
            % {"where": where, "names": ", ".join(sorted(unknown))}
        )


def validate(definition: dict) -> dict:
    """Return the definition if it is sound; raise DefinitionError listing every problem."""
    errors = []
    if not NAME_RE.match(str(definition.get("form_id", ""))):
        errors.append(_("form_id must be letters, digits and underscores, starting with a letter"))
    if not re.match(r"^[\w.-]{1,32}$", str(definition.get("version", ""))):
        errors.append(_("version must be 1 to 32 letters, digits, dots or dashes"))
    if not text(definition.get("title"), "en"):
        errors.append(_("the instrument needs a title"))
    lists = definition.get("choice_lists") or {}
    for list_name, choices in lists.items():
        seen = set()
        for choice in choices:
            name = str(choice.get("name", ""))
            if not CHOICE_RE.match(name):
                errors.append(
                    _("choice list %(list)s: choice name %(name)r is empty or has spaces")
                    % {"list": list_name, "name": name}
                )
            if name in seen:
                errors.append(
                    _("choice list %(list)s: choice %(name)s appears twice")
                    % {"list": list_name, "name": name}
                )
            seen.add(name)
            if not text(choice.get("label"), "en"):
                errors.append(
                    _("choice list %(list)s: choice %(name)s has no label")
                    % {"list": list_name, "name": name}
                )
    known: set[str] = set()
    sections = definition.get("sections") or []
    if not sections:
        errors.append(_("the instrument has no sections"))
    factor_list = registry.code_list("vulnerability_factor")
    for section in sections:
        sname = str(section.get("name", ""))
        if not NAME_RE.match(sname) or sname in known:
            errors.append(_("section %(name)r: name missing, invalid or used twice") % {"name": sname})
        _check_expression(errors, _("section %(name)s") % {"name": sname}, section.get("relevant", ""), known)
        known.add(sname)
        if not section.get("questions"):
            errors.append(_("section %(name)s has no questions") % {"name": sname})
        for q in section.get("questions") or []:
            qname = str(q.get("name", ""))
            where = _("question %(name)s") % {"name": qname}
            if not NAME_RE.match(qname) or qname in known:
                errors.append(_("%(where)s: name missing, invalid or used twice") % {"where": where})
            if q.get("type") not in QUESTION_TYPES:
                errors.append(
                    _("%(where)s: type %(type)r is not one of %(types)s")
                    % {"where": where, "type": q.get("type"), "types": ", ".join(QUESTION_TYPES)}
                )
            if not text(q.get("label"), "en"):
                errors.append(_("%(where)s: no English label") % {"where": where})
            choices = None
            if q.get("type") in ("select_one", "select_multiple"):
                if q.get("list") not in lists:
                    errors.append(
                        _("%(where)s: choice list %(list)r does not exist")
                        % {"where": where, "list": q.get("list")}
                    )
                else:
                    choices = {c["name"] for c in lists[q["list"]]}
            _check_expression(errors, where, q.get("relevant", ""), known)
            _check_expression(errors, where, q.get("constraint", ""), known | {qname})
            for answer, factors in (q.get("factors") or {}).items():
                if choices is not None and answer not in choices:
                    errors.append(
                        _("%(where)s: factors given for %(answer)r, which is not a choice of %(list)s")
                        % {"where": where, "answer": answer, "list": q.get("list")}
                    )
                for factor in factors:
                    if factor.get("direction") not in DIRECTIONS:
                        errors.append(
                            _("%(where)s, answer %(answer)s: direction must be risk or protective")
                            % {"where": where, "answer": answer}
                        )
                    if factor_list.get(str(factor.get("factor", ""))) is None:
                        errors.append(
                            _("%(where)s, answer %(answer)s: %(factor)r is not a DoMV factor of the standard")
                            % {"where": where, "answer": answer, "factor": factor.get("factor")}
                        )
            known.add(qname)
    if errors:
        raise DefinitionError(errors)
    return definition


def questions(definition: dict):
    """(section, question) pairs in order."""
    for section in definition["sections"]:
        for question in section["questions"]:
            yield section, question


def question_index(definition: dict) -> dict:
    return {q["name"]: q for _s, q in questions(definition)}


def factor_level(factor: str) -> str:
    code = registry.code_list("vulnerability_factor").get(factor)
    return code.parent if code else ""


def check_answer(definition: dict, question: dict, value):
    """Normalise one answer; raise ValueError (message names the question) when it is not allowed."""
    name, qtype = question["name"], question["type"]
    if value in (None, "", []):
        return None
    if qtype in ("select_one", "select_multiple"):
        allowed = {c["name"] for c in definition["choice_lists"][question["list"]]}
        values = (
            value
            if isinstance(value, list)
            else str(value).split()
            if qtype == "select_multiple"
            else [value]
        )
        values = [str(v) for v in values]
        wrong = [v for v in values if v not in allowed]
        if wrong:
            raise ValueError(
                _("%(q)s: %(values)s is not an allowed answer (allowed: %(allowed)s)")
                % {"q": name, "values": ", ".join(wrong), "allowed": ", ".join(sorted(allowed))}
            )
        if qtype == "select_one":
            if len(values) != 1:
                raise ValueError(_("%(q)s: choose exactly one answer") % {"q": name})
            return values[0]
        return sorted(set(values))
    if qtype == "integer":
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(
                _("%(q)s: %(value)r is not a whole number") % {"q": name, "value": str(value)[:20]}
            ) from None
        if question.get("constraint") and not expressions.evaluate(question["constraint"], {}, number):
            raise ValueError(
                _("%(q)s: %(value)s is outside the allowed range") % {"q": name, "value": number}
            )
        return number
    value = str(value).strip()
    if len(value) > 2000:
        raise ValueError(_("%(q)s: the answer is longer than 2000 characters") % {"q": name})
    return value


def relevant_questions(definition: dict, answers: dict) -> set[str]:
    """Names of the questions that apply given the answers (skip logic of sections and questions)."""
    names = set()
    for section in definition["sections"]:
        if not expressions.evaluate(section.get("relevant", ""), answers):
            continue
        for q in section["questions"]:
            if expressions.evaluate(q.get("relevant", ""), answers):
                names.add(q["name"])
    return names


def clean_answers(definition: dict, raw: dict) -> dict:
    """Validate a whole answer set: unknown questions and disallowed answers are errors; answers to
    questions that skip logic turns off are dropped. Raises DefinitionError listing every problem."""
    index = question_index(definition)
    errors, answers = [], {}
    for name in raw:
        if name not in index:
            errors.append(_("%(q)s is not a question of this instrument") % {"q": name})
    for name, question in index.items():
        if name in raw:
            try:
                value = check_answer(definition, question, raw[name])
            except ValueError as exc:
                errors.append(str(exc))
                continue
            if value is not None:
                answers[name] = value
    if errors:
        raise DefinitionError(errors)
    relevant = relevant_questions(definition, answers)
    return {k: v for k, v in answers.items() if k in relevant}


def missing_required(definition: dict, answers: dict, section_names=None) -> list[str]:
    relevant = relevant_questions(definition, answers)
    return [
        q["name"]
        for s, q in questions(definition)
        if (section_names is None or s["name"] in section_names)
        and q.get("required")
        and q["name"] in relevant
        and q["name"] not in answers
    ]


# the readable source -------------------------------------------------------------------------


def _factor_entries(raw: dict | None) -> dict:
    result = {}
    for answer, items in (raw or {}).items():
        result[str(answer)] = [{"direction": i.split()[0], "factor": i.split()[1]} for i in items]
    return result


def from_source(path: Path) -> dict:
    """Read the YAML source (see instruments/identification.yaml) into a definition."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    sections = []
    for section in doc["sections"]:
        qs = []
        for q in section["questions"]:
            qtype, _sep, list_name = q["type"].partition(" ")
            qs.append(
                {
                    "name": q["name"],
                    "type": qtype,
                    "list": list_name,
                    "label": q["label"],
                    "hint": q.get("hint", {}),
                    "required": bool(q.get("required", False)),
                    "relevant": q.get("relevant", ""),
                    "constraint": q.get("constraint", ""),
                    "factors": _factor_entries(q.get("factors")),
                }
            )
        sections.append(
            {
                "name": section["name"],
                "label": section["label"],
                "relevant": section.get("relevant", ""),
                "questions": qs,
            }
        )
    definition = {
        "form_id": doc["form_id"],
        "version": str(doc["version"]),
        "title": doc["title"],
        "languages": doc.get("languages", ["en"]),
        "choice_lists": {
            k: [{"name": str(c["name"]), "label": c["label"]} for c in v]
            for k, v in doc["choice_lists"].items()
        },
        "sections": sections,
    }
    return validate(definition)


# XLSForm out ---------------------------------------------------------------------------------


def _lang_column(prefix: str, lang: str) -> str:
    return f"{prefix}::{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


def to_xlsx(definition: dict) -> bytes:
    langs = definition.get("languages") or ["en"]
    wb = openpyxl.Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(
        [
            "type",
            "name",
            *[_lang_column("label", lg) for lg in langs],
            *[_lang_column("hint", lg) for lg in langs],
            "required",
            "relevant",
            "constraint",
        ]
    )
    for section in definition["sections"]:
        survey.append(
            [
                "begin_group",
                section["name"],
                *[section["label"].get(lg, "") for lg in langs],
                *["" for _lg in langs],
                "",
                section.get("relevant", ""),
                "",
            ]
        )
        for q in section["questions"]:
            qtype = f"{q['type']} {q['list']}" if q.get("list") else q["type"]
            survey.append(
                [
                    qtype,
                    q["name"],
                    *[q["label"].get(lg, "") for lg in langs],
                    *[(q.get("hint") or {}).get(lg, "") for lg in langs],
                    "yes" if q.get("required") else "",
                    q.get("relevant", ""),
                    q.get("constraint", ""),
                ]
            )
        survey.append(["end_group", "", *["" for _lg in langs], *["" for _lg in langs], "", "", ""])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", *[_lang_column("label", lg) for lg in langs]])
    for list_name, items in definition["choice_lists"].items():
        for c in items:
            choices.append([list_name, c["name"], *[c["label"].get(lg, "") for lg in langs]])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title", "default_language"])
    settings.append(
        [
            definition["form_id"],
            definition["version"],
            text(definition["title"], "en"),
            f"{LANGUAGE_NAMES['en']} (en)",
        ]
    )
    factors = wb.create_sheet(FACTOR_SHEET)
    factors.append(["question", "answer", "direction", "factor", "level"])
    for _s, q in questions(definition):
        for answer, items in (q.get("factors") or {}).items():
            for f in items:
                factors.append([q["name"], answer, f["direction"], f["factor"], factor_level(f["factor"])])
    titles = wb.create_sheet("lindung_titles")
    titles.append(["language", "title"])
    for lg, title in definition["title"].items():
        titles.append([lg, title])
    return spreadsheets.workbook_bytes(wb)


def to_xform(definition: dict) -> str:
    """The XForm ODK Collect and KoboCollect download (pyxform converts the XLSForm)."""
    return _xform_cached(json.dumps(definition, sort_keys=True))


@cache
def _xform_cached(definition_json: str) -> str:
    # Conversion takes a fraction of a second; phones ask for the same form again and again.
    from pyxform.xls2xform import convert

    return convert(xlsform=to_xlsx(json.loads(definition_json)), file_type=".xlsx").xform


# XLSForm in ----------------------------------------------------------------------------------

_LANG_COLUMN = re.compile(r"^(label|hint)(?:::(?:.*\()?([A-Za-z-]{2,8})\)?)?$")


def _rows(sheet):
    try:
        rows = list(spreadsheets.sheet_rows(sheet))
    except spreadsheets.SpreadsheetRefused as exc:
        raise DefinitionError([exc.message], code=exc.code) from exc
    if not rows:
        return [], []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    return header, rows[1:]


def _cell(row, header, name):
    if name not in header:
        return ""
    index = header.index(name)
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def _lang_cells(row, header, prefix):
    out = {}
    for i, col in enumerate(header):
        match = _LANG_COLUMN.match(col)
        if match and match.group(1) == prefix and i < len(row) and row[i] not in (None, ""):
            out[(match.group(2) or "en").lower()] = str(row[i]).strip()
    return out


def from_xlsx(data: bytes) -> dict:
    """Read an XLSForm into a definition; every problem names its sheet and row."""
    try:
        wb = spreadsheets.open_workbook(data, data_only=True)
    except spreadsheets.SpreadsheetRefused as exc:
        raise DefinitionError([exc.message], code=exc.code) from exc
    errors = []
    for required in ("survey", "choices", "settings"):
        if required not in wb.sheetnames:
            errors.append(_("sheet %(sheet)r is missing") % {"sheet": required})
    if errors:
        raise DefinitionError(errors)
    header, rows = _rows(wb["survey"])
    sections, current, languages = [], None, set()
    for number, row in enumerate(rows, start=2):
        qtype, name = _cell(row, header, "type"), _cell(row, header, "name")
        if not qtype and not name:
            continue
        labels = _lang_cells(row, header, "label")
        languages |= set(labels)
        if qtype in ("begin_group", "begin group"):
            current = {
                "name": name,
                "label": labels,
                "relevant": _cell(row, header, "relevant"),
                "questions": [],
            }
            sections.append(current)
            continue
        if qtype in ("end_group", "end group"):
            current = None
            continue
        if current is None:
            errors.append(
                _(
                    "survey row %(row)d: question %(name)s is outside a group; every question belongs to a "
                    "section (begin_group ... end_group)"
                )
                % {"row": number, "name": name}
            )
            continue
        base, _sep, list_name = qtype.partition(" ")
        if base not in QUESTION_TYPES:
            errors.append(
                _("survey row %(row)d: type %(type)r is not supported (use %(types)s)")
                % {"row": number, "type": qtype, "types": ", ".join(QUESTION_TYPES)}
            )
            continue
        current["questions"].append(
            {
                "name": name,
                "type": base,
                "list": list_name.strip(),
                "label": labels,
                "hint": _lang_cells(row, header, "hint"),
                "required": _cell(row, header, "required").lower() in ("yes", "true", "true()", "1"),
                "relevant": _cell(row, header, "relevant"),
                "constraint": _cell(row, header, "constraint"),
                "factors": {},
            }
        )
    choice_lists: dict = {}
    header, rows = _rows(wb["choices"])
    for number, row in enumerate(rows, start=2):
        list_name, name = _cell(row, header, "list_name"), _cell(row, header, "name")
        if not list_name and not name:
            continue
        if not list_name or not name:
            errors.append(_("choices row %(row)d: list_name and name are both needed") % {"row": number})
            continue
        choice_lists.setdefault(list_name, []).append(
            {"name": name, "label": _lang_cells(row, header, "label")}
        )
    header, rows = _rows(wb["settings"])
    settings_row = rows[0] if rows else ()
    form_id, version = _cell(settings_row, header, "form_id"), _cell(settings_row, header, "version")
    title = {"en": _cell(settings_row, header, "form_title") or form_id}
    if "lindung_titles" in wb.sheetnames:
        _h, title_rows = _rows(wb["lindung_titles"])
        title.update({str(r[0]): str(r[1]) for r in title_rows if r and r[0] and r[1]})
    index = {q["name"]: q for s in sections for q in s["questions"]}
    if FACTOR_SHEET in wb.sheetnames:
        header, rows = _rows(wb[FACTOR_SHEET])
        for number, row in enumerate(rows, start=2):
            qname = _cell(row, header, "question")
            if not qname:
                continue
            where = _("%(sheet)s row %(row)d") % {"sheet": FACTOR_SHEET, "row": number}
            if qname not in index:
                errors.append(
                    _("%(where)s: question %(name)r is not in the survey") % {"where": where, "name": qname}
                )
                continue
            factor, level = _cell(row, header, "factor"), _cell(row, header, "level")
            if level and factor_level(factor) and level != factor_level(factor):
                errors.append(
                    _("%(where)s: factor %(factor)s belongs to the %(right)s level, not %(level)s")
                    % {"where": where, "factor": factor, "right": factor_level(factor), "level": level}
                )
            index[qname]["factors"].setdefault(_cell(row, header, "answer"), []).append(
                {"direction": _cell(row, header, "direction"), "factor": factor}
            )
    if errors:
        raise DefinitionError(errors)
    definition = {
        "form_id": form_id,
        "version": version,
        "title": title,
        "languages": sorted(languages or {"en"}, key=lambda lg: (lg != "en", lg)),
        "choice_lists": choice_lists,
        "sections": sections,
    }
    validate(definition)
    try:
        to_xform(definition)
    except Exception as exc:  # noqa: BLE001 - pyxform reports form errors with its own exception types
        raise DefinitionError([_("pyxform cannot convert this form: %(error)s") % {"error": exc}]) from exc
    return definition


def shipped_xlsx_path() -> Path:
    return INSTRUMENTS_DIR / "identification.xlsx"


def shipped_source_path() -> Path:
    return INSTRUMENTS_DIR / "identification.yaml"
