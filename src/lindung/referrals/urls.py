from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("received/", views.received_list, name="received_list"),
    path("overdue/", views.overdue_list, name="overdue_list"),
    path("new/", views.referral_create, name="referral_create"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("<int:pk>/service-given/", views.referral_service, name="referral_service"),
    path("<int:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("<int:pk>/form.pdf", views.referral_pdf, name="referral_pdf"),
    path("services/", views.service_list, name="service_list"),
    path("services/export.<slug:fmt>", views.service_export, name="service_export"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("needs/", views.needs_map, name="needs_map"),
]
