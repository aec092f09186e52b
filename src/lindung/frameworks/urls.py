from django.urls import path, re_path

from . import views

app_name = "frameworks"

urlpatterns = [
    path("", views.instrument_list, name="instrument_list"),
    path("instruments/new/", views.instrument_create, name="instrument_create"),
    path("instruments/import/", views.instrument_import, name="instrument_import"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/edit/", views.instrument_edit, name="instrument_edit"),
    path("instruments/<int:pk>/verify/", views.instrument_verify, name="instrument_verify"),
    path("instruments/<int:pk>/document/", views.instrument_document, name="instrument_document"),
    path("instruments/<int:pk>/statuses/new/", views.party_status_create, name="party_status_create"),
    path("instruments/<int:pk>/provisions/new/", views.provision_create, name="provision_create"),
    path("provisions/<int:pk>/edit/", views.provision_edit, name="provision_edit"),
    path("matrix/", views.matrix, name="matrix"),
    re_path(r"^matrix/export\.(?P<fmt>csv|xlsx)$", views.matrix_export, name="matrix_export"),
    path("compare/", views.compare, name="compare"),
    re_path(r"^report\.(?P<fmt>docx|pdf)$", views.report, name="report"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/new/", views.recommendation_create, name="recommendation_create"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
]
