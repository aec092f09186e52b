from django.urls import path

from . import return_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/step/<slug:name>/", views.case_transition, name="case_transition"),
    path("<int:pk>/needs/new/", views.need_create, name="need_create"),
    path("<int:pk>/services/new/", views.service_create, name="service_create"),
    path("<int:pk>/notes/new/", views.note_create, name="note_create"),
    path("<int:pk>/documents/new/", views.attachment_create, name="attachment_create"),
    path("<int:pk>/documents/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/placements/new/", views.placement_create, name="placement_create"),
    path("<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("<int:pk>/checkins/new/", views.checkin_create, name="checkin_create"),
    path("<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("<int:pk>/transfer/", views.case_transfer, name="case_transfer"),
    path("<int:pk>/legal-hold/", views.case_legal_hold, name="case_legal_hold"),
    path("<int:pk>/risk/", return_views.risk_page, name="risk_page"),
    path("<int:pk>/risk/new/", return_views.risk_record, name="risk_record"),
    path("<int:pk>/risk/<int:assessment_pk>/sign-off/", return_views.risk_sign_off, name="risk_sign_off"),
    path("<int:pk>/risk/<int:assessment_pk>/decision/", return_views.risk_decide, name="risk_decide"),
    path("risk-summary/", return_views.risk_summary, name="risk_summary"),
    path("tasks/", views.task_list, name="task_list"),
    path("consents/", views.consent_expiring, name="consent_expiring"),
    path("tasks/overdue/", views.task_overdue, name="task_overdue"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/photo/", views.person_photo, name="person_photo"),
    path("persons/<int:pk>/cases/new/", views.case_create, name="case_create"),
    path("persons/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path(
        "persons/<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("persons/<int:pk>/export/", views.person_export, name="person_export"),
    path("persons/<int:pk>/erase/", views.person_erase, name="person_erase"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
]
