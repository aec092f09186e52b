"""Navigation by role: each app lists its entries in its AppConfig.nav_items."""

import logging

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from . import policy

logger = logging.getLogger(__name__)


def all_nav_items():
    for app_path in settings.LINDUNG_APPS:
        config = apps.get_app_config(app_path.rsplit(".", 1)[-1])
        yield from getattr(config, "nav_items", [])


def demo(request):
    """The demo's key file, when the master key sits beside the database (the page banner says so)."""
    if settings.LINDUNG_DEMO and not settings.LINDUNG_MASTER_KEY:
        return {"demo_key_file": settings.LINDUNG_MASTER_KEY_FILE}
    return {}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    held = policy.all_capabilities(user)
    items = []
    for label, url_name, capability in all_nav_items():
        if capability is not None and capability not in held:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            # A broken entry must not take every page down; tests/core/test_navigation.py fails on it.
            logger.error("navigation entry %s does not resolve", url_name)
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
