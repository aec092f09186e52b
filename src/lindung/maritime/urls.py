from django.urls import path

from . import event_views, views

app_name = "maritime"

urlpatterns = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "incidents/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("incidents/<int:pk>/screenings/new/", event_views.screening_batch_open, name="screening_batch_open"),
    path("screening-batches/<int:pk>/", event_views.screening_batch_detail, name="screening_batch_detail"),
    path("same-event/", event_views.same_event_list, name="same_event"),
    path("same-event/decide/", event_views.same_event_decide, name="same_event_decide"),
    path("import/", views.import_file, name="import"),
    path("map/", views.incident_map, name="map"),
    path("map/data.geojson", views.map_data, name="map_data"),
    path("export/incidents.geojson", views.export_geojson, name="export_geojson"),
    path("export/incidents.csv", views.export_csv, name="export_csv"),
    path("export/trend-<slug:measure>.csv", views.trend_csv, name="trend_csv"),
]
