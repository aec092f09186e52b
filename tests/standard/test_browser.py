"""The data manager's flow in a real browser: validate a bad file, see the errors, download them,
import a good file (twice: the second adds nothing) and see the records counted."""

import pytest
from playwright.sync_api import expect

from lindung.core.models import Job
from lindung.core.roles import Role
from lindung.standard import synthetic
from lindung.standard.models import StandardRecord
from tests import processes

from .helpers import LINDUNG_ROW, lindung_csv


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_validate_import_and_count(page, live_server, login, make_user, org_a, tmp_path):
    make_user(org_a, Role.DATA_MANAGER, username="dm_browser")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(lindung_csv(LINDUNG_ROW, "2022,hotline,F,18-20,adult,ZZZ"))
    good = tmp_path / "ctdc.csv"
    good.write_bytes(synthetic.ctdc_csv(60, seed=8))

    login("dm_browser")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Validate and import").click()
    page.get_by_role("link", name="Validate a file").click()
    page.get_by_label("File", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Validate").click()
    page.wait_for_load_state()
    expect(page.locator(".tag", has_text="Invalid")).to_be_visible()
    errors = page.locator("#errors tbody tr")
    assert errors.count() == 1
    assert "ZZZ" in errors.first.inner_text() and "citizenship" in errors.first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every error (CSV)").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        assert "value.not_in_list" in handle.read()

    for expected in ("60", "0"):
        page.get_by_role("link", name="Import a file").click()
        page.get_by_label("File", exact=True).set_input_files(str(good))
        page.get_by_label("Layout of the file").select_option("ctdc")
        page.get_by_role("button", name="Import").click()
        page.wait_for_load_state()
        assert page.locator("#import-imported").inner_text() == expected
        assert page.locator("#import-bar").get_attribute("value") == "100"
    assert StandardRecord.objects.count() == 60

    nav.get_by_role("link", name="Imported records").click()
    assert "60 de-identified records" in page.locator("main").inner_text()
    assert page.locator("#counts-overall tbody tr").count() >= 1


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_progress_bar_follows_the_stored_progress_while_a_worker_imports(
    page, live_server, login, make_user, org_a, tmp_path, settings
):
    """A large upload becomes a job; the page shows it queued, then whatever progress the database
    holds for the job (so every web process shows the same bar), then the result of a real worker
    process. Whether a poll happens to land between two of the worker's reports depends on the
    machine's speed, so the intermediate step is written here, not waited for; that the import
    reports steps between 0 and 100 is tested in test_import.py."""
    settings.TASKS = processes.DATABASE_BACKEND
    settings.LINDUNG_STANDARD_INLINE_IMPORT_BYTES = 0
    make_user(org_a, Role.DATA_MANAGER, username="dm_progress")
    big = tmp_path / "big.csv"
    big.write_bytes(synthetic.ctdc_csv(30_000, seed=5))

    login("dm_progress")
    page.goto(f"{live_server.url}/standard/imports/")
    page.get_by_label("File", exact=True).set_input_files(str(big))
    page.get_by_label("Layout of the file").select_option("ctdc")
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    bar = page.locator("#import-bar")
    assert bar.get_attribute("value") == "0"
    expect(page.locator("#import-status")).to_have_text("Queued")

    Job.objects.filter(kind__startswith="standard.").update(done=12_000, total=30_000)
    expect(bar).to_have_attribute("value", "40", timeout=15_000)  # the page polls; no reload

    log = tmp_path / "worker.log"
    worker = processes.worker(log)
    try:
        expect(page.locator("#import-imported")).to_have_text("30000", timeout=120_000)
    except AssertionError as exc:
        raise AssertionError(log.read_text()[-2000:]) from exc
    finally:
        processes.stop(worker)
    assert bar.get_attribute("value") == "100"
    assert StandardRecord.objects.count() == 30_000
