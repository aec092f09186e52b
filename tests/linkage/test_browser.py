"""In a real browser: a caseworker registering "Muhammad Rahimov" sees the existing
"Мухаммад Рахимов" with the same date of birth as a candidate with its reasons, links them from
the panel, then undoes the link from the person page."""

import pytest
from playwright.sync_api import expect

from lindung.cases.models import Person
from lindung.linkage.models import PersonLink

from .conftest import DOB

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_candidate_panel_link_and_undo(page, live_server, login, caseworker, rakhimov):
    login("cw_a")
    page.goto(f"{live_server.url}/cases/persons/new/")
    page.get_by_label("Given name").fill("Muhammad")
    page.get_by_label("Family name").fill("Rahimov")
    page.get_by_label("Date of birth").fill(DOB.isoformat())
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_load_state()

    panel = page.get_by_role("region", name="Check before registering")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link", name="Мухаммад Рахимов")).to_be_visible()
    reasons = panel.get_by_role("table")
    expect(reasons.get_by_role("row", name="Name same name once written in Latin letters")).to_be_visible()
    expect(reasons.get_by_role("row", name="Date of birth same date of birth")).to_be_visible()
    assert Person.objects.count() == 1
    assert "Rahimov" not in page.url

    panel.get_by_role("button", name=f"Same person: register and link — {rakhimov.reference}").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Muhammad Rahimov")
    linked = page.get_by_role("region", name="Same person in other records")
    expect(linked.get_by_role("link", name="Мухаммад Рахимов")).to_be_visible()
    assert PersonLink.objects.get().state == "linked"

    linked.get_by_role("button", name=f"Undo the link — {rakhimov.reference}").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"The link with {rakhimov.reference} is undone.")).to_be_visible()
    expect(page.get_by_text("No other record is linked to this person.")).to_be_visible()
    expect(page.get_by_role("heading", name="Possible duplicates")).to_be_visible()
    assert list(PersonLink.objects.order_by("id").values_list("state", flat=True)) == ["linked", "unlinked"]
