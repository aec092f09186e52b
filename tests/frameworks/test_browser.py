"""A researcher's flow in a real browser: matrix -> side-by-side comparison -> exports; and search."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lindung.core.models import Organisation
from lindung.core.roles import Role
from lindung.frameworks import reference
from tests.core.test_browser import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def researcher_page(transactional_db, page, live_server, login, make_user):
    reference.load(examples=True)
    org = Organisation.objects.create(name="Browser research unit", kind="government", country="IDN")
    make_user(org, Role.RESEARCHER, username="fw_researcher")
    login("fw_researcher")
    return page


def test_matrix_then_comparison_then_export(researcher_page, live_server, tmp_path):
    page = researcher_page
    page.goto(f"{live_server.url}/frameworks/matrix/?countries=IDN+MYS+THA")
    matrix = page.get_by_role("table").first
    atd_header = page.get_by_role("rowheader", name="Alternatives to detention")
    atd_row = matrix.get_by_role("row").filter(has=atd_header)
    assert "Memorandum of Understanding on the Determination" in atd_row.inner_text()
    assert "Nothing recorded" not in atd_row.inner_text()  # the GCM objective 13 is there for everyone
    expect(page.get_by_role("heading", name="Themes with no instrument in force").first).to_be_visible()
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)

    page.get_by_label("Theme").select_option("atd")
    page.get_by_label("First country").select_option("IDN")
    page.get_by_label("Second country").select_option("THA")
    page.get_by_role("button", name="Compare side by side").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Side by side: Alternatives to detention"
    thailand = page.get_by_role("region", name="Thailand")
    indonesia = page.get_by_role("region", name="Indonesia")
    assert "release of children with their mothers" in thailand.inner_text()
    assert "Memorandum of Understanding" not in indonesia.inner_text()
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)

    # The report is a background job (run at once by the tests' backend): its countries and a
    # button, then the job's page with the download.
    compare_url = page.url
    page.get_by_role("link", name="desk-review report (PDF)").click()
    expect(page.get_by_label("Countries")).to_have_value("IDN THA")
    page.get_by_role("button", name="Prepare the report").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    assert page.locator("#job-bar").get_attribute("value") == "100"
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)
    with page.expect_download() as download_info:
        page.locator("#job-download").click()
    download = download_info.value
    assert download.suggested_filename == "desk-review.pdf"
    target = tmp_path / "report.pdf"
    download.save_as(target)
    assert Path(target).read_bytes().startswith(b"%PDF-")

    page.goto(compare_url)
    page.get_by_role("link", name="desk-review report (DOCX)").click()
    page.get_by_role("button", name="Prepare the report").click()
    with page.expect_download() as download_info:
        page.locator("#job-download").click()
    assert download_info.value.suggested_filename == "desk-review.docx"
    page.goto(compare_url)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="matrix (CSV)").click()
    target = tmp_path / "matrix.csv"
    download_info.value.save_as(target)
    assert "atd,Alternatives to detention,THA" in target.read_text(encoding="utf-8-sig")


def test_find_a_provision_by_a_phrase(researcher_page, live_server):
    page = researcher_page
    page.goto(f"{live_server.url}/frameworks/")
    page.get_by_label('Words or "a phrase"').fill('"without undue or unreasonable delay"')
    page.get_by_label("Type").select_option("protocol")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    results = page.get_by_role("table")
    assert "2 matches" in results.locator("caption").inner_text()
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)
    results.get_by_role("link", name="Article 18").click()
    page.wait_for_load_state()
    assert "#provision-" in page.url
    expect(page.get_by_role("heading", name="Article 18 — Return of smuggled migrants")).to_be_visible()
    problems = axe_violations(page)
    assert not problems, json.dumps(problems, indent=1)
