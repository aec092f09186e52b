"""Navigation by role: each app lists its entries in its AppConfig.nav_items."""

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from . import policy


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    held = policy.all_capabilities(user)
    items = []
    for app_path in settings.LINDUNG_APPS:
        config = apps.get_app_config(app_path.rsplit(".", 1)[-1])
        for label, url_name, capability in getattr(config, "nav_items", []):
            if capability is None or capability in held:
                url = reverse(url_name)
                items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
