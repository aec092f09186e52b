"""Synthetic files in the CTDC global dataset layout, for the demo, the tests and the benchmark.

The values are drawn at random from the CTDC crosswalk of the standard: no row describes a real
person. Roughly a third of cells are unknown (``-99``), as in the published dataset.
"""

import csv
import io
import random

from . import profiles, registry

CITIZENSHIPS = ["PH", "ID", "MM", "KH", "VN", "BD", "NP", "UA", "NG", "ET", "LA", "TH"]
EXPLOITATION = ["MY", "TH", "SA", "AE", "US", "ID", "PH", "QA", "-99"]


def ctdc_header(version: str | None = None) -> list[str]:
    profile = profiles.get("ctdc", version)
    return [name for name, spec in profile.columns.items() if spec.imported]


def ctdc_csv(rows: int, *, seed: int = 1, version: str | None = None, first_year: int = 2016) -> bytes:
    out = io.StringIO()
    write_ctdc(out, rows, seed=seed, version=version, first_year=first_year)
    return out.getvalue().encode()


def write_ctdc(out, rows: int, *, seed: int = 1, version: str | None = None, first_year: int = 2016) -> None:
    rng = random.Random(seed)
    standard = registry.load(version)
    profile = profiles.get("ctdc", version)
    header = ctdc_header(version)
    pools = {}
    for name in header:
        spec = profile.columns[name]
        if spec.kind == "flag":
            pools[name] = ["1", "0", "0", "0", "-99"]
        elif spec.variable == "citizenship":
            pools[name] = CITIZENSHIPS
        elif spec.variable == "country_of_exploitation":
            pools[name] = EXPLOITATION
        elif spec.kind == "year":
            pools[name] = [str(y) for y in range(first_year, first_year + 8)]
        elif spec.allowed:
            pools[name] = sorted(spec.allowed) + ["-99"]
        else:
            pools[name] = ["-99"]
    # Adults and minors in the age bands that agree with them.
    adult_bands = [
        c.crosswalk["ctdc"]
        for c in standard.code_lists["age_group"].codes
        if c.crosswalk.get("ctdc") not in ("0--8", "9--17", "-99", None)
    ]
    child_bands = ["0--8", "9--17"]
    out.write(",".join(header) + "\n")
    choice = rng.choice
    for _ in range(rows):
        row = {name: choice(pool) for name, pool in pools.items()}
        if "majorityStatus" in row and "ageBroad" in row:
            if row["majorityStatus"] == "Minor":
                row["ageBroad"] = choice(child_bands)
            elif row["majorityStatus"] == "Adult":
                row["ageBroad"] = choice(adult_bands)
        out.write(",".join(row[name] for name in header) + "\n")


def ctdc_release_csv(rows: int, *, seed: int = 1, release: str | None = None) -> bytes:
    """Synthetic rows in the layout of a CTDC release as published (``profiles.ctdc_releases``):
    its notice over an empty first column, its column order and spellings, and its multi-value
    columns (``typeOfExploitConcatenated``...) listing the flagged codes' labels with ``;``."""
    layout = profiles.ctdc_release(release)
    profile = profiles.get("ctdc")
    standard = registry.load()
    reader = csv.DictReader(io.StringIO(ctdc_csv(rows, seed=seed).decode()))
    respell = {}
    for var_id, codes in layout.codes.items():
        var = standard.variables[var_id]
        column = var.crosswalk["ctdc"]
        crosswalk = {c.code: c.crosswalk.get("ctdc") for c in standard.code_lists[var.code_list].codes}
        respell[column] = {crosswalk[code]: value for code, value in codes.items()}
    families = {}
    for name, spec in profile.columns.items():
        if spec.kind == "flag" and spec.imported:
            code = next(
                c
                for c in standard.code_lists[standard.variables[spec.variable].code_list].codes
                if c.crosswalk.get("ctdc") == name
            )
            families.setdefault(spec.variable, []).append((name, code.labels["en"]))
    concatenated = {
        "typeOfExploitConcatenated": "forms_of_exploitation",
        "meansOfControlConcatenated": "means_of_control",
        "typeOfLabourConcatenated": "types_of_labour",
        "typeOfSexConcatenated": "types_of_sexual_exploitation",
        "RecruiterRelationship": "recruiter_relations",
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = layout.header(profile)
    writer.writerow([layout.notice, *columns] if layout.notice else columns)
    for row in reader:
        cells = [""] if layout.notice else []
        for name in columns:
            if name in concatenated:
                flagged = [label for column, label in families[concatenated[name]] if row.get(column) == "1"]
                cells.append(f"{layout.separator} ".join(flagged) or "-99")
            else:
                value = row.get(name, "-99")
                cells.append(respell.get(name, {}).get(value, value))
        writer.writerow(cells)
    return out.getvalue().encode()
