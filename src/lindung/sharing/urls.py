from django.urls import path, re_path

from . import taxii, views

app_name = "sharing"

urlpatterns = [
    path("", views.home, name="home"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_edit, name="group_edit"),
    path("peers/", views.peer_list, name="peer_list"),
    path("peers/new/", views.peer_create, name="peer_create"),
    path("peers/<int:pk>/", views.peer_detail, name="peer_detail"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/revoke/", views.agreement_revoke, name="agreement_revoke"),
    path("exchanges/", views.exchange_list, name="exchange_list"),
    path("incidents/<int:pk>/recipients/", views.incident_recipients, name="incident_recipients"),
    # TAXII 2.1 (peers only, HTTP Basic).
    path("taxii2/", taxii.discovery, name="taxii_discovery"),
    path("taxii2/api/", taxii.api_root, name="taxii_api_root"),
    path("taxii2/api/collections/", taxii.collections, name="taxii_collections"),
    path("taxii2/api/collections/<uuid:collection_id>/", taxii.collection, name="taxii_collection"),
    path("taxii2/api/collections/<uuid:collection_id>/objects/", taxii.objects, name="taxii_objects"),
    path("taxii2/api/collections/<uuid:collection_id>/manifest/", taxii.manifest, name="taxii_manifest"),
    re_path(
        r"^taxii2/api/collections/(?P<collection_id>[0-9a-f-]{36})/objects/(?P<object_id>[a-z0-9-]+--[0-9a-f-]{36})/$",
        taxii.object_detail,
        name="taxii_object",
    ),
    re_path(
        r"^taxii2/api/collections/(?P<collection_id>[0-9a-f-]{36})/objects/(?P<object_id>[a-z0-9-]+--[0-9a-f-]{36})"
        r"/versions/$",
        taxii.object_versions,
        name="taxii_object_versions",
    ),
    re_path(r"^taxii2/api/status/(?P<status_id>[0-9a-f-]{36})/?$", taxii.status, name="taxii_status"),
]
