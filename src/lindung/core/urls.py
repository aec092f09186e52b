from django.contrib.auth import views as auth_views
from django.urls import path

from . import jobs_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", views.otp_verify, name="otp_verify"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/tokens/", views.token_list, name="tokens"),
    path("account/tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/users/new/", views.user_create, name="user_create"),
    path(
        "organisations/<int:pk>/users/<int:user_pk>/roles/", views.membership_grant, name="membership_grant"
    ),
    path(
        "organisations/<int:pk>/users/<int:user_pk>/password/",
        views.user_password_reset,
        name="user_password_reset",
    ),
    path("memberships/<int:pk>/revoke/", views.membership_revoke, name="membership_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
    path("operations/", views.operations, name="operations"),
    path("jobs/<uuid:pk>/", jobs_views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/progress/", jobs_views.job_progress, name="job_progress"),
    path("jobs/<uuid:pk>/retry/", jobs_views.job_retry, name="job_retry"),
    path("jobs/<uuid:pk>/download/", jobs_views.job_download, name="job_download"),
]
