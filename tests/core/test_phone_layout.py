"""Pages that fit a phone (issue 19, item 8): the whole UI walked in real Chromium at 390×844.

No page may scroll sideways (wide tables scroll inside their own focusable region instead); the
menu collapses behind a button; buttons are at least 44 px tall; printing drops the navigation and
the buttons. Every demo user (so every role) walks the pages of their menu, and a user with every
role walks every page of the site that answers HTML.
"""

import pytest
from django.test import Client

from lindung.core.demo import DEMO_PASSWORD
from lindung.core.demo import USERS as DEMO_USERS
from lindung.core.models import Membership, Organisation, User
from lindung.core.roles import Role
from tests.core.test_browser import axe_violations
from tests.test_authorization import HOME_ORG, _is_public, all_routes
from tests.test_two_factor_walker import _path_for

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth > window.innerWidth"
# Pages not to open in a walk: signing out ends the walk.
NOT_WALKED = {"core:logout"}


def _overflowing(page) -> bool:
    return page.evaluate(OVERFLOW)


def _widest(page) -> str:
    """The element that sticks out furthest to the right, to say in the failure what to fix."""
    return page.evaluate(
        """() => {
          let widest = null, right = window.innerWidth;
          const clipped = (el) => {
            for (let a = el.parentElement; a; a = a.parentElement) {
              if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(a).overflowX)) return true;
            }
            return false;
          };
          for (const el of document.querySelectorAll("body *")) {
            const r = el.getBoundingClientRect().right;
            if (r > right && clipped(el)) continue;
            if (r > right) { right = r; widest = el; }
          }
          if (!widest) return "";
          const name = typeof widest.className === "string" ? widest.className.trim() : "";
          const cls = name ? "." + name.replace(/ +/g, ".") : "";
          return widest.tagName.toLowerCase() + cls + " (" + Math.round(right) + "px)";
        }"""
    )


def _check(page, path, offenders):
    if _overflowing(page):
        offenders.append(f"{path}: {_widest(page)}")


@pytest.fixture
def phone(page, demo_world):
    page.set_viewport_size(PHONE)
    return page


def _login(page, live_server, username, password):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _sign_out(page):
    page.context.clear_cookies()


def test_every_role_reaches_the_pages_of_its_menu_without_sideways_scrolling(phone, live_server):
    offenders, walked = [], set()
    roles_seen = set()
    for username, _first_name, _org, roles in DEMO_USERS:
        roles_seen |= set(roles)
        _login(phone, live_server, username, DEMO_PASSWORD)
        _check(phone, f"{username} /", offenders)
        toggle = phone.get_by_role("button", name="Menu")
        hrefs = phone.locator(".main-nav ul a").evaluate_all("(els) => els.map((a) => a.pathname)")
        if hrefs:
            # The menu collapses behind its button on a phone, and opens with it.
            assert toggle.is_visible() and not phone.locator(".main-nav ul").is_visible(), username
            toggle.click()
            assert phone.locator(".main-nav ul").is_visible()
            assert toggle.get_attribute("aria-expanded") == "true"
        for href in hrefs:
            phone.goto(live_server.url + href)
            walked.add(href)
            _check(phone, f"{username} {href}", offenders)
        _sign_out(phone)
    assert roles_seen == set(Role), "the demo users cover every role"
    assert len(walked) > 15, walked
    assert not offenders, "pages scrolling sideways at 390 px:\n" + "\n".join(offenders)


def _html_pages(user):
    """(route name, path) of every page the user may GET that answers HTML, found with the test
    client (downloads and refusals are not pages to look at)."""
    client = Client()
    client.force_login(user)
    found = []
    for route in all_routes():
        if _is_public(route) or route.name in NOT_WALKED:
            continue
        path = _path_for(route, user)
        if path.startswith("/api/"):
            continue
        response = client.get(path)
        html = response.get("Content-Type", "").startswith("text/html")
        if (
            response.status_code == 200
            and html
            and "attachment" not in response.get("Content-Disposition", "")
        ):
            found.append((route.name, path))
    return found


def test_the_whole_ui_fits_a_phone(phone, live_server):
    home = Organisation.objects.get(name=HOME_ORG)
    user = User.objects.create_user(username="phone_walker", password="phone-walker-password")
    for role in Role:
        Membership.objects.create(user=user, organisation=home, role=role)
    pages = _html_pages(user)
    assert len(pages) > 60, len(pages)
    _login(phone, live_server, "phone_walker", "phone-walker-password")
    offenders, inaccessible = [], []
    for _name, path in pages:
        phone.goto(live_server.url + path)
        _check(phone, path, offenders)
        problems = axe_violations(phone)
        if problems:
            inaccessible.append(f"{path}: {sorted({p.split(' ')[0] for p in problems})}")
        # A table wider than the screen scrolls in a region that a keyboard can reach.
        unreachable = phone.evaluate(
            """() => [...document.querySelectorAll("main table")].filter((t) => {
                 const box = t.closest(".table-scroll, .table-wrap");
                 return t.scrollWidth > (box || document.documentElement).clientWidth
                   && !(box && box.getAttribute("tabindex") === "0" && box.getAttribute("role") === "region");
               }).length"""
        )
        if unreachable:
            offenders.append(f"{path}: {unreachable} wide table(s) outside a focusable scroll region")
    assert not offenders, "pages scrolling sideways at 390 px:\n" + "\n".join(offenders)
    assert not inaccessible, "axe violations at 390 px:\n" + "\n".join(inaccessible)


def test_touch_targets_and_print(phone, live_server):
    _login(phone, live_server, "supervisor", DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/cases/")
    phone.locator("main table a").first.click()
    phone.wait_for_load_state()
    heights = phone.locator("main .button, main button, main select").evaluate_all(
        "(els) => els.filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights
    phone.emulate_media(media="print")
    hidden = phone.evaluate(
        """() => [".site-header", ".site-footer", "main .button", "main button"]
             .flatMap((s) => [...document.querySelectorAll(s)])
             .filter((el) => getComputedStyle(el).display !== "none").length"""
    )
    assert hidden == 0
    assert phone.locator("main h1").is_visible()
