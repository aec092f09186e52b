"""Real headless Chromium: an analyst records a marked incident and finds it on the map and in the trends."""

import datetime
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lindung.core.roles import Role
from lindung.maritime.models import Incident
from tests.core.test_browser import axe_violations

pytestmark = [pytest.mark.browser]


def test_record_an_incident_then_see_it_on_the_map(
    page, live_server, login, make_user, org_a, org_b, transactional_db
):
    make_user(org_a, Role.ANALYST, username="hery")
    outside, failed = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login("hery")

    page.goto(f"{live_server.url}/maritime/incidents/new/")
    when = (timezone.now() - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    # Optional fields' labels end in "(optional)": reach them by id.
    page.get_by_label("Type of incident").select_option("shipwreck")
    page.get_by_label("Date and time").fill(when)
    page.locator("#id_latitude").fill("-12.61")
    page.locator("#id_longitude").fill("44.73")
    page.locator("#id_area").fill("Mozambique Channel")
    page.locator("#id_route").select_option("comoros_mayotte")
    page.locator("#id_persons_on_board").fill("30")
    page.locator("#id_dead").fill("4")
    page.locator("#id_missing").fill("9")
    page.get_by_label("TLP marking").select_option("amber+strict")
    page.get_by_label("Distribution").select_option("organisation")
    assert not axe_violations(page)
    page.get_by_role("button", name="Save incident").click()
    page.wait_for_load_state()

    incident = Incident.objects.get()
    assert page.url == f"{live_server.url}/maritime/incidents/{incident.pk}/"
    expect(page.get_by_text("TLP:AMBER+STRICT").first).to_be_visible()
    assert (incident.tlp, incident.dead, incident.missing) == ("amber+strict", 4, 9)

    page.get_by_role("link", name="Map and trends").first.click()
    marker = page.locator(f"#incident-map path.incident-marker.incident-{incident.pk}")
    marker.wait_for(state="attached", timeout=15000)
    assert page.locator("#incident-map").get_attribute("data-incidents") == "1"
    assert "tlp-amberstrict" in marker.get_attribute("class")
    # The basemap is the bundled Natural Earth countries, drawn without any tile server.
    assert page.locator("#incident-map path.country").count() > 100
    marker.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Shipwreck" in popup.inner_text() and "Dead: 4" in popup.inner_text()
    # Trend charts count the incident in its month and route.
    month = incident.occurred_at.strftime("%Y-%m")
    bar = page.locator(f'svg.trend-chart rect[data-month="{month}"][data-route="comoros_mayotte"]')
    assert bar.count() == 4  # incidents, persons, dead, missing
    assert [bar.nth(i).get_attribute("data-value") for i in range(4)] == ["1", "30", "4", "9"]
    assert not axe_violations(page), json.dumps(axe_violations(page), indent=1)
    assert not outside, outside
    assert not failed, failed

    # Another organisation's analyst does not get this AMBER+STRICT incident on their map.
    page.context.clear_cookies()
    make_user(org_b, Role.ANALYST, username="marie")
    login("marie")
    page.goto(f"{live_server.url}/maritime/map/")
    page.locator("#incident-map[data-incidents]").wait_for(state="attached")
    assert page.locator("#incident-map").get_attribute("data-incidents") == "0"
    assert page.locator("path.incident-marker").count() == 0


def test_open_screenings_from_a_disembarkation_then_see_the_batch(
    page, live_server, login, make_user, org_a, transactional_db
):
    from lindung.maritime import services
    from lindung.maritime.models import ScreeningBatch
    from lindung.screening import services as screening_services

    guide = screening_services.load_shipped_instrument()
    officer = make_user(org_a, Role.ANALYST, Role.CASEWORKER, username="soa")
    landing = services.incident_create(
        acting_user=officer,
        organisation=org_a,
        incident_type="disembarkation",
        occurred_at=timezone.now() - datetime.timedelta(days=1),
        persons_on_board=5,
        persons=[{"sex": "F", "age_group": "18-20", "nationality": "MMR", "count": 5}],
        disembarkation_country="THA",
        area="Andaman Sea",
    )
    login("soa")
    page.goto(f"{live_server.url}/maritime/incidents/{landing.pk}/")
    page.get_by_role("link", name="Open screenings for the persons on board").click()
    page.wait_for_load_state()
    # The number pre-filled is the persons on board not yet screened.
    assert page.get_by_label("Number of screenings").input_value() == "5"
    page.get_by_label("Number of screenings").fill("3")
    page.get_by_label("Instrument").select_option(str(guide.pk))
    page.get_by_label("Screening organisation").select_option(str(org_a.pk))
    assert not axe_violations(page)
    page.get_by_role("button", name="Open screenings").click()
    page.wait_for_load_state()

    batch = ScreeningBatch.objects.get()
    assert page.url == f"{live_server.url}/maritime/screening-batches/{batch.pk}/"
    rows = page.locator("#batch-interviews tbody tr")
    expect(rows).to_have_count(3)
    for link in batch.screenings.select_related("interview"):
        expect(page.get_by_text(link.interview.reference)).to_be_visible()
    assert not axe_violations(page)

    page.get_by_role("link", name=str(landing)).click()
    page.wait_for_load_state()
    expect(page.locator("#protection-outcomes")).to_contain_text("3")


@pytest.mark.slow
def test_a_large_import_waits_for_a_worker_then_shows_its_summary(
    page, live_server, login, make_user, org_a, transactional_db, settings, tmp_path
):
    """The upload goes to a job; its page says queued with an empty bar; a worker process started
    afterwards imports it and the page, polling, reloads itself with the import's summary."""
    from pathlib import Path

    from tests import processes

    settings.TASKS = processes.DATABASE_BACKEND
    settings.LINDUNG_MARITIME_INLINE_IMPORT_BYTES = 0
    make_user(org_a, Role.ANALYST, username="mmp_importer")
    login("mmp_importer")
    page.goto(f"{live_server.url}/maritime/import/")
    mmp = Path(__file__).parent / "data" / "mmp_2021.csv"
    page.get_by_label("File", exact=True).set_input_files(str(mmp))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "queued")
    assert page.locator("#job-bar").get_attribute("value") == "0"
    assert not axe_violations(page)

    log = tmp_path / "worker.log"
    worker = processes.worker(log)
    try:
        expect(page.locator("#import-summary")).to_be_visible(timeout=120_000)
    finally:
        processes.stop(worker)
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    assert page.locator("#job-bar").get_attribute("value") == "100"
    assert "10 new, 0 updated" in page.locator("#import-summary").inner_text()
    assert Incident.objects.filter(organisation=org_a).count() == 10
