"""Real headless Chromium: a data manager opens the dashboard, sees presumed victims by year and
form of exploitation with small cells suppressed, downloads the table as HXL and SDMX-CSV, and
freezes it as a release; on a phone-sized screen nothing overflows."""

import csv
import io
import json

import pytest
from playwright.sync_api import expect

from lindung.core.roles import Role
from lindung.stats.models import Release
from tests.core.test_browser import axe_violations

from .conftest import import_records

pytestmark = [pytest.mark.browser]


def _download(page, name):
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).first.click()
    return info.value.path().read_text(encoding="utf-8")


def test_dashboard_download_and_release(page, live_server, login, make_user, org_a, transactional_db):
    import_records(org_a, rows=400, seed=5)
    make_user(org_a, Role.DATA_MANAGER, username="aigerim")
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.set_viewport_size({"width": 375, "height": 800})
    login("aigerim")

    page.get_by_role("button", name="Menu").click()  # the menu is folded on a phone-sized screen
    page.get_by_role("link", name="Statistics").first.click()
    page.get_by_role("link", name="Presumed victims of trafficking").click()
    page.wait_for_load_state()
    expect(
        page.get_by_role("heading", name="Presumed victims of trafficking by Year, Form of exploitation")
    ).to_be_visible()
    table = page.locator("table.stats-table")
    assert "cells suppressed" in table.locator("caption").inner_text()
    assert table.locator("td.suppressed").count() > 0
    expect(page.locator("svg.stats-chart")).to_be_visible()
    assert page.locator("svg.stats-chart text", has_text="suppressed").count() > 0
    # Readable on a small screen: the page itself never scrolls sideways (wide tables scroll in their box).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)

    hxl = list(csv.reader(io.StringIO(_download(page, "HXL"))))
    assert hxl[1][0].startswith("#date") and hxl[1][-3:] == [
        "#affected+num",
        "#meta+status",
        "#meta+coverage+num",
    ]
    withheld = [row for row in hxl[2:] if row[-2]]
    assert withheld and all(row[-3] == "" for row in withheld)
    sdmx = list(csv.reader(io.StringIO(_download(page, "SDMX-CSV"))))
    assert sdmx[0][:5] == ["STRUCTURE", "STRUCTURE_ID", "ACTION", "TIME_PERIOD", "FORM_OF_EXPLOITATION"]
    assert sum(1 for row in sdmx[1:] if row[6] == "Q") == len(withheld)

    page.get_by_label("Title of the release").fill("Presumed victims by year and form, 2016-2023")
    page.get_by_role("button", name="Freeze release").click()
    # Nothing is frozen before the confirmation page is answered; it says what will happen.
    expect(page.get_by_role("heading", name="Are you sure you want to freeze this release?")).to_be_visible()
    assert not Release.objects.exists()
    expect(page.get_by_text("can never be changed")).to_be_visible()
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)
    page.get_by_role("button", name="Yes, freeze the release").click()
    page.wait_for_load_state()
    release = Release.objects.get()
    assert page.url.endswith(release.get_absolute_url())
    expect(page.get_by_text(release.identifier).first).to_be_visible()
    expect(page.get_by_text("How to cite")).to_be_visible()
    assert page.locator("table.stats-table td.suppressed").count() == len(withheld)
    assert release.tables.get().by == ["year", "form_of_exploitation"]
    assert not failed, failed


def test_several_tables_then_a_private_one_after_confirming(
    page, live_server, login, make_user, org_a, transactional_db
):
    """The draft keeps the tables added from their pages; a differentially private table is shown
    only once the spending is confirmed."""
    from lindung.stats.models import PrivacyBudgetEntry

    import_records(org_a, rows=400, seed=5)
    make_user(org_a, Role.DATA_MANAGER, username="dm_draft")
    login("dm_draft")
    base = f"{live_server.url}/stats/indicators/presumed_victims/"
    for query in ("?first=sex&threshold=5", "?first=age_group&threshold=5"):
        page.goto(base + query)
        page.get_by_role("button", name="Add to a release with several tables").click()
        expect(page.get_by_text("Table added to the release draft.")).to_be_visible()
    assert page.locator('input[name="digest"]').count() == 2
    page.get_by_label("Title of the release").fill("Two cuts")
    page.get_by_role("button", name="Freeze release").click()
    page.get_by_role("button", name="Yes, freeze the release").click()
    expect(page.get_by_text("How to cite")).to_be_visible()
    assert [t.by for t in Release.objects.get().tables.order_by("position")] == [["sex"], ["age_group"]]

    page.goto(base + "?first=sex&threshold=5&epsilon=1")
    expect(
        page.get_by_role("heading", name="Are you sure you want to spend privacy budget on this table?")
    ).to_be_visible()
    assert not PrivacyBudgetEntry.objects.exists()
    page.get_by_role("button", name="Yes, spend the budget").click()
    expect(page.locator("table.stats-table")).to_be_visible()
    assert PrivacyBudgetEntry.objects.get().epsilon == 1
