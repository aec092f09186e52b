"""Shared fixtures: organisations, users by role, clients, the demo world and the browser.

Every later app's tests use these; see docs/developing.md.
"""

import contextlib
import os
import shutil

import pytest
from django.test import Client

from lindung.core.models import Membership, Organisation, User
from lindung.core.roles import Role

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEST_PASSWORD = "correct-horse-battery-staple"
CHROMIUM = os.environ.get("LINDUNG_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LINDUNG_REQUIRE_2FA = False
    settings.MEDIA_ROOT = tmp_path / "media"
    # Never the anchors of the checkout's own var/ (signed with the demo's key).
    settings.LINDUNG_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"
    settings.AXES_ENABLED = True
    # Jobs run there and then; tests of the real worker (tests/core/test_worker.py) set their own.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session", autouse=True)
def _master_key():
    # A fixed test key, never the demo's var/master.key; and not the demo (no banner), whatever the
    # database.
    from django.conf import settings

    settings.LINDUNG_MASTER_KEY = "dGVzdC1tYXN0ZXIta2V5LWZvci1saW5kdW5nLXRlc3Q="
    settings.LINDUNG_DEMO = False
    from lindung.core import crypto

    crypto.forget_cached_keys()
    yield
    crypto.forget_cached_keys()


@pytest.fixture(scope="session", autouse=True)
def _audit_purge_between_tests():
    """Transactional tests empty the database afterwards; the append-only audit log lets that
    through only with this switch (tests of the guard turn it off themselves)."""
    from lindung.core import audit

    audit.allow_purge(True)
    yield
    audit.allow_purge(False)


_LIVE_SIDE_FILES: set[str] = set()


@pytest.fixture(autouse=True)
def _live_store_closed():
    # core.live keeps a connection of its own; an open one would stop the test database's drop.
    yield
    from django.db import connection

    from lindung.core import live

    live.close()
    if connection.vendor == "sqlite":
        _LIVE_SIDE_FILES.add(f"{connection.settings_dict['NAME']}-live")


def pytest_sessionfinish(session):
    # Django removes the SQLite test database; the live file beside it is core.live's own.
    for name in _LIVE_SIDE_FILES:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(name + suffix)


@pytest.fixture
def org_a(db):
    return Organisation.objects.create(name="Org A (test)", kind=Organisation.Kind.NGO, country="THA")


@pytest.fixture
def org_b(db):
    return Organisation.objects.create(name="Org B (test)", kind=Organisation.Kind.GOVERNMENT, country="MYS")


@pytest.fixture
def make_user(db):
    """make_user(org, *roles, username=None) -> User with those roles in org."""
    counter = {"n": 0}

    def make(org, *roles, username=None):
        counter["n"] += 1
        user = User.objects.create_user(username=username or f"user{counter['n']}", password=TEST_PASSWORD)
        for role in roles:
            Membership.objects.create(user=user, organisation=org, role=role)
        return user

    return make


@pytest.fixture
def client_for(make_user):
    """client_for(org, *roles) -> a logged-in django.test.Client (with .user set)."""

    def make(org, *roles):
        user = make_user(org, *roles)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


ALL_ROLES = list(Role)


@pytest.fixture
def demo_world(db):
    """The whole demo, every app's loader, in the test database."""
    from lindung.core import demo

    return demo.run_all()


# browser -----------------------------------------------------------------------------------


def _browser_available() -> bool:
    return bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not _browser_available():
        if os.environ.get("LINDUNG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LINDUNG_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}; LINDUNG_REQUIRE_BROWSER=1 (CI) makes this a failure")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def login(page, live_server):
    """login(username, password=TEST_PASSWORD): signs the browser page in through the real form."""

    def do(username, password=TEST_PASSWORD):
        page.goto(f"{live_server.url}/account/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return do
