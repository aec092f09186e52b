from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("", views.engagement_list, name="engagement_list"),
    path("new/", views.engagement_create, name="engagement_create"),
    path("sessions/", views.session_upcoming, name="session_upcoming"),
    path("concerns/", views.concern_open, name="concern_open"),
    path("synthesis/", views.synthesis, name="synthesis"),
    path("<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("<int:pk>/you-said-we-did/", views.engagement_outcomes, name="engagement_outcomes"),
    path("<int:pk>/export.csv", views.engagement_export, name="engagement_export"),
    path("<int:pk>/incidents/new/", views.incident_create, name="incident_create"),
    path("<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/checklist/", views.session_checklist, name="session_checklist"),
    path("sessions/<int:pk>/start/", views.session_start, name="session_start"),
    path("sessions/<int:pk>/debrief/", views.session_debrief, name="session_debrief"),
    path("sessions/<int:pk>/participants/", views.attendance_add, name="attendance_add"),
    path("sessions/<int:pk>/contributions/new/", views.contribution_create, name="contribution_create"),
    path("sessions/<int:pk>/concerns/new/", views.concern_create, name="concern_create"),
    path("sessions/<int:pk>/compensation/new/", views.compensation_create, name="compensation_create"),
    path("referrals/<int:pk>/", views.referral_update, name="referral_update"),
    path("contributions/<int:pk>/review/", views.contribution_review, name="contribution_review"),
    path("contributions/<int:pk>/withdraw/", views.contribution_withdraw, name="contribution_withdraw"),
    path("contributions/<int:pk>/outcomes/new/", views.outcome_create, name="outcome_create"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/new/", views.participant_create, name="participant_create"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/edit/", views.participant_edit, name="participant_edit"),
    path("participants/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("participants/<int:pk>/case-link/", views.case_link, name="case_link"),
    path("participants/<int:pk>/report/", views.participant_report, name="participant_report"),
    path(
        "participants/<int:pk>/report/download/",
        views.participant_report_download,
        name="participant_report_download",
    ),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("guidelines/", views.guideline_list, name="guideline_list"),
    path("guidelines/new/", views.guideline_create, name="guideline_create"),
    path("guidelines/<int:pk>/", views.guideline_detail, name="guideline_detail"),
    path(
        "guidelines/<int:pk>/versions/new/", views.guideline_version_create, name="guideline_version_create"
    ),
    path("guidance/", views.guidance_list, name="guidance_list"),
    path("guidance/adopt/", views.guidance_adopt, name="guidance_adopt"),
    path("guidance/<int:pk>/", views.guidance_detail, name="guidance_detail"),
    path("guidance/<int:pk>/versions/new/", views.guidance_version_create, name="guidance_version_create"),
    path("guidance/versions/<int:pk>/export/", views.guidance_export, name="guidance_export"),
    path("pathways/", views.pathway_list, name="pathway_list"),
]
