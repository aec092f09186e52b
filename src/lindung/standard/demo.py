"""Demo: synthetic CTDC-layout files imported for two organisations, so the counts page has data
(one in the layout of the CTDC release as published: its import shows the notice column's
warning), and a validation report with errors, so the data manager sees what one looks like.

Imports run as the system (no signed-in user). Idempotent: files already imported and the report
already made are not made again.
"""

from lindung.core.actors import SYSTEM
from lindung.core.models import Organisation

from . import services, synthetic
from .models import ImportBatch, ValidationReport

DEMO_FILES = [
    # (organisation key in core.demo, rows, seed, file name, writer)
    ("stats_kz", 240, 11, "bms-ctdc-2016-2023.csv", synthetic.ctdc_csv),
    ("ngo_bkk", 120, 23, "shf-hotline-ctdc.csv", synthetic.ctdc_csv),
    ("ngo_bkk", 60, 29, "shf-ctdc-global-release-layout.csv", synthetic.ctdc_release_csv),
]
REPORT_FILE = "bms-draft-with-errors.csv"


def load(ctx: dict) -> None:
    for org_key, rows, seed, name, writer in DEMO_FILES:
        org: Organisation = ctx["orgs"][org_key]
        if ImportBatch.objects.filter(
            organisation=org, file_name=name, status=ImportBatch.Status.DONE
        ).exists():
            continue
        services.batch_import(
            acting_user=SYSTEM,
            organisation=org,
            file_name=name,
            data=writer(rows, seed=seed),
            profile="ctdc",
        )
    org = ctx["orgs"]["stats_kz"]
    if not ValidationReport.objects.filter(organisation=org, file_name=REPORT_FILE).exists():
        lines = synthetic.ctdc_csv(30, seed=31).decode().splitlines()
        header = lines[0].split(",")
        # Typical mistakes: a word for a year, an alpha-3 country where CTDC has alpha-2, "yes" as a flag.
        for line_no, column, value in [
            (3, "yearOfRegistration", "twenty"),
            (5, "citizenship", "PHL"),
            (5, "isForcedLabour", "yes"),
        ]:
            cells = lines[line_no].split(",")
            cells[header.index(column)] = value
            lines[line_no] = ",".join(cells)
        services.report_create(
            acting_user=ctx["users"]["datamanager"],
            organisation=org,
            file_name=REPORT_FILE,
            data=("\n".join(lines) + "\n").encode(),
            profile="ctdc",
        )
