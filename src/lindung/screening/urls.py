from django.urls import path

from . import openrosa, views

app_name = "screening"

urlpatterns = [
    path("", views.interview_list, name="interview_list"),
    path("new/", views.interview_start, name="interview_start"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/link/", views.interview_link, name="interview_link"),
    path("interviews/<int:pk>/write-to-person/", views.profile_write, name="profile_write"),
    path("interviews/<int:pk>/<slug:section>/", views.interview_section, name="interview_section"),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/import/", views.instrument_import, name="instrument_import"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/xlsform/", views.version_export, name="version_export"),
    path("versions/<int:pk>/xform/", views.version_xform, name="version_xform"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/new-draft/", views.version_new_draft, name="version_new_draft"),
    path("versions/<int:pk>/copy/", views.version_copy, name="version_copy"),
    path("versions/<int:pk>/questions/<slug:name>/", views.question_edit, name="question_edit"),
    path("phone/", views.openrosa_secret, name="phone_setup"),
    # OpenRosa (digest authentication, for ODK Collect / KoboCollect): server URL /screening/openrosa
    path("openrosa/formList", openrosa.form_list, name="openrosa_formlist"),
    path("openrosa/forms/<slug:form_id>/form.xml", openrosa.form_download, name="openrosa_form"),
    path("openrosa/submission", openrosa.submission, name="openrosa_submission"),
]
