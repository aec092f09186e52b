from django.urls import path

from . import views

app_name = "standard"

urlpatterns = [
    path("", views.index, name="index"),
    path("dictionary/", views.dictionary, name="dictionary"),
    path("changes/", views.changelog, name="changelog"),
    path("compare/", views.compare, name="compare"),
    path("v/<str:version>/", views.dictionary, name="dictionary_version"),
    path("v/<str:version>/lists/<str:list_id>/", views.code_list, name="code_list"),
    path("v/<str:version>/export/<str:fmt>/", views.export, name="export"),
    path("validate/", views.validate, name="validate"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/errors.csv", views.report_errors, name="report_errors"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("records/", views.counts, name="counts"),
    path("records/ctdc.csv", views.records_ctdc, name="records_ctdc"),
]
