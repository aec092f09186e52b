"""Demo: populated dashboards for the data manager of the statistics bureau, and releases in two
organisations.

The bureau (stats_kz) gets a larger synthetic CTDC-layout file through the standard app's import
service, so that presumed victims by year and form of exploitation show mostly published cells with
a few suppressed ones. A second data manager (``datamanager_bkk``, demo password) publishes for the
Bangkok NGO. Idempotent: releases are found by title, the import by its file name.
"""

from lindung.core import services as core_services
from lindung.core.demo import DEMO_PASSWORD
from lindung.core.models import User
from lindung.core.roles import Role
from lindung.standard import services as standard_services
from lindung.standard import synthetic
from lindung.standard.selectors import batches_visible

from . import services
from .models import Release
from .tables import protected_table

BUREAU_FILE = ("bms-ctdc-national-2016-2023.csv", 200, 71)
RELEASES = [
    # (organisation key, user, title, tables: (indicator, by, epsilon))
    (
        "stats_kz",
        "datamanager",
        "Presumed victims of trafficking, 2016-2023 (demo)",
        [
            ("presumed_victims", "year,form_of_exploitation", None),
            ("presumed_victims", "sex,age_group", None),
            ("presumed_victims", "year,sex", 1.0),
        ],
    ),
    (
        "ngo_bkk",
        "datamanager_bkk",
        "Hotline cases by sex and age group (demo)",
        [("presumed_victims", "sex,age_group", None)],
    ),
    (
        # Shown beside each country's frameworks on the comparison page (stats.country_figures).
        "ngo_bkk",
        "datamanager_bkk",
        "Hotline cases by citizenship (demo)",
        [("presumed_victims", "citizenship", None)],
    ),
]


def _bureau_records(ctx):
    manager = ctx["users"]["datamanager"]
    name, rows, seed = BUREAU_FILE
    if batches_visible(manager).filter(file_name=name).exists():
        return
    standard_services.batch_import(
        acting_user=manager,
        organisation=ctx["orgs"]["stats_kz"],
        file_name=name,
        data=synthetic.ctdc_csv(rows, seed=seed),
        profile="ctdc",
    )


def _bangkok_manager(ctx) -> User:
    user = User.objects.filter(username="datamanager_bkk").first()
    if user is None:
        user = core_services.user_create(
            acting_user=ctx["users"]["admin"],
            organisation=ctx["orgs"]["ngo_bkk"],
            username="datamanager_bkk",
            password=DEMO_PASSWORD,
            role=Role.DATA_MANAGER,
            first_name="Kanya",
        )
    ctx["users"]["datamanager_bkk"] = user
    return user


def load(ctx: dict) -> None:
    _bureau_records(ctx)
    _bangkok_manager(ctx)
    for org_key, username, title, wanted in RELEASES:
        organisation = ctx["orgs"][org_key]
        if Release.objects.filter(organisation=organisation, title=title).exists():
            continue
        user = ctx["users"][username]
        tables = [protected_table(user, indicator, by, epsilon=epsilon) for indicator, by, epsilon in wanted]
        services.release_create(
            acting_user=user,
            organisation=organisation,
            title=title,
            tables=tables,
            notes="Synthetic demonstration data; no row describes a real person.",
        )
