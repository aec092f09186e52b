"""In a real browser: a supervisor opens the review queue from the menu, reads why a pair was
proposed, and accepts it; the pair leaves the queue and the records are linked."""

import pytest
from playwright.sync_api import expect

from lindung.core.roles import Role
from lindung.linkage.models import DedupeCandidate, DedupeRun, PersonLink

from .conftest import DOB
from .test_dedupe_pages import EXPLANATION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_queue_accept(page, live_server, login, org_a, make_user, register, rakhimov):
    make_user(org_a, Role.SUPERVISOR, username="sup_a")
    again = register(given_name="Mukhammad", family_name="Rakhimov", date_of_birth=DOB, sex="M")
    run = DedupeRun.objects.create(organisation=org_a, persons=2, pairs=1, proposed=1)
    item = DedupeCandidate.objects.create(
        run=run, organisation=org_a, person=rakhimov, other=again, probability=0.9998, match_weight=12.5,
        explanation=EXPLANATION,
    )  # fmt: skip
    login("sup_a")
    page.get_by_role("link", name="Duplicates to review").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicates to review")
    pair = page.get_by_role("article", name=f"{rakhimov.reference} and {again.reference}")
    expect(pair.get_by_role("link", name="Мухаммад Рахимов")).to_be_visible()
    expect(pair.get_by_role("row", name="Given name given names sound the same")).to_be_visible()
    pair.get_by_role("button", name=f"Same person: link — {rakhimov.reference} {again.reference}").click()
    page.wait_for_load_state()
    expect(page.get_by_text("No pair to review.")).to_be_visible()
    item.refresh_from_db()
    assert item.state == "accepted"
    assert PersonLink.objects.get(person=rakhimov, other=again).state == "linked"
