from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("watch-rules/", views.watch_rule_list, name="watch_rule_list"),
    path("watch-rules/new/", views.watch_rule_create, name="watch_rule_create"),
    path("watch-rules/<int:pk>/", views.watch_rule_edit, name="watch_rule_edit"),
    path("watch-rules/<int:pk>/delete/", views.watch_rule_delete, name="watch_rule_delete"),
]
