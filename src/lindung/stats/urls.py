from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/<slug:indicator_id>/", views.indicator_page, name="indicator"),
    path(
        "indicators/<slug:indicator_id>/download/<str:fmt>/",
        views.indicator_download,
        name="indicator_download",
    ),
    path("releases/", views.release_list, name="release_list"),
    path("releases/new/", views.release_create, name="release_create"),
    path("releases/draft/", views.release_draft_add, name="release_draft_add"),
    path("releases/<int:pk>/", views.release_detail, name="release_detail"),
    path("releases/<int:pk>/bundle/", views.release_bundle, name="release_bundle"),
    path(
        "releases/<int:pk>/tables/<int:position>/<str:fmt>/", views.release_download, name="release_download"
    ),
    path("settings/", views.settings_page, name="settings"),
]
