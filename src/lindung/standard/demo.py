"""Demo: synthetic CTDC-layout files imported for two organisations, so the counts page has data.

Imports run as the system (no signed-in user). Idempotent: the second run imports nothing new,
because every row is already present (see services.batch_run).
"""

from lindung.core.models import Organisation

from . import services, synthetic
from .models import ImportBatch

DEMO_FILES = [
    # (organisation key in core.demo, rows, seed, file name)
    ("stats_kz", 240, 11, "bms-ctdc-2016-2023.csv"),
    ("ngo_bkk", 120, 23, "shf-hotline-ctdc.csv"),
]


def load(ctx: dict) -> None:
    for org_key, rows, seed, name in DEMO_FILES:
        org: Organisation = ctx["orgs"][org_key]
        if ImportBatch.objects.filter(
            organisation=org, file_name=name, status=ImportBatch.Status.DONE
        ).exists():
            continue
        services.batch_import(
            acting_user=None,
            organisation=org,
            file_name=name,
            data=synthetic.ctdc_csv(rows, seed=seed),
            profile="ctdc",
        )
