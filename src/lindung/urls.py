"""Root URLs. Each app in LINDUNG_APPS contributes ``urls.py`` (pages, under /<app>/ except core)
and an ``api.register(router)`` function (under /api/v1/); nothing here needs editing per app."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from lindung.core import views as core_views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
extra_api = []
page_urls = []
for app_path in settings.LINDUNG_APPS:
    label = app_path.rsplit(".", 1)[-1]
    if find_spec(f"{app_path}.api"):
        module = import_module(f"{app_path}.api")
        module.register(router)
        extra_api += getattr(module, "urlpatterns", [])
    if find_spec(f"{app_path}.urls"):
        prefix = "" if label == "core" else f"{label}/"
        page_urls.append(path(prefix, include(f"{app_path}.urls")))

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says; the icon itself is a static file.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("lindung/favicon.ico"), permanent=True),
        name="favicon",
    ),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include(extra_api)),
    *page_urls,
]

handler403 = "lindung.core.views.permission_denied"
handler404 = "lindung.core.views.not_found"
